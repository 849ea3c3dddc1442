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

  void Split(PieceList* pieces) const override {
    const AlignedText& in = *pieces->text;
    const auto& alphabet = ByteAlphabet();
    AlignedText t;
    t.text.reserve(in.text.size() * 2);
    t.from.reserve(in.text.size() * 2);
    std::vector<Range> out;
    std::string bytes;  // the piece, with the prefix space
    std::vector<Offset> spans;
    std::vector<uint32_t> ends;
    for (const Range r : pieces->ranges) {
      bytes.clear();
      spans.clear();
      if (add_prefix_space_ && in.text[r.begin] != ' ') {
        bytes.push_back(' ');
        spans.push_back(in.Span(r.begin, r.begin + 1));
      }
      bytes.append(in.text, r.begin, r.end - r.begin);
      spans.insert(spans.end(), in.from.begin() + r.begin, in.from.begin() + r.end);
      ends.clear();
      if (gpt2_ != nullptr) {
        gpt2_->Split(bytes, &ends);
      } else {
        ends.push_back(static_cast<uint32_t>(bytes.size()));
      }
      uint32_t begin = 0;
      for (const uint32_t end : ends) {
        const auto at = static_cast<uint32_t>(t.text.size());
        for (uint32_t i = begin; i < end; ++i) {
          t.Append(alphabet[static_cast<unsigned char>(bytes[i])], spans[i]);
        }
        out.push_back(Range{at, static_cast<uint32_t>(t.text.size())});
        begin = end;
      }
    }
    pieces->ranges.swap(out);
    pieces->Replace(std::move(t));
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
