// tiktoken's calls on byte-level BPE tokenizers (xval/tiktoken.h).
#include "absl/strings/str_cat.h"
#include "text/bytelevel/bytelevel_tokenizer.h"
#include "xval/tiktoken.h"

namespace xval {
namespace {

absl::StatusOr<const text::ByteLevelTokenizer*> ByteLevel(const Tokenizer& tokenizer,
                                                          absl::string_view call) {
  const auto* t = dynamic_cast<const text::ByteLevelTokenizer*>(&tokenizer);
  if (t == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(call,
                     " is tiktoken's call for byte-level BPE tokenizers (.tiktoken, byte-level "
                     "tokenizer.json, tekken); this tokenizer is not one"));
  }
  return t;
}

text::SpecialSet ToSet(const SpecialTokenSet& s) {
  text::SpecialSet out;
  out.all = s.all;
  out.tokens.insert(s.tokens.begin(), s.tokens.end());
  return out;
}

}  // namespace

absl::StatusOr<std::vector<int32_t>> EncodeWithSpecialSets(const Tokenizer& tokenizer,
                                                           absl::string_view text,
                                                           const SpecialTokenSet& allowed,
                                                           const SpecialTokenSet& disallowed) {
  auto t = ByteLevel(tokenizer, "encode with allowed_special / disallowed_special");
  if (!t.ok()) return t.status();
  return (*t)->EncodeIds(text, ToSet(allowed), ToSet(disallowed));
}

absl::StatusOr<std::string> DecodeBytes(const Tokenizer& tokenizer, absl::Span<const int32_t> ids) {
  auto t = ByteLevel(tokenizer, "decode_bytes");
  if (!t.ok()) return t.status();
  return (*t)->DecodeBytes(ids);
}

}  // namespace xval
