// libsentencepiece, the reference implementation, behind a plain-std interface: its header
// defines absl::string_view as std::string_view, which clashes with Debian's Abseil, so it is
// included in spm_reference.cc alone.
#ifndef XVAL_TESTS_SUPPORT_SPM_REFERENCE_H_
#define XVAL_TESTS_SUPPORT_SPM_REFERENCE_H_

#include <memory>
#include <string>
#include <vector>

namespace xval::testing {

class SpmReference {
 public:
  // Returns nullptr and sets *error when the model cannot be loaded.
  static std::unique_ptr<SpmReference> Load(const std::string& path, std::string* error);
  ~SpmReference();

  std::vector<int> Encode(const std::string& text) const;
  std::vector<std::string> EncodePieces(const std::string& text) const;
  std::string Decode(const std::vector<int>& ids) const;
  int vocab_size() const;

 private:
  SpmReference();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace xval::testing

#endif  // XVAL_TESTS_SUPPORT_SPM_REFERENCE_H_
