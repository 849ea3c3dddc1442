#include "text/added_tokens.h"

#include <unicode/uchar.h>

#include <algorithm>
#include <cctype>
#include <functional>

#include "util/utf8.h"

namespace xval::text {

absl::Status AppendAddedTokens(absl::Span<const AddedToken> tokens, const Tokenizer& tokenizer,
                               std::vector<AddedToken>* added) {
  for (AddedToken t : tokens) {
    if (t.content.empty()) return absl::InvalidArgumentError("an added token must not be empty");
    bool present = false;
    for (const AddedToken& a : *added) present |= a.content == t.content;
    if (present) continue;
    auto id = tokenizer.PieceToId(t.content);
    t.id = id.ok() ? *id : tokenizer.vocab_size();
    added->push_back(std::move(t));
  }
  return absl::OkStatus();
}

std::vector<AddedToken> NonSpecial(const std::vector<AddedToken>& tokens) {
  std::vector<AddedToken> plain;
  for (const AddedToken& t : tokens) {
    if (!t.special) plain.push_back(t);
  }
  return plain;
}

AddedTokenMatcher::AddedTokenMatcher(const std::vector<AddedToken>& tokens) {
  for (const AddedToken& t : tokens) {
    if (t.content.empty()) continue;
    // The first of two tokens with one content wins, as before.
    if (!by_content_.emplace(t.content, tokens_.size()).second) continue;
    tokens_.push_back(t);
    const auto first = static_cast<unsigned char>(t.content[0]);
    first_byte_[first] = true;
    longest_by_first_byte_[first] = static_cast<uint16_t>(
        std::min<size_t>(65535, std::max<size_t>(longest_by_first_byte_[first], t.content.size())));
    lengths_.push_back(t.content.size());
    if (t.content.size() == 1) {
      for (int b = 0; b < 256; ++b) starts_[first * 256 + b] = true;
    } else {
      starts_[first * 256 + static_cast<unsigned char>(t.content[1])] = true;
    }
  }
  std::sort(lengths_.begin(), lengths_.end(), std::greater<size_t>());
  lengths_.erase(std::unique(lengths_.begin(), lengths_.end()), lengths_.end());
  for (int b = 0; b < 256; ++b) {
    if (!first_byte_[b]) continue;
    if (num_scanned_ < kMaxScanned) scanned_[num_scanned_] = static_cast<unsigned char>(b);
    ++num_scanned_;
  }
  if (num_scanned_ > kMaxScanned) num_scanned_ = 0;  // byte by byte
  for (const AddedToken& t : tokens_) {
    if (t.content.size() < 2) {
      pairs_.count = 0;
      break;
    }
    const auto first = static_cast<unsigned char>(t.content[0]);
    const auto second = static_cast<unsigned char>(t.content[1]);
    bool known = false;
    for (size_t k = 0; k < pairs_.count && k < BytePairs::kMax; ++k) {
      known |= pairs_.first[k] == first && pairs_.second[k] == second;
    }
    if (known) continue;
    if (pairs_.count < BytePairs::kMax) {
      pairs_.first[pairs_.count] = first;
      pairs_.second[pairs_.count] = second;
    }
    ++pairs_.count;
  }
  if (pairs_.count > BytePairs::kMax) pairs_.count = 0;
}

const AddedToken* AddedTokenMatcher::LongestAt(absl::string_view text, size_t pos) const {
  const absl::string_view rest = text.substr(pos);
  // The first two bytes, before a hash lookup per length ("<<" in math text is no "<|...").
  const size_t second = rest.size() > 1 ? static_cast<unsigned char>(rest[1]) : 0;
  if (rest.size() > 1 && !starts_[static_cast<unsigned char>(rest[0]) * 256 + second]) {
    return nullptr;
  }
  const size_t longest = longest_by_first_byte_[static_cast<unsigned char>(rest[0])];
  for (const size_t len : lengths_) {
    if (len > rest.size() || (len > longest && longest < 65535)) continue;
    auto it = by_content_.find(rest.substr(0, len));
    if (it != by_content_.end()) return &tokens_[it->second];
  }
  return nullptr;
}

}  // namespace xval::text

namespace xval::text {
namespace {

// Rust's regex `\w`, which Hugging Face's single_word test uses: Alphabetic, marks, decimal
// digits, connector punctuation and the joiners.
bool IsWordChar(char32_t c) {
  if (c < 0x80) return std::isalnum(static_cast<int>(c)) || c == '_';
  return u_hasBinaryProperty(static_cast<UChar32>(c), UCHAR_ALPHABETIC) ||
         (U_GET_GC_MASK(c) & (U_GC_M_MASK | U_GC_ND_MASK | U_GC_PC_MASK)) != 0 || c == 0x200C ||
         c == 0x200D;
}

}  // namespace

namespace {

// Unicode White_Space (Rust's char::is_whitespace, the regex crate's \s), or with `ascii`
// C's isspace.
bool IsWhiteSpace(char32_t c, bool ascii) {
  if (c < 0x80) return c == ' ' || (c >= '\t' && c <= '\r');
  return !ascii && u_isUWhiteSpace(c);
}

}  // namespace

size_t AddedTokenMatcher::SpaceRunStart(absl::string_view text, size_t begin, size_t end,
                                        bool ascii) {
  while (end > begin) {
    size_t start = end - 1;  // back to the first byte of the character before end
    while (start > begin && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) --start;
    size_t len = 0;
    const char32_t c = util::DecodeUtf8(text.data() + start, end - start, &len);
    if (len != end - start || !IsWhiteSpace(c, ascii)) break;
    end = start;
  }
  return end;
}

size_t AddedTokenMatcher::SpaceRunEnd(absl::string_view text, size_t pos, bool ascii) {
  while (pos < text.size()) {
    size_t len = 0;
    const char32_t c = util::DecodeUtf8(text.data() + pos, text.size() - pos, &len);
    if (!IsWhiteSpace(c, ascii)) break;
    pos += len;
  }
  return pos;
}

bool AddedTokenMatcher::SingleWordAt(absl::string_view text, size_t begin, size_t end) {
  size_t len;
  if (begin > 0) {
    size_t start = begin - 1;
    while (start > 0 && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) --start;
    if (IsWordChar(util::DecodeUtf8(text.data() + start, text.size() - start, &len))) return false;
  }
  return end >= text.size() ||
         !IsWordChar(util::DecodeUtf8(text.data() + end, text.size() - end, &len));
}

}  // namespace xval::text
