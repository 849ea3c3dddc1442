#include "text_views.h"

#include <Python.h>

#include <cstdint>
#include <string>
#include <utility>

#include "text/utf8_encode.h"

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

// The UTF-8 of a str's code points, or nullptr when one has no UTF-8 form (a surrogate).
std::shared_ptr<const LargeArray<char>> EncodeHere(PyObject* text) {
  const size_t n = static_cast<size_t>(PyUnicode_GET_LENGTH(text));
  const int kind = PyUnicode_KIND(text);
  const void* data = PyUnicode_DATA(text);
  auto utf8 = std::make_shared<LargeArray<char>>();
  // Sized for the worst case without touching it: a large array's pages are only mapped where
  // the encoder writes.
  utf8->resize(text::MaxUtf8Bytes(n, kind));
  size_t written = 0;
  bool ok = false;
  {
    // A str never changes; this reference keeps it alive should the caller's list lose it.
    const py::object keep = py::reinterpret_borrow<py::object>(text);
    py::gil_scoped_release release;
    if (kind == PyUnicode_1BYTE_KIND) {
      ok = text::EncodeUtf8(static_cast<const uint8_t*>(data), n, utf8->data(), &written);
    } else if (kind == PyUnicode_2BYTE_KIND) {
      ok = text::EncodeUtf8(static_cast<const uint16_t*>(data), n, utf8->data(), &written);
    } else {
      ok = text::EncodeUtf8(static_cast<const uint32_t*>(data), n, utf8->data(), &written);
    }
  }
  if (!ok) return nullptr;
  utf8->resize(written);
  return utf8;
}
#endif  // !Py_LIMITED_API && !Py_GIL_DISABLED

}  // namespace

TextViews::TextViews(const py::sequence& texts) {
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
  views_.reserve(texts.size());
  if (PyList_Check(texts.ptr())) {  // the common case, without a new reference per item
    // The str objects lie scattered over the heap, and a batch's encoding has evicted them:
    // each is a cache miss, so the ones a few dozen items ahead are fetched while this one is
    // read, both lines a header may straddle (its type at 8 bytes, its state at 32). One line,
    // 8 items ahead, took twice as long over a batch of 71k lines.
    constexpr Py_ssize_t kAhead = 32;
    const Py_ssize_t n = PyList_GET_SIZE(texts.ptr());
    for (Py_ssize_t i = 0; i < n; ++i) {
      if (i + kAhead < n) {
        const char* ahead = reinterpret_cast<const char*>(PyList_GET_ITEM(texts.ptr(), i + kAhead));
        __builtin_prefetch(ahead);
        __builtin_prefetch(ahead + 32);
      }
      Add(PyList_GET_ITEM(texts.ptr(), i));
    }
  } else {
    for (py::handle t : texts) Add(t.ptr());
  }
}

void TextViews::Add(PyObject* t) {
  if (PyBytes_Check(t)) {
    views_.emplace_back(PyBytes_AS_STRING(t), static_cast<size_t>(PyBytes_GET_SIZE(t)));
    return;
  }
  if (!PyUnicode_Check(t)) {
    throw py::type_error(std::string("texts must be a sequence of str (or bytes), not of ") +
                         Py_TYPE(t)->tp_name);
  }
  // An ASCII str holds its UTF-8 bytes as they are: no call, no cache to look up.
  if (PyUnicode_IS_COMPACT_ASCII(t)) {
    views_.emplace_back(static_cast<const char*>(PyUnicode_DATA(t)),
                        static_cast<size_t>(PyUnicode_GET_LENGTH(t)));
    return;
  }
#ifdef XVAL_ENCODE_STR_HERE
#if PY_VERSION_HEX < 0x030C0000
  if (PyUnicode_READY(t) != 0) throw py::error_already_set();  // a str of the old API
#endif
  if (const absl::string_view cached = CachedUtf8(t); cached.data() != nullptr) {
    views_.push_back(cached);
    return;
  }
  if (PyUnicode_GET_LENGTH(t) >= kEncodeHereFrom) {
    LastEncoded& last = Last();
    std::shared_ptr<const LargeArray<char>> utf8 = last.text == t ? last.utf8 : EncodeHere(t);
    if (utf8 != nullptr) {
      if (last.text != t) last.Hold(t, utf8);
      views_.emplace_back(utf8->data(), utf8->size());
      held_.push_back(std::move(utf8));
      return;
    }
    // A code point without a UTF-8 form: CPython's encoder raises the error str.encode would.
  }
#endif
  Py_ssize_t size = 0;
  const char* data = PyUnicode_AsUTF8AndSize(t, &size);
  if (data == nullptr) throw py::error_already_set();
  views_.emplace_back(data, static_cast<size_t>(size));
}

}  // namespace xval::python
