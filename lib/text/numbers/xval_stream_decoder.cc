// XvalTokenizer's stream decoder: DecodeWithValues, one token at a time. The text between
// numbers streams through the base tokenizer's stream decoder (after a [NUM], as the
// continuation of [NUM], as DecodeWithValues decodes it); a number is printed once the text
// after it settles its form (text::FollowsAsPartOfNumber reads up to three bytes: most often
// the first one decides), so a run of numbers with no text between them waits for the text
// after the last one.
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "text/decode/text_stream_decoder.h"
#include "text/numbers/json_fields.h"
#include "text/numbers/xval_number.h"
#include "util/status_macros.h"

namespace xval {
namespace text {
namespace {

// True when the bytes after a number already decide FollowsAsPartOfNumber, whatever follows
// them: anything but '.', 'e' or 'E' first; ".x"; "ex" unless x is a sign; "e+x".
bool FormSettled(absl::string_view next) {
  if (next.empty()) return false;
  if (next[0] != '.' && next[0] != 'e' && next[0] != 'E') return true;
  if (next.size() < 2) return false;
  if (next[0] == '.' || (next[1] != '+' && next[1] != '-')) return true;
  return next.size() >= 3;
}

}  // namespace

class XvalStreamDecoder : public StreamDecoder {
 public:
  explicit XvalStreamDecoder(const XvalTokenizer& tokenizer)
      : tokenizer_(tokenizer), text_(tokenizer.base()) {}

  using StreamDecoder::Push;
  absl::Status Push(int32_t id, float value, std::string* text) override {
    if (id != tokenizer_.num_id_) {
      std::string chunk;
      RETURN_IF_ERROR(text_.Push(id, &chunk));
      AddText(chunk, text);
      previous_num_ = false;
      ++pushed_;
      Release(/*at_end=*/false, text);
      return absl::OkStatus();
    }
    if (!std::isfinite(value)) {
      return absl::InvalidArgumentError(
          absl::StrCat("stream decode: the value of [NUM] (token ", pushed_, ") is not finite"));
    }
    std::string chunk;
    RETURN_IF_ERROR(text_.Flush(&chunk));
    AddText(chunk, text);
    // The reference's decode puts ", " between adjacent numbers (as DecodeWithValues does).
    if (tokenizer_.options_.numbers.mode == NumberMode::kPaper && previous_num_) {
      AddText(", ", text);
    }
    numbers_.push_back({value, std::string(tracker_.field()), ""});
    RETURN_IF_ERROR(text_.ResetWithContext({tokenizer_.num_id_}));
    previous_num_ = true;
    ++pushed_;
    return absl::OkStatus();
  }

  absl::Status Flush(std::string* text) override {
    std::string chunk;
    RETURN_IF_ERROR(text_.Flush(&chunk));
    AddText(chunk, text);
    Release(/*at_end=*/true, text);
    Reset();
    return absl::OkStatus();
  }

  void Reset() override {
    text_.Reset();
    tracker_ = JsonFieldTracker();
    numbers_.clear();
    previous_num_ = false;
    pushed_ = 0;
  }

 private:
  struct Waiting {
    float value;
    std::string field;  // the JSON key it belongs to, for per-field scales
    std::string after;  // the text after it, up to the next number
  };

  // Text between numbers: straight out when no number waits, else after the last one.
  void AddText(absl::string_view chunk, std::string* text) {
    if (chunk.empty()) return;
    if (!tokenizer_.options_.transform.field_scales.empty()) tracker_.Feed(chunk);
    if (numbers_.empty()) {
      text->append(chunk.data(), chunk.size());
    } else {
      numbers_.back().after.append(chunk.data(), chunk.size());
    }
  }

  // Prints the waiting numbers, last first, as DecodeWithValues chooses their form: each from
  // the three bytes after it, which may run into the next number's text.
  void Release(bool at_end, std::string* text) {
    if (numbers_.empty() || (!at_end && !FormSettled(numbers_.back().after))) return;
    std::vector<std::string> rendered(numbers_.size());
    for (size_t k = numbers_.size(); k-- > 0;) {
      std::string next = numbers_[k].after;
      if (next.size() < 3 && k + 1 < numbers_.size()) {
        std::string tail;  // the text after number k + 1, numbers left out
        for (size_t j = k + 1; j < numbers_.size() && tail.size() < 3; ++j) {
          tail += numbers_[j].after;
        }
        next += rendered[k + 1];
        next += tail.substr(0, 3);
      }
      rendered[k] =
          tokenizer_.FormatValue(numbers_[k].value, numbers_[k].field, FollowsAsPartOfNumber(next));
    }
    for (size_t k = 0; k < numbers_.size(); ++k) {
      text->append(rendered[k]);
      text->append(numbers_[k].after);
    }
    numbers_.clear();
  }

  const XvalTokenizer& tokenizer_;
  TextStreamDecoder text_;  // the text between numbers, through the base tokenizer
  JsonFieldTracker tracker_;
  std::vector<Waiting> numbers_;  // numbers not yet printed, in order
  bool previous_num_ = false;
  size_t pushed_ = 0;
};

}  // namespace text

std::unique_ptr<StreamDecoder> XvalTokenizer::NewStreamDecoder() const {
  return std::make_unique<text::XvalStreamDecoder>(*this);
}

}  // namespace xval
