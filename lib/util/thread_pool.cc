#include "util/thread_pool.h"

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace xval::util {
namespace {

using SlotFn = std::function<void(size_t, size_t, size_t)>;

thread_local bool tls_inside_worker = false;

// How long a worker polls for the next job, and the caller for the helpers to finish, before
// sleeping on a condition variable. The forward pass runs a region per matrix product, a few
// microseconds apart during decode; a sleeping thread takes tens of microseconds to wake, so
// without polling each region loses that much. kPollTime covers a decode region's last chunk
// plus the serial step before the next region (a shorter poll did not always, and decode was
// slower), and back-to-back regions stay cheap with both cores busy elsewhere
// (docs/design-measurements.md, "Thread pool: poll time").
constexpr auto kPollTime = std::chrono::microseconds(50);

// How long a worker woken by WakeWorkers polls for the job the caller is preparing: longer
// than a batch call's serial steps before its threads start.
constexpr auto kWakePollTime = std::chrono::microseconds(250);

using Clock = std::chrono::steady_clock;

// Calls done() until it returns true or kPollTime has passed, or until `until()` when that is
// later (it may move while polling); returns done()'s last answer.
template <class Done, class Until>
bool PollFor(Done done, Until until) {
  const auto deadline = Clock::now() + kPollTime;
  for (int i = 0;; ++i) {
    if (done()) return true;
    // Checking the clock costs about as much as the pause; every 16th round is enough.
    if ((i & 15) == 15) {
      const auto now = Clock::now();
      if (now >= deadline && now >= until()) return false;
    }
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
  }
}

// A fixed set of workers that run one parallel job at a time. Jobs from several caller threads
// are serialized by job_mutex_; each job's items are claimed through an atomic counter.
class Pool {
 public:
  explicit Pool(size_t workers) {
    for (size_t i = 0; i < workers; ++i) threads_.emplace_back([this] { WorkerLoop(); });
  }
  ~Pool() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    for (auto& t : threads_) t.join();
  }

  size_t workers() const { return threads_.size(); }

  // Workers poll for a job until kWakePollTime from now; those asleep are woken.
  void Wake() {
    const int64_t until = (Clock::now() + kWakePollTime).time_since_epoch().count();
    int64_t seen = poll_until_.load(std::memory_order_relaxed);
    while (seen < until && !poll_until_.compare_exchange_weak(seen, until)) {
    }
    if (sleeping_.load() == 0) return;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ++wakes_;
    }
    wake_.notify_all();
  }

  void Run(size_t n, size_t grain, const SlotFn& fn, size_t helpers) {
    std::lock_guard<std::mutex> job_lock(job_mutex_);
    Job job;
    job.fn = &fn;
    job.n = n;
    job.grain = grain;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      job_ = &job;
      job_helpers_ = helpers;
      ++generation_;
    }
    wake_.notify_all();
    tls_inside_worker = true;
    Work(job, 0);
    tls_inside_worker = false;
    PollFor([&] { return job.finished.load(std::memory_order_acquire) == helpers; },
            [] { return Clock::time_point::min(); });
    {
      std::unique_lock<std::mutex> lock(mutex_);
      done_.wait(lock, [&] { return job.active_workers == 0 && job_helpers_ == 0; });
      job_ = nullptr;
    }
    // A chunk that threw (bad_alloc): rethrown here, once no helper touches the job.
    if (job.error) std::rethrow_exception(job.error);
  }

 private:
  struct Job {
    const SlotFn* fn = nullptr;
    size_t n = 0;
    size_t grain = 1;
    std::atomic<size_t> next{0};
    size_t next_slot = 1;  // the caller is slot 0; guarded by mutex_
    std::mutex error_mutex;
    std::exception_ptr error;         // the first exception a chunk threw; guarded by error_mutex
    size_t active_workers = 0;        // guarded by mutex_
    std::atomic<size_t> finished{0};  // helpers done with the job, for polling without the lock
  };

  static void Work(Job& job, size_t slot) {
    for (;;) {
      const size_t begin = job.next.fetch_add(job.grain);
      if (begin >= job.n) return;
      try {
        (*job.fn)(slot, begin, std::min(job.n, begin + job.grain));
      } catch (...) {
        std::lock_guard<std::mutex> lock(job.error_mutex);
        if (!job.error) job.error = std::current_exception();
        job.next.store(job.n);  // no more chunks
        return;
      }
    }
  }

  void WorkerLoop() {
    tls_inside_worker = true;
    uint64_t seen = 0, wakes_seen = 0;
    for (;;) {
      Job* job;
      size_t slot;
      PollFor([&] { return generation_.load(std::memory_order_acquire) != seen; },
              [&] { return Clock::time_point(Clock::duration(poll_until_.load())); });
      {
        std::unique_lock<std::mutex> lock(mutex_);
        // A job that came while this worker was away and is already fully staffed: not its.
        if (generation_ != seen && job_helpers_ == 0) seen = generation_;
        auto job_for_it = [&] { return generation_ != seen && job_helpers_ > 0; };
        if (!job_for_it()) {
          ++sleeping_;
          // A Wake that came after the poll gave up but before the count above saw no worker
          // asleep: this one sees its time instead.
          if (Clock::now().time_since_epoch().count() < poll_until_.load()) {
            --sleeping_;
            continue;
          }
          wake_.wait(lock, [&] { return stop_ || job_for_it() || wakes_ != wakes_seen; });
          --sleeping_;
          wakes_seen = wakes_;
          if (stop_) return;
          if (!job_for_it()) continue;  // woken by Wake: poll for the job
        }
        seen = generation_;
        job = job_;
        --job_helpers_;
        ++job->active_workers;
        slot = job->next_slot++;
      }
      Work(*job, slot);
      {
        std::lock_guard<std::mutex> lock(mutex_);
        --job->active_workers;
        job->finished.fetch_add(1, std::memory_order_release);
      }
      done_.notify_all();
    }
  }

  std::vector<std::thread> threads_;
  std::mutex job_mutex_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable done_;
  Job* job_ = nullptr;
  size_t job_helpers_ = 0;
  std::atomic<uint64_t> generation_{0};  // written under mutex_, polled without it
  bool stop_ = false;
  std::atomic<int64_t> poll_until_{0};  // Wake's: workers poll until then (Clock ticks)
  std::atomic<size_t> sleeping_{0};     // workers waiting on wake_; written under mutex_
  uint64_t wakes_ = 0;                  // Wake calls that found a worker asleep; under mutex_
};

std::atomic<Pool*> shared_pool{nullptr};
std::mutex shared_pool_mutex;

// After fork() the child has none of the parent's worker threads: it starts a pool of its own
// on first use (Python's DataLoader workers and multiprocessing fork a process that has
// already encoded). The parent's pool object is abandoned in the child, never used.
void ForgetPoolInChild() { shared_pool.store(nullptr); }

Pool& SharedPool() {
  Pool* pool = shared_pool.load();
  if (pool != nullptr) return *pool;
  std::lock_guard<std::mutex> lock(shared_pool_mutex);
  pool = shared_pool.load();
  if (pool == nullptr) {
    static const int registered = pthread_atfork(nullptr, nullptr, ForgetPoolInChild);
    (void)registered;
    // Leaked on purpose: worker threads must not be joined during static destruction.
    pool = new Pool(DefaultThreadCount() - 1);
    shared_pool.store(pool);
  }
  return *pool;
}

}  // namespace

size_t DefaultThreadCount() {
  if (const char* env = std::getenv("XVAL_NUM_THREADS")) {
    const long n = std::strtol(env, nullptr, 10);
    if (n > 0) return static_cast<size_t>(n);
  }
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : hw;
}

void ParallelForSlots(size_t n, size_t grain, const SlotFn& fn, size_t max_threads) {
  if (n == 0) return;
  if (grain == 0) grain = 1;
  if (max_threads == 0) max_threads = DefaultThreadCount();
  const size_t chunks = (n + grain - 1) / grain;
  if (tls_inside_worker || max_threads <= 1 || chunks <= 1) {
    fn(0, 0, n);
    return;
  }
  Pool& pool = SharedPool();
  const size_t helpers = std::min({pool.workers(), max_threads - 1, chunks - 1});
  if (helpers == 0) {
    fn(0, 0, n);
    return;
  }
  pool.Run(n, grain, fn, helpers);
}

void ParallelForStriped(size_t n, const SlotFn& fn, size_t max_threads) {
  const size_t slots = std::min(ParallelSlots(max_threads), n);
  if (n >> 32 != 0) {  // ranks are packed in 32 bits
    ParallelForSlots(n, 1, fn, max_threads);
    return;
  }
  if (slots <= 1) {
    for (size_t i = 0; i < n; ++i) fn(0, i, i + 1);
    return;
  }
  // Per slot, the range [begin, end) of its own items' ranks (item = rank * slots + slot),
  // packed in one word: the owner takes from the front, the others from the back.
  // Each on a cache line of its own: the owner takes from its range for every item, and two
  // ranges on one line would bounce it between the cores.
  struct alignas(64) Range {
    std::atomic<uint64_t> word;
  };
  std::vector<Range> ranges(slots);
  for (size_t s = 0; s < slots; ++s) {
    const uint64_t count = (n - s + slots - 1) / slots;
    ranges[s].word.store(count << 32);
  }
  auto take = [&](size_t owner, bool front, size_t* item) {
    uint64_t r = ranges[owner].word.load(std::memory_order_relaxed);
    for (;;) {
      const uint64_t begin = r & 0xFFFFFFFFu, end = r >> 32;
      if (begin >= end) return false;
      const uint64_t next = front ? (end << 32) | (begin + 1) : ((end - 1) << 32) | begin;
      if (ranges[owner].word.compare_exchange_weak(r, next, std::memory_order_relaxed)) {
        *item = (front ? begin : end - 1) * slots + owner;
        return true;
      }
    }
  };
  ParallelForSlots(
      slots, 1,
      [&](size_t slot, size_t, size_t) {
        size_t item;
        while (take(slot, true, &item)) fn(slot, item, item + 1);
        for (size_t k = 1; k < slots; ++k) {
          while (take((slot + k) % slots, false, &item)) fn(slot, item, item + 1);
        }
      },
      slots);
}

void WakeWorkers(size_t max_threads) {
  if (ParallelSlots(max_threads) > 1) SharedPool().Wake();
}

size_t ParallelSlots(size_t max_threads) {
  if (max_threads == 0) max_threads = DefaultThreadCount();
  if (max_threads <= 1 || tls_inside_worker) return 1;
  return std::min(max_threads, SharedPool().workers() + 1);
}

void ParallelFor(size_t n, size_t grain, const std::function<void(size_t, size_t)>& fn,
                 size_t max_threads) {
  ParallelForSlots(
      n, grain, [&fn](size_t, size_t begin, size_t end) { fn(begin, end); }, max_threads);
}

}  // namespace xval::util
