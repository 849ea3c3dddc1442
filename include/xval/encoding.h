// The one result type of every tokenizer in xval.
#ifndef XVAL_ENCODING_H_
#define XVAL_ENCODING_H_

#include <cstdint>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

namespace xval {

// A byte span [begin, end) into the text that was encoded.
struct Offset {
  uint32_t begin = 0;
  uint32_t end = 0;
  friend bool operator==(const Offset& a, const Offset& b) {
    return a.begin == b.begin && a.end == b.end;
  }
};

// ids, values and offsets always have the same length, one entry per token.
//  - ids: vocabulary ids.
//  - values: the number a [NUM] token stands for under xVal; 1.0 for every other token (so
//    that `embedding[id] * value` is the plain embedding).
//  - offsets: the bytes of the input each token covers. Tokens that add text which is not in
//    the input (BOS, EOS, the dummy-prefix space) have an empty span. The byte-fallback tokens
//    of one character all carry that character's span.
struct Encoding {
  std::vector<int32_t> ids;
  std::vector<float> values;
  std::vector<Offset> offsets;

  size_t size() const { return ids.size(); }
  void Clear() {
    ids.clear();
    values.clear();
    offsets.clear();
  }
  void Append(int32_t id, Offset offset, float value = 1.0f) {
    ids.push_back(id);
    values.push_back(value);
    offsets.push_back(offset);
  }
};

namespace internal {
// Memory for large arrays: mapped directly when large, 2 MiB-aligned (so that a table can be
// put on transparent huge pages), and kept when freed for the next array of about its size.
// Freed with FreeLarge and the same size.
void* AllocateLarge(size_t bytes);
void FreeLarge(void* p, size_t bytes);
}  // namespace internal

template <typename T>
struct LargeArrayAllocator {
  using value_type = T;
  LargeArrayAllocator() = default;
  template <typename U>
  LargeArrayAllocator(const LargeArrayAllocator<U>&) {}  // NOLINT: allocators convert
  T* allocate(size_t n) { return static_cast<T*>(internal::AllocateLarge(n * sizeof(T))); }
  void deallocate(T* p, size_t n) { internal::FreeLarge(p, n * sizeof(T)); }
  // resize() default-initializes, as `new U[n]` does: elements of arithmetic types are left as
  // they are (a large array's fresh pages are zero; a batch's arrays are written in full by the
  // threads that fill them, with no pass of zeros first), class types with default member
  // initializers still get them. Pass a value to fill with it.
  template <typename U>
  void construct(U* p) noexcept(std::is_nothrow_default_constructible<U>::value) {
    ::new (static_cast<void*>(p)) U;
  }
  template <typename U, typename... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
  friend bool operator==(const LargeArrayAllocator&, const LargeArrayAllocator&) { return true; }
  friend bool operator!=(const LargeArrayAllocator&, const LargeArrayAllocator&) { return false; }
};
template <typename T>
using LargeArray = std::vector<T, LargeArrayAllocator<T>>;

// Many encodings in one set of arrays, as a ragged tensor: text i has the tokens
// [row_splits[i], row_splits[i + 1]) of ids, values and offsets (offsets relative to text i).
struct BatchEncoding {
  LargeArray<int32_t> ids;
  LargeArray<float> values;
  LargeArray<Offset> offsets;
  std::vector<size_t> row_splits{0};  // one more than the number of texts

  size_t num_texts() const { return row_splits.size() - 1; }
};

}  // namespace xval

#endif  // XVAL_ENCODING_H_
