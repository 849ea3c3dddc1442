#include "text/numbers/json_fields.h"

namespace xval::text {

void JsonFieldTracker::Feed(absl::string_view bytes) {
  // Nesting deeper than this is not a record; the stack stops growing (no unbounded memory).
  constexpr size_t kMaxDepth = 256;
  for (const char c : bytes) {
    if (quote_ != 0) {
      if (escape_) {
        escape_ = false;
        string_.push_back(c);
      } else if (c == '\\') {
        escape_ = true;
      } else if (c == quote_) {
        quote_ = 0;
        pending_ = true;
      } else {
        string_.push_back(c);
      }
      continue;
    }
    switch (c) {
      case '"':
      case '\'':
        quote_ = c;
        string_.clear();
        pending_ = false;
        break;
      case ':':
        if (pending_) key_ = string_;
        pending_ = false;
        break;
      case '{':
      case '[':
        if (stack_.size() < kMaxDepth) {
          stack_.push_back(key_);
        } else {
          ++overflow_;
        }
        pending_ = false;
        break;
      case '}':
      case ']':
        if (overflow_ > 0) {
          --overflow_;
        } else if (!stack_.empty()) {
          key_ = std::move(stack_.back());
          stack_.pop_back();
        }
        pending_ = false;
        break;
      case ' ':
      case '\t':
      case '\n':
      case '\r':
        break;
      default:
        pending_ = false;
    }
  }
}

}  // namespace xval::text
