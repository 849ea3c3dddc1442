#include "text/decode/text_stream_decoder.h"

#include <algorithm>
#include <memory>

#include "util/status_macros.h"

namespace xval {

std::unique_ptr<StreamDecoder> Tokenizer::NewStreamDecoder() const {
  return std::make_unique<text::TextStreamDecoder>(*this);
}

namespace text {
namespace {

// Bytes of `text` before its trailing run of U+FFFD: every decoder in xval prints an
// unfinished UTF-8 character as U+FFFD, and the tokens that finish it turn those into the
// character, so only the text before them is final.
size_t FinalBytes(absl::string_view text) {
  constexpr absl::string_view kReplacement = "\xEF\xBF\xBD";
  size_t end = text.size();
  while (end >= kReplacement.size() &&
         text.substr(end - kReplacement.size(), kReplacement.size()) == kReplacement) {
    end -= kReplacement.size();
  }
  return end;
}

void AppendBytes(absl::string_view bytes, std::string* text) {
  text->append(bytes.data(), bytes.size());
}

}  // namespace

absl::Status TextStreamDecoder::Push(int32_t id, float /*value*/, std::string* text) {
  if (runs_ != nullptr && runs_->OpensRun(id)) {  // a token of the vocabulary
    window_.push_back(id);  // held, with what it prints, until a token ends the run
    return absl::OkStatus();
  }
  window_.push_back(id);
  absl::StatusOr<std::string> decoded = tokenizer_.Decode(window_);
  if (!decoded.ok()) {
    window_.pop_back();
    return decoded.status();
  }
  // Decode(context + held) begins with Decode(context) for every decoder here; what follows
  // is the held tokens' text as the whole sequence's decode prints it.
  const absl::string_view fresh =
      absl::string_view(*decoded).substr(std::min(context_bytes_, decoded->size()));
  // Held back while the text ends inside a character, however many tokens that takes: only a
  // run of stray bytes makes it long, and each of its tokens then costs a longer decode.
  const size_t final_bytes = FinalBytes(fresh);
  if (final_bytes == fresh.size()) {
    if (fresh.size() > returned_) AppendBytes(fresh.substr(returned_), text);
    return Commit();
  }
  if (final_bytes > returned_) {
    AppendBytes(fresh.substr(returned_, final_bytes - returned_), text);
    returned_ = final_bytes;
  }
  return absl::OkStatus();
}

absl::Status TextStreamDecoder::Commit() {
  // The newest token that prints anything is the anchor (usually the last one: one decode of
  // one token).
  for (size_t i = window_.size(); i-- > 0;) {
    ASSIGN_OR_RETURN(const std::string text, tokenizer_.Decode({window_[i]}));
    if (!text.empty()) {
      anchor_ = window_[i];
      break;
    }
    if (window_.size() - i >= kContext) break;  // none in the part kept: the old anchor stays
  }
  if (window_.size() > kContext) window_.erase(window_.begin(), window_.end() - kContext);
  ASSIGN_OR_RETURN(std::string context_text, tokenizer_.Decode(window_));
  if (context_text.empty() && anchor_ >= 0 && window_.front() != anchor_) {
    window_.insert(window_.begin(), anchor_);
    ASSIGN_OR_RETURN(context_text, tokenizer_.Decode(window_));
  }
  context_ = window_.size();
  returned_ = 0;
  context_bytes_ = context_text.size();
  return absl::OkStatus();
}

absl::Status TextStreamDecoder::Flush(std::string* text) {
  if (window_.size() > context_) {
    ASSIGN_OR_RETURN(const std::string decoded, tokenizer_.Decode(window_));
    const size_t begin = std::min(decoded.size(), context_bytes_ + returned_);
    text->append(decoded, begin, std::string::npos);
  }
  Reset();
  return absl::OkStatus();
}

void TextStreamDecoder::Reset() {
  window_.clear();
  context_ = context_bytes_ = returned_ = 0;
  anchor_ = -1;
}

absl::Status TextStreamDecoder::ResetWithContext(absl::Span<const int32_t> context) {
  Reset();
  window_.assign(context.begin(), context.end());
  return Commit();
}

}  // namespace text
}  // namespace xval
