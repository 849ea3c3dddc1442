// The UTF-8 bytes of a batch of Python str (or bytes) objects, for an encode call that runs with
// the GIL released.
#ifndef XVAL_BINDINGS_PYTHON_TEXT_VIEWS_H_
#define XVAL_BINDINGS_PYTHON_TEXT_VIEWS_H_

#include <pybind11/pybind11.h>

#include <cstddef>
#include <memory>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "xval/encoding.h"

namespace xval::python {

// Views of the UTF-8 bytes of each text, valid while this object and the caller's sequence
// live. An ASCII str is its own UTF-8, and a str whose UTF-8 form CPython already keeps is read
// from there. A long str without it is encoded here (text/utf8_encode.h: vectors of ASCII at a
// time, several times faster than CPython's encoder, which a first call waits on), and the
// result is kept for the most recent such str only, with a reference to it, so that encoding
// the same str again costs nothing, as CPython's own cache would make it; the next long str
// encoded here, or the str's last other reference going, lets it go. Short ones go through
// PyUnicode_AsUTF8AndSize. A str that cannot be UTF-8 (a lone surrogate) raises CPython's
// UnicodeEncodeError.
//
// A long list is read by up to `threads` threads (0: all cores) at once, as the encode call that
// follows runs: the str objects' headers are each a cache miss, and on one thread reading them
// was a serial part of a parallel call. A very long str is encoded here by as many, each a
// stretch of it.
class TextViews {
 public:
  explicit TextViews(const pybind11::sequence& texts, size_t threads = 1);
  absl::Span<const absl::string_view> views() const {
    return absl::Span<const absl::string_view>(
        reinterpret_cast<const absl::string_view*>(storage_.get()), size_);
  }

 private:
  // Raises what CPython would for a text without a UTF-8 form, or a TypeError for neither str
  // nor bytes.
  absl::string_view ViewOf(PyObject* text);

  // The views live in raw storage, each constructed where it is read (as std::vector places
  // its elements): a vector's resize zeroed a batch's 16 bytes per text first, a serial pass
  // before the threads start reading.
  absl::string_view* view(size_t i) {
    return reinterpret_cast<absl::string_view*>(storage_.get()) + i;
  }

  size_t threads_;  // what a long str's encoding here may use
  std::unique_ptr<std::byte[]> storage_;  // size_ views, placed by the constructor
  size_t size_ = 0;
  std::vector<std::shared_ptr<const LargeArray<char>>> held_;  // encoded here, for this call
};

}  // namespace xval::python

#endif  // XVAL_BINDINGS_PYTHON_TEXT_VIEWS_H_
