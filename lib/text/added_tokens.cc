#include "text/added_tokens.h"

#include <algorithm>
#include <functional>

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
  }
  std::sort(lengths_.begin(), lengths_.end(), std::greater<size_t>());
  lengths_.erase(std::unique(lengths_.begin(), lengths_.end()), lengths_.end());
}

const AddedToken* AddedTokenMatcher::LongestAt(absl::string_view text, size_t pos) const {
  const absl::string_view rest = text.substr(pos);
  const size_t longest = longest_by_first_byte_[static_cast<unsigned char>(rest[0])];
  for (const size_t len : lengths_) {
    if (len > rest.size() || (len > longest && longest < 65535)) continue;
    auto it = by_content_.find(rest.substr(0, len));
    if (it != by_content_.end()) return &tokens_[it->second];
  }
  return nullptr;
}

}  // namespace xval::text
