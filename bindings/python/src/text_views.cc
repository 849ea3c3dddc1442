#include "text_views.h"

#include <Python.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <new>
#include <string>
#include <utility>

#include "text/utf8_encode.h"
#include "util/page_advice.h"
#include "util/thread_pool.h"

namespace py = pybind11;

namespace xval::python {
namespace {

// CPython's own UTF-8 form of a str, read from the object without making one, and the str's
// code points, are CPython's internals (the struct fields of cpython/unicodeobject.h); in
// builds where reading them is not safe (the limited API, free threading, where another thread
// may be filling the field) every str goes through PyUnicode_AsUTF8AndSize.
#if !defined(Py_LIMITED_API) && !defined(Py_GIL_DISABLED)
#define XVAL_ENCODE_STR_HERE 1

// Below this many code points CPython's encoder takes well under a millisecond.
constexpr Py_ssize_t kEncodeHereFrom = Py_ssize_t{1} << 16;

// The most recent long str encoded here and its UTF-8, both held until a later one replaces
// them or the str's other references are gone. Read and written under the GIL.
struct LastEncoded {
  PyObject* text = nullptr;  // a strong reference
  std::shared_ptr<const LargeArray<char>> utf8;

  // Holds `new_text` (null: nothing) and its UTF-8. Both fields change before the old str's
  // reference is dropped: that may run Python code (a str subclass's __del__) that encodes,
  // and so calls this again, which must find the two fields agreeing.
  void Hold(PyObject* new_text, std::shared_ptr<const LargeArray<char>> new_utf8) {
    Py_XINCREF(new_text);
    PyObject* old = text;
    text = new_text;
    utf8 = std::move(new_utf8);
    Py_XDECREF(old);
  }
};
LastEncoded& Last() {
  static auto* last = new LastEncoded;  // never destroyed: it may outlive the interpreter
  return *last;
}

// CPython's UTF-8 form of a non-ASCII str when it keeps one, else an empty view.
absl::string_view CachedUtf8(PyObject* text) {
  const auto* compact = reinterpret_cast<const PyCompactUnicodeObject*>(text);
  if (compact->utf8 == nullptr) return {};
  return {compact->utf8, static_cast<size_t>(compact->utf8_length)};
}

// From this many code points a str is encoded by several threads, each a stretch of it.
constexpr size_t kEncodeOnThreadsFrom = size_t{1} << 20;

// EncodeUtf8 a chunk of code points at a time into `out` (room for `room` bytes, which the
// code points' UTF-8 fits), the fresh pages of each chunk's room faulted in before it is
// written (util::PrefaultAhead).
template <class Unit>
bool EncodeUtf8Prefaulted(const Unit* in, size_t n, char* out, size_t room, size_t* written) {
  constexpr size_t kUnits = size_t{1} << 16;
  util::PrefaultAhead prefault;
  size_t at = 0;
  for (size_t i = 0; i < n; i += kUnits) {
    const size_t k = std::min(kUnits, n - i);
    prefault.Reach(out, room, at + text::MaxUtf8Bytes(k, sizeof(Unit)));
    size_t chunk = 0;
    if (!text::EncodeUtf8(in + i, k, out + at, &chunk)) return false;
    at += chunk;
  }
  *written = at;
  return true;
}

// The UTF-8 of in[0, n) in `out`, or false when a code point has none. On `slots` threads,
// each a stretch: first each stretch's length, then each written in its place (a first call's
// cost is mostly the fresh pages it writes, which the threads then fault in side by side).
template <class Unit>
bool EncodeUtf8Into(const Unit* in, size_t n, size_t slots, LargeArray<char>& out) {
  if (slots <= 1 || n < kEncodeOnThreadsFrom) {
    // Sized for the worst case without touching it: a large array's pages are only mapped
    // where the encoder writes.
    out.resize(text::MaxUtf8Bytes(n, sizeof(Unit)));
    size_t written = 0;
    if (!EncodeUtf8Prefaulted(in, n, out.data(), out.size(), &written)) return false;
    out.resize(written);
    return true;
  }
  auto stretch_begin = [&](size_t s) { return n / slots * s; };
  auto stretch_end = [&](size_t s) { return s + 1 == slots ? n : stretch_begin(s + 1); };
  std::vector<size_t> at(slots + 1, 0);  // stretch s's bytes: [at[s], at[s + 1])
  util::ParallelForSlots(
      slots, 1,
      [&](size_t, size_t s, size_t) {
        at[s + 1] = text::Utf8Length(in + stretch_begin(s), stretch_end(s) - stretch_begin(s));
      },
      slots);
  for (size_t s = 0; s < slots; ++s) at[s + 1] += at[s];
  out.resize(at[slots]);  // not written (LargeArray default-initializes)
  std::atomic<bool> ok{true};
  util::ParallelForSlots(
      slots, 1,
      [&](size_t, size_t s, size_t) {
        size_t written = 0;
        if (!EncodeUtf8Prefaulted(in + stretch_begin(s), stretch_end(s) - stretch_begin(s),
                                  out.data() + at[s], at[s + 1] - at[s], &written) ||
            written != at[s + 1] - at[s]) {
          ok.store(false, std::memory_order_relaxed);
        }
      },
      slots);
  return ok.load();
}

// The UTF-8 of a str's code points, or nullptr when one has no UTF-8 form (a surrogate).
std::shared_ptr<const LargeArray<char>> EncodeHere(PyObject* text, size_t threads) {
  const size_t n = static_cast<size_t>(PyUnicode_GET_LENGTH(text));
  const int kind = PyUnicode_KIND(text);
  const void* data = PyUnicode_DATA(text);
  auto utf8 = std::make_shared<LargeArray<char>>();
  const size_t slots = util::ParallelSlots(threads);
  bool ok = false;
  {
    // A str never changes; this reference keeps it alive should the caller's list lose it.
    const py::object keep = py::reinterpret_borrow<py::object>(text);
    py::gil_scoped_release release;
    if (kind == PyUnicode_1BYTE_KIND) {
      ok = EncodeUtf8Into(static_cast<const uint8_t*>(data), n, slots, *utf8);
    } else if (kind == PyUnicode_2BYTE_KIND) {
      ok = EncodeUtf8Into(static_cast<const uint16_t*>(data), n, slots, *utf8);
    } else {
      ok = EncodeUtf8Into(static_cast<const uint32_t*>(data), n, slots, *utf8);
    }
  }
  if (!ok) return nullptr;
  return utf8;
}
#endif  // !Py_LIMITED_API && !Py_GIL_DISABLED

// A text's view read from its object's fields alone, constructed at `view` (raw storage), or
// false when it needs CPython's API (or is neither str nor bytes). Needs no GIL of its own while
// the thread that holds it waits: nothing changes a str or bytes object meanwhile.
bool ReadView(PyObject* t, absl::string_view* view) {
  if (PyBytes_Check(t)) {
    new (view) absl::string_view(PyBytes_AS_STRING(t), static_cast<size_t>(PyBytes_GET_SIZE(t)));
    return true;
  }
  if (!PyUnicode_Check(t)) return false;
  // An ASCII str holds its UTF-8 bytes as they are: no call, no cache to look up.
  if (PyUnicode_IS_COMPACT_ASCII(t)) {
    new (view) absl::string_view(static_cast<const char*>(PyUnicode_DATA(t)),
                                 static_cast<size_t>(PyUnicode_GET_LENGTH(t)));
    return true;
  }
#ifdef XVAL_ENCODE_STR_HERE
#if PY_VERSION_HEX < 0x030C0000
  if (!PyUnicode_IS_READY(t)) return false;  // a str of the old API: PyUnicode_READY first
#endif
  if (const absl::string_view cached = CachedUtf8(t); cached.data() != nullptr) {
    new (view) absl::string_view(cached);
    return true;
  }
#endif
  return false;
}

// Reads the views of items [begin, end) that need no API call, and appends the others' indices
// to *left.
void ReadViews(PyObject* const* items, size_t begin, size_t end, absl::string_view* views,
               std::vector<size_t>* left) {
  // The str objects lie scattered over the heap, and a batch's encoding has evicted them: each
  // is a cache miss, so the ones a few dozen items ahead are fetched while this one is read,
  // both lines a header may straddle (its type at 8 bytes, its state at 32; one line 8 items
  // ahead was slower: docs/benchmarks-bytelevel.md, issue 22's tenth pass).
  constexpr size_t kAhead = 32;
  for (size_t i = begin; i < end; ++i) {
    if (i + kAhead < end) {
      const char* ahead = reinterpret_cast<const char*>(items[i + kAhead]);
      __builtin_prefetch(ahead);
      __builtin_prefetch(ahead + 32);
    }
    if (!ReadView(items[i], &views[i])) left->push_back(i);
  }
}

}  // namespace

TextViews::TextViews(const py::sequence& texts, size_t threads) : threads_(threads) {
  // A str is a sequence too (of its characters): encoding each character is never what was
  // meant.
  if (py::isinstance<py::str>(texts) || py::isinstance<py::bytes>(texts)) {
    throw py::type_error(
        "texts must be a list of str, not a single str: use encode() for one text");
  }
#ifdef XVAL_ENCODE_STR_HERE
  // The held str that only this held any more is let go.
  LastEncoded& last = Last();
  if (last.text != nullptr && Py_REFCNT(last.text) == 1) last.Hold(nullptr, nullptr);
#endif
  if (!PyList_Check(texts.ptr())) {
    // Any other sequence, item by item (its iteration may give another count than its len()).
    std::vector<absl::string_view> views;
    views.reserve(texts.size());
    for (py::handle t : texts) views.push_back(ViewOf(t.ptr()));
    storage_.reset(new std::byte[views.size() * sizeof(absl::string_view)]);
    size_ = views.size();
    for (size_t i = 0; i < size_; ++i) new (view(i)) absl::string_view(views[i]);
    return;
  }
  // A list, the common case: read without a new reference per item, a long one by several
  // threads at once (they only read objects' fields; this thread holds the GIL throughout),
  // then what needs CPython's API here, in order, so that the first bad item is the one that
  // raises.
  PyObject* const* items = reinterpret_cast<PyListObject*>(texts.ptr())->ob_item;
  const size_t n = static_cast<size_t>(PyList_GET_SIZE(texts.ptr()));
  // Not zeroed: every view is constructed below, by ReadViews or ViewOf.
  storage_.reset(new std::byte[n * sizeof(absl::string_view)]);
  size_ = n;
  constexpr size_t kChunk = 4096;
#ifdef XVAL_ENCODE_STR_HERE
  const size_t slots = n >= 4 * kChunk ? util::ParallelSlots(threads) : 1;
  // The workers, likely asleep since the last call, are woken first: a wake takes about as
  // long as a few thousand headers' reads, which the caller would otherwise do alone.
  if (slots > 1) util::WakeWorkers(slots);
#else
  const size_t slots = 1;  // without the GIL, other threads run meanwhile
  (void)threads;
#endif
  std::vector<std::vector<size_t>> left(slots);
  util::ParallelForSlots(
      n, kChunk,
      [&](size_t slot, size_t begin, size_t end) {
        ReadViews(items, begin, end, view(0), &left[slot]);
      },
      slots);
  std::vector<size_t> all_left;
  for (const std::vector<size_t>& l : left) all_left.insert(all_left.end(), l.begin(), l.end());
  std::sort(all_left.begin(), all_left.end());
  for (const size_t i : all_left) {
    // Encoding a long str here lets go of the GIL, and another thread may change the list.
    if (i >= static_cast<size_t>(PyList_GET_SIZE(texts.ptr()))) {
      throw py::value_error("texts: the list changed size while it was read");
    }
    new (view(i)) absl::string_view(ViewOf(PyList_GET_ITEM(texts.ptr(), i)));
  }
}

absl::string_view TextViews::ViewOf(PyObject* t) {
  if (absl::string_view view; ReadView(t, &view)) return view;
  if (!PyUnicode_Check(t)) {
    throw py::type_error(std::string("texts must be a sequence of str (or bytes), not of ") +
                         Py_TYPE(t)->tp_name);
  }
#ifdef XVAL_ENCODE_STR_HERE
#if PY_VERSION_HEX < 0x030C0000
  if (PyUnicode_READY(t) != 0) throw py::error_already_set();  // a str of the old API
  if (absl::string_view view; ReadView(t, &view)) return view;
#endif
  if (PyUnicode_GET_LENGTH(t) >= kEncodeHereFrom) {
    LastEncoded& last = Last();
    std::shared_ptr<const LargeArray<char>> utf8 =
        last.text == t ? last.utf8 : EncodeHere(t, threads_);
    if (utf8 != nullptr) {
      if (last.text != t) last.Hold(t, utf8);
      held_.push_back(utf8);
      return absl::string_view(utf8->data(), utf8->size());
    }
    // A code point without a UTF-8 form: CPython's encoder raises the error str.encode would.
  }
#endif
  Py_ssize_t size = 0;
  const char* data = PyUnicode_AsUTF8AndSize(t, &size);
  if (data == nullptr) throw py::error_already_set();
  return absl::string_view(data, static_cast<size_t>(size));
}

}  // namespace xval::python
