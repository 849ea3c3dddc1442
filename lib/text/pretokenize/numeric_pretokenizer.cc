// Hugging Face's Digits pre-tokenizer: numeric characters (Rust's char::is_numeric, the N
// categories) stand apart from the rest, each alone or in runs.
#include "text/pretokenize/numeric_pretokenizer.h"

#include "text/pretokenize/scanner_cursor.h"

namespace xval::text {
namespace {

class NumericPreTokenizer : public PreTokenizer {
 public:
  explicit NumericPreTokenizer(bool individual) : individual_(individual) {}

  void Split(absl::string_view text, std::vector<uint32_t>* ends) const override {
    const ScanCursor cur(text);
    size_t pos = 0;
    while (pos < cur.size()) {
      const ScannedChar c = cur.At(pos);
      if (c.cls == kNumber) {
        pos = individual_ ? pos + c.len : cur.RunWhile(pos, Bit(kNumber));
      } else {
        pos = cur.RunWhile(pos, ~Bit(kNumber));
      }
      ends->push_back(static_cast<uint32_t>(pos));
    }
  }

 private:
  bool individual_;
};

}  // namespace

std::unique_ptr<PreTokenizer> MakeNumericPreTokenizer(bool individual_digits) {
  return std::make_unique<NumericPreTokenizer>(individual_digits);
}

}  // namespace xval::text
