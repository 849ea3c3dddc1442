// Scratch memory that belongs to one call: reused from call to call (fresh memory costs a page
// fault per 4 KiB, and growing a vector costs copies), but never reachable by two calls at once.
//
// ThreadScratch<T> leases a T from a stack kept per thread, for the lease's scope. A call nested
// on the same thread (an xVal tokenizer over another xVal tokenizer, a tokenizer run from inside
// a pool task) leases a different T, so it cannot clobber the outer call's; another thread has
// its own stack. The T keeps its contents from its last lease: clear it before use.
//
// ScratchPool<T> is shared by every thread: a call checks out the T's its pool tasks fill, and
// returns them when it has copied out of them, so another caller's tasks never touch them.
#ifndef XVAL_UTIL_SCRATCH_H_
#define XVAL_UTIL_SCRATCH_H_

#include <cstddef>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace xval::util {

template <class T>
class ThreadScratch {
 public:
  ThreadScratch() {
    std::vector<std::unique_ptr<T>>& free = FreeList();
    if (free.empty()) {
      object_ = std::make_unique<T>();
    } else {
      object_ = std::move(free.back());
      free.pop_back();
    }
  }
  ~ThreadScratch() { FreeList().push_back(std::move(object_)); }
  ThreadScratch(const ThreadScratch&) = delete;
  ThreadScratch& operator=(const ThreadScratch&) = delete;

  T& operator*() const { return *object_; }
  T* operator->() const { return object_.get(); }

 private:
  static std::vector<std::unique_ptr<T>>& FreeList() {
    thread_local std::vector<std::unique_ptr<T>> free;
    return free;
  }
  std::unique_ptr<T> object_;
};

template <class T>
class ScratchPool {
 public:
  // Takes `n` objects out of the pool (new ones when it has too few).
  std::vector<std::unique_ptr<T>> CheckOut(size_t n) {
    std::vector<std::unique_ptr<T>> out;
    out.reserve(n);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      while (out.size() < n && !free_.empty()) {
        out.push_back(std::move(free_.back()));
        free_.pop_back();
      }
    }
    while (out.size() < n) out.push_back(std::make_unique<T>());
    return out;
  }
  // Gives objects back; beyond `keep` in the pool they are freed (memory stays bounded when
  // many callers ran at once).
  void Return(std::vector<std::unique_ptr<T>> objects, size_t keep) {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& o : objects) {
      if (free_.size() >= keep) break;
      free_.push_back(std::move(o));
    }
  }

 private:
  std::mutex mutex_;
  std::vector<std::unique_ptr<T>> free_;
};

}  // namespace xval::util

#endif  // XVAL_UTIL_SCRATCH_H_
