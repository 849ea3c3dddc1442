#include "text/added_tokens.h"

#include <algorithm>

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
    tokens_.push_back(t);
    first_byte_[static_cast<unsigned char>(t.content[0])] = true;
  }
  std::stable_sort(tokens_.begin(), tokens_.end(), [](const AddedToken& a, const AddedToken& b) {
    return a.content.size() > b.content.size();
  });
}

const AddedToken* AddedTokenMatcher::LongestAt(absl::string_view text, size_t pos) const {
  const absl::string_view rest = text.substr(pos);
  for (const AddedToken& t : tokens_) {
    if (rest.size() >= t.content.size() && rest.compare(0, t.content.size(), t.content) == 0) {
      return &t;
    }
  }
  return nullptr;
}

}  // namespace xval::text
