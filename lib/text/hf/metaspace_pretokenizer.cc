// The Metaspace pre-tokenizer: spaces become the replacement ("▁"), which is prepended to the
// piece (prepend_scheme "always"; "first": only to the piece at the start of the text;
// "never"), and with `split` the piece is cut before each replacement.
#include <cstring>

#include "text/hf/split_behavior.h"
#include "text/hf/stages.h"

namespace xval::text::hf {
namespace {

class Metaspace : public PreTokenizer {
 public:
  enum class Prepend { kAlways, kFirst, kNever };
  Metaspace(std::string replacement, Prepend prepend, bool split)
      : replacement_(std::move(replacement)), prepend_(prepend), split_(split) {}

  void Split(PieceList* pieces) const override {
    const AlignedText& in = *pieces->text;
    // Per-thread buffers, kept from call to call (the text's through PieceList::Swap).
    thread_local AlignedText t;
    thread_local std::vector<Range> out;
    thread_local std::vector<Match> matches, splits;
    t.text.clear();
    t.from.clear();
    out.clear();
    const auto rep = static_cast<uint32_t>(replacement_.size());
    for (const Range r : pieces->ranges) {
      const auto begin = static_cast<uint32_t>(t.text.size());
      const absl::string_view piece = pieces->View(r);
      // Prepended when the piece, spaces replaced, does not start with the replacement.
      const bool starts = piece[0] == ' ' || StartsWithReplacement(piece);
      if (!starts && (prepend_ == Prepend::kAlways ||
                      (prepend_ == Prepend::kFirst && in.from[r.begin].begin == 0))) {
        t.Append(replacement_, in.Span(r.begin, r.begin + 1));
      }
      for (uint32_t i = r.begin; i < r.end;) {  // the runs between spaces, then each space
        const void* space = std::memchr(in.text.data() + i, ' ', r.end - i);
        const uint32_t stop =
            space == nullptr
                ? r.end
                : static_cast<uint32_t>(static_cast<const char*>(space) - in.text.data());
        t.AppendSlice(in, i, stop);
        if (stop == r.end) break;
        t.Append(replacement_, in.from[stop]);
        i = stop + 1;
      }
      const auto end = static_cast<uint32_t>(t.text.size());
      const absl::string_view view(t.text.data() + begin, end - begin);
      // One piece unless split finds a replacement after the piece's first byte (most words).
      if (!split_ || view.find(replacement_, 1) == absl::string_view::npos) {
        out.push_back(Range{begin, end});
        continue;
      }
      // Cut before each replacement (MergedWithNext).
      matches.clear();
      uint32_t prev = 0;
      for (size_t i = view.find(replacement_); i != absl::string_view::npos;
           i = view.find(replacement_, i + rep)) {
        if (i > prev) matches.push_back(Match{prev, i, false});
        matches.push_back(Match{i, i + rep, true});
        prev = static_cast<uint32_t>(i) + rep;
      }
      if (prev < view.size()) matches.push_back(Match{prev, view.size(), false});
      SplitByMatches(Range{begin, end}, matches, SplitBehavior::kMergedWithNext, &splits, &out);
    }
    pieces->ranges.swap(out);
    pieces->Swap(&t);
  }

 private:
  bool StartsWithReplacement(absl::string_view piece) const {
    if (piece.size() < replacement_.size()) return false;
    for (size_t i = 0; i < replacement_.size(); ++i) {  // a few bytes: no call to memcmp
      if (piece[i] != replacement_[i]) return false;
    }
    return true;
  }

  std::string replacement_;
  Prepend prepend_;
  bool split_;
};

}  // namespace

PreTokenizerPtr MakeMetaspacePreTokenizer(const StageJson& json) {
  std::string_view replacement = OptString(json.json, "replacement", "\xE2\x96\x81");
  if (replacement.empty()) return json.file.Error(json.Field("replacement"), "empty");
  Metaspace::Prepend prepend;
  const std::string_view scheme = OptString(json.json, "prepend_scheme");
  if (scheme.empty()) {  // files from before prepend_scheme: add_prefix_space
    prepend = OptBool(json.json, "add_prefix_space", true) ? Metaspace::Prepend::kAlways
                                                           : Metaspace::Prepend::kNever;
  } else if (scheme == "always") {
    prepend = Metaspace::Prepend::kAlways;
  } else if (scheme == "first") {
    prepend = Metaspace::Prepend::kFirst;
  } else if (scheme == "never") {
    prepend = Metaspace::Prepend::kNever;
  } else {
    return json.file.Error(json.Field("prepend_scheme"), "expected always, first or never");
  }
  return std::unique_ptr<PreTokenizer>(
      new Metaspace(std::string(replacement), prepend, OptBool(json.json, "split", true)));
}

}  // namespace xval::text::hf
