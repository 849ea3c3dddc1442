// The shared thread pool (lib/util/thread_pool.cc): every index covered exactly once, for many
// back-to-back regions (the forward pass runs hundreds a second, and workers poll briefly
// between them before sleeping), for regions started from several threads at once, for
// regions separated by pauses longer than the polling, for regions after the workers are woken
// ahead of them, and nested calls run serially.
#include "util/thread_pool.h"

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace xval::util {
namespace {

// Runs one region over n items and checks each was visited exactly once.
void CheckCoverage(size_t n, size_t grain, size_t threads) {
  std::vector<std::atomic<int>> hits(n);
  ParallelFor(
      n, grain,
      [&](size_t begin, size_t end) {
        for (size_t i = begin; i < end; ++i) hits[i].fetch_add(1);
      },
      threads);
  for (size_t i = 0; i < n; ++i) ASSERT_EQ(hits[i].load(), 1) << "item " << i << " of " << n;
}

TEST(ThreadPoolTest, EveryItemOnceForManyShapes) {
  for (size_t n : {1, 2, 3, 7, 64, 1000, 4097}) {
    for (size_t grain : {1, 3, 64, 5000}) {
      for (size_t threads : {0, 1, 2, 3}) CheckCoverage(n, grain, threads);
    }
  }
}

TEST(ThreadPoolTest, ManyBackToBackRegions) {
  std::atomic<size_t> total{0};
  for (int region = 0; region < 20000; ++region) {
    ParallelFor(
        8, 1, [&](size_t begin, size_t end) { total.fetch_add(end - begin); }, 2);
  }
  EXPECT_EQ(total.load(), 20000u * 8);
}

TEST(ThreadPoolTest, RegionsAfterPausesLongerThanThePolling) {
  for (int region = 0; region < 5; ++region) {
    std::this_thread::sleep_for(std::chrono::milliseconds(3));
    CheckCoverage(100, 1, 2);
  }
}

// WakeWorkers before a region, after which the caller starts it at once, a little later, or
// after the workers' polling has run out; from several threads at once, some of which only
// wake the workers and never start a region.
TEST(ThreadPoolTest, RegionsAfterWakingTheWorkers) {
  std::vector<std::thread> callers;
  for (int c = 0; c < 4; ++c) {
    callers.emplace_back([c] {
      for (int region = 0; region < 60; ++region) {
        WakeWorkers(c == 3 ? 1 : 0);
        std::this_thread::sleep_for(std::chrono::microseconds((region % 3) * 200));
        if (c != 2) CheckCoverage(100, 1, 0);
      }
    });
  }
  for (auto& t : callers) t.join();
  WakeWorkers(2);
  CheckCoverage(1000, 7, 2);
}

TEST(ThreadPoolTest, RegionsFromSeveralCallerThreads) {
  std::vector<std::thread> callers;
  std::atomic<size_t> total{0};
  for (int c = 0; c < 4; ++c) {
    callers.emplace_back([&] {
      for (int region = 0; region < 500; ++region) {
        ParallelFor(
            16, 2, [&](size_t begin, size_t end) { total.fetch_add(end - begin); }, 0);
      }
    });
  }
  for (auto& t : callers) t.join();
  EXPECT_EQ(total.load(), 4u * 500 * 16);
}

TEST(ThreadPoolTest, NestedCallsRunSerially) {
  std::atomic<size_t> inner{0};
  ParallelFor(
      4, 1,
      [&](size_t begin, size_t end) {
        for (size_t i = begin; i < end; ++i) {
          ParallelFor(
              10, 1, [&](size_t b, size_t e) { inner.fetch_add(e - b); }, 0);
        }
      },
      0);
  EXPECT_EQ(inner.load(), 40u);
}

// Each call's slots are below ParallelSlots and owned by one thread at a time: a slot's
// counter, bumped without atomics by whoever holds the slot, sees no other thread (and
// ThreadSanitizer sees no race) while four callers run jobs at once.
TEST(ThreadPoolTest, SlotsBelongToOneThreadOfOneCall) {
  std::vector<std::thread> callers;
  std::atomic<size_t> bad{0};
  for (int c = 0; c < 4; ++c) {
    callers.emplace_back([&] {
      for (int region = 0; region < 200; ++region) {
        const size_t slots = ParallelSlots(0);
        std::vector<size_t> per_slot(slots, 0);
        std::vector<std::thread::id> owner(slots);
        ParallelForSlots(
            64, 1,
            [&](size_t slot, size_t begin, size_t end) {
              if (slot >= slots) {
                bad.fetch_add(1);
                return;
              }
              if (owner[slot] == std::thread::id()) owner[slot] = std::this_thread::get_id();
              if (owner[slot] != std::this_thread::get_id()) bad.fetch_add(1);
              per_slot[slot] += end - begin;
            },
            0);
        size_t total = 0;
        for (size_t n : per_slot) total += n;
        if (total != 64) bad.fetch_add(1);
      }
    });
  }
  for (auto& t : callers) t.join();
  EXPECT_EQ(bad.load(), 0u);
  EXPECT_GE(ParallelSlots(0), 1u);
  EXPECT_EQ(ParallelSlots(1), 1u);
}

// ParallelForStriped: every item exactly once, one item per call of fn, slots below
// ParallelSlots and owned by one thread; without stealing (one thread) in order.
TEST(ThreadPoolTest, StripedGivesEveryItemOnceToOneSlotThread) {
  for (const size_t threads : {size_t{0}, size_t{1}, size_t{2}, size_t{3}, size_t{8}}) {
    for (const size_t n :
         {size_t{0}, size_t{1}, size_t{2}, size_t{3}, size_t{7}, size_t{100}, size_t{1000}}) {
      SCOPED_TRACE(::testing::Message() << threads << " threads, " << n << " items");
      const size_t slots = ParallelSlots(threads);
      std::vector<std::atomic<int>> seen(n);
      std::vector<std::thread::id> owner(slots);
      std::atomic<int> bad{0};
      std::mutex mutex;
      std::vector<size_t> order;
      ParallelForStriped(
          n,
          [&](size_t slot, size_t begin, size_t end) {
            if (slot >= slots || end != begin + 1 || begin >= n) {
              bad.fetch_add(1);
              return;
            }
            {
              std::lock_guard<std::mutex> lock(mutex);
              if (owner[slot] == std::thread::id()) owner[slot] = std::this_thread::get_id();
              if (owner[slot] != std::this_thread::get_id()) bad.fetch_add(1);
              order.push_back(begin);
            }
            seen[begin].fetch_add(1);
          },
          threads);
      EXPECT_EQ(bad.load(), 0);
      for (size_t i = 0; i < n; ++i) EXPECT_EQ(seen[i].load(), 1) << i;
      if (slots == 1) {
        for (size_t i = 0; i < order.size(); ++i) EXPECT_EQ(order[i], i);
      }
    }
  }
}

}  // namespace
}  // namespace xval::util
