#include "text/added_tokens.h"

#include <algorithm>

namespace xval::text {

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
