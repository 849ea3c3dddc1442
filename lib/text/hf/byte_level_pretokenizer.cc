// The ByteLevel pre-tokenizer: a space before the text (add_prefix_space), GPT-2's pattern
// (use_regex), then each byte written as its character of GPT-2's byte alphabet.
#include "text/hf/byte_alphabet.h"
#include "text/hf/stages.h"
#include "text/pretokenize/pretokenizer.h"

namespace xval::text::hf {
namespace {

class ByteLevel : public PreTokenizer {
 public:
  ByteLevel(bool add_prefix_space, bool use_regex)
      : add_prefix_space_(add_prefix_space), gpt2_(use_regex ? text::MakeGpt2Scanner() : nullptr) {}

  void Split(const AlignedText& piece, std::vector<AlignedText>* out) const override {
    AlignedText t;
    if (add_prefix_space_ && !piece.text.empty() && piece.text[0] != ' ') {
      t.Append(" ", piece.Span(0, 1));
    }
    t.AppendSlice(piece, 0, piece.text.size());
    std::vector<uint32_t> ends;
    if (gpt2_ != nullptr) {
      gpt2_->Split(t.text, &ends);
    } else if (!t.text.empty()) {
      ends.push_back(static_cast<uint32_t>(t.text.size()));
    }
    const auto& alphabet = ByteAlphabet();
    uint32_t begin = 0;
    for (const uint32_t end : ends) {
      AlignedText p;
      for (uint32_t i = begin; i < end; ++i) {
        p.Append(alphabet[static_cast<unsigned char>(t.text[i])], t.from[i]);
      }
      out->push_back(std::move(p));
      begin = end;
    }
  }

 private:
  bool add_prefix_space_;
  std::unique_ptr<text::PreTokenizer> gpt2_;
};

}  // namespace

const std::array<std::string, 256>& ByteAlphabet() {
  // GPT-2's bytes_to_unicode: printable bytes stand for themselves, the others for U+0100
  // onwards in byte order.
  static const std::array<std::string, 256> table = [] {
    std::array<std::string, 256> t;
    char32_t next = 256;
    for (int b = 0; b < 256; ++b) {
      const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE;
      util::AppendUtf8(printable ? static_cast<char32_t>(b) : next++, &t[b]);
    }
    return t;
  }();
  return table;
}

PreTokenizerPtr MakeByteLevelPreTokenizer(const StageJson& json) {
  return std::unique_ptr<PreTokenizer>(new ByteLevel(OptBool(json.json, "add_prefix_space", true),
                                                     OptBool(json.json, "use_regex", true)));
}

}  // namespace xval::text::hf
