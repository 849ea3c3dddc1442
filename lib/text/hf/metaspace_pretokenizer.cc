// The Metaspace pre-tokenizer: spaces become the replacement ("▁"), which is prepended to the
// piece (prepend_scheme "always"; "first": only to the piece at the start of the text;
// "never"), and with `split` the piece is cut before each replacement.
#include "text/hf/split_behavior.h"
#include "text/hf/stages.h"

namespace xval::text::hf {
namespace {

class Metaspace : public PreTokenizer {
 public:
  enum class Prepend { kAlways, kFirst, kNever };
  Metaspace(std::string replacement, Prepend prepend, bool split)
      : replacement_(std::move(replacement)), prepend_(prepend), split_(split) {}

  void Split(const AlignedText& piece, std::vector<AlignedText>* out) const override {
    AlignedText t;
    for (size_t i = 0; i < piece.text.size(); ++i) {
      if (piece.text[i] == ' ') {
        t.Append(replacement_, piece.from[i]);
      } else {
        t.AppendSlice(piece, i, i + 1);
      }
    }
    const bool starts = t.text.compare(0, replacement_.size(), replacement_) == 0;
    if (!starts && !t.text.empty() &&
        (prepend_ == Prepend::kAlways || (prepend_ == Prepend::kFirst && t.from[0].begin == 0))) {
      AlignedText p;
      p.Append(replacement_, t.Span(0, 1));
      p.AppendSlice(t, 0, t.text.size());
      t = std::move(p);
    }
    if (!split_) {
      if (!t.text.empty()) out->push_back(std::move(t));
      return;
    }
    std::vector<Match> matches;
    size_t prev = 0;
    for (size_t i = t.text.find(replacement_); i != std::string::npos;
         i = t.text.find(replacement_, i + replacement_.size())) {
      if (i > prev) matches.push_back(Match{prev, i, false});
      matches.push_back(Match{i, i + replacement_.size(), true});
      prev = i + replacement_.size();
    }
    if (prev < t.text.size()) matches.push_back(Match{prev, t.text.size(), false});
    SplitByMatches(t, matches, SplitBehavior::kMergedWithNext, out);
  }

 private:
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
