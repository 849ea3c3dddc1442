// Pre-tokenizers that cut at the matches of a pattern and treat the matches as a behavior says
// (tokenizers' NormalizedString::split): Split (a string or Oniguruma pattern, invert),
// Whitespace, WhitespaceSplit, BertPreTokenizer, Punctuation and Digits (character classes).
#include "text/hf/regex.h"
#include "text/hf/split_behavior.h"
#include "text/hf/stages.h"
#include "text/hf/unicode_props.h"
#include "util/status_macros.h"

namespace xval::text::hf {

void SplitByMatches(Range piece, const std::vector<Match>& matches, SplitBehavior behavior,
                    std::vector<Match>* splits_out, std::vector<Range>* out) {
  // (range, remove) after the behavior is applied, as NormalizedString::split computes them.
  std::vector<Match>& splits = *splits_out;
  splits.clear();
  bool previous_match = false;
  switch (behavior) {
    case SplitBehavior::kIsolated:
      for (Match m : matches) splits.push_back(Match{m.begin, m.end, false});
      break;
    case SplitBehavior::kRemoved:
      splits = matches;
      break;
    case SplitBehavior::kContiguous:
      for (const Match& m : matches) {
        if (m.is_match == previous_match && !splits.empty()) {
          splits.back().end = m.end;
        } else {
          splits.push_back(Match{m.begin, m.end, false});
        }
        previous_match = m.is_match;
      }
      break;
    case SplitBehavior::kMergedWithPrevious:
      for (const Match& m : matches) {
        if (m.is_match && !previous_match && !splits.empty()) {
          splits.back().end = m.end;
        } else {
          splits.push_back(Match{m.begin, m.end, false});
        }
        previous_match = m.is_match;
      }
      break;
    case SplitBehavior::kMergedWithNext:
      for (size_t i = matches.size(); i-- > 0;) {
        const Match& m = matches[i];
        if (m.is_match && !previous_match && !splits.empty()) {
          splits.back().begin = m.begin;
        } else {
          splits.push_back(Match{m.begin, m.end, false});
        }
        previous_match = m.is_match;
      }
      std::reverse(splits.begin(), splits.end());
      break;
  }
  for (const Match& s : splits) {
    if (!s.is_match && s.end > s.begin) {
      out->push_back(Range{piece.begin + static_cast<uint32_t>(s.begin),
                           piece.begin + static_cast<uint32_t>(s.end)});
    }
  }
}

absl::StatusOr<SplitBehavior> ReadBehavior(const StageJson& json, SplitBehavior fallback) {
  simdjson::dom::element value;
  if (json.json["behavior"].get(value)) return fallback;
  const std::string_view b = OptString(json.json, "behavior");
  if (b == "Removed") return SplitBehavior::kRemoved;
  if (b == "Isolated") return SplitBehavior::kIsolated;
  if (b == "MergedWithPrevious") return SplitBehavior::kMergedWithPrevious;
  if (b == "MergedWithNext") return SplitBehavior::kMergedWithNext;
  if (b == "Contiguous") return SplitBehavior::kContiguous;
  return json.file.Error(json.Field("behavior"),
                         "expected Removed, Isolated, MergedWithPrevious, MergedWithNext or "
                         "Contiguous");
}

namespace {

// The matches of a pattern over the piece, gaps included, as tokenizers' Pattern::find_matches
// returns them (an empty piece is one empty non-match).
template <typename FindAll>
void FindMatches(absl::string_view text, bool invert, FindAll find_all,
                 std::vector<Match>* matches) {
  matches->clear();
  if (text.empty()) {
    matches->push_back(Match{0, 0, invert});
    return;
  }
  size_t prev = 0;
  find_all(text, [&](size_t b, size_t e) {
    if (prev != b) matches->push_back(Match{prev, b, invert});
    matches->push_back(Match{b, e, !invert});
    prev = e;
  });
  if (prev != text.size()) matches->push_back(Match{prev, text.size(), invert});
}

// Every character `is_match` accepts is a match of its own.
template <typename Pred>
void CharMatches(absl::string_view text, Pred is_match, std::vector<Match>* matches) {
  FindMatches(
      text, false,
      [&](absl::string_view t, auto emit) {
        for (size_t i = 0, len; i < t.size(); i += len) {
          if (is_match(CharAt(t, i, &len))) emit(i, i + len);
        }
      },
      matches);
}

// Runs `cut(piece, &out)` over every piece, the results becoming the pieces.
template <typename Cut>
void CutEach(PieceList* pieces, Cut cut) {
  thread_local std::vector<Range> out;  // kept from call to call (swapped with the pieces')
  out.clear();
  for (const Range r : pieces->ranges) cut(r, &out);
  pieces->ranges.swap(out);
}

class SplitPreTokenizer : public PreTokenizer {
 public:
  SplitPreTokenizer(Regex pattern, SplitBehavior behavior, bool invert)
      : pattern_(std::move(pattern)), behavior_(behavior), invert_(invert) {}

  void Split(PieceList* pieces) const override {
    std::vector<Match> matches, splits;
    std::vector<std::pair<size_t, size_t>> found;
    CutEach(pieces, [&](Range r, std::vector<Range>* out) {
      FindMatches(
          pieces->View(r), invert_,
          [&](absl::string_view t, auto emit) {
            found.clear();
            pattern_.FindAll(t, &found);
            for (const auto& [b, e] : found) emit(b, e);
          },
          &matches);
      SplitByMatches(r, matches, behavior_, &splits, out);
    });
  }

 private:
  Regex pattern_;
  SplitBehavior behavior_;
  bool invert_;
};

// Splits by a character class.
template <typename Pred>
class CharSplitPreTokenizer : public PreTokenizer {
 public:
  CharSplitPreTokenizer(Pred pred, SplitBehavior behavior) : pred_(pred), behavior_(behavior) {}
  void Split(PieceList* pieces) const override {
    if (behavior_ == SplitBehavior::kMergedWithPrevious ||
        behavior_ == SplitBehavior::kMergedWithNext) {
      std::vector<Match> matches, splits;
      CutEach(pieces, [&](Range r, std::vector<Range>* out) {
        CharMatches(pieces->View(r), pred_, &matches);
        SplitByMatches(r, matches, behavior_, &splits, out);
      });
      return;
    }
    // Removed, Isolated and Contiguous in one scan: runs of other characters are pieces; a
    // matching character is dropped, a piece of its own, or joins its run.
    CutEach(pieces, [&](Range r, std::vector<Range>* out) {
      const absl::string_view text = pieces->View(r);
      uint32_t run = 0;  // start of the current run
      int kind = -1;     // the run's kind: 0 other characters, 1 matches (Contiguous), -1 none
      auto close = [&](uint32_t end) {
        if (kind >= 0 && end > run) out->push_back(Range{r.begin + run, r.begin + end});
        kind = -1;
      };
      for (size_t i = 0, len; i < text.size(); i += len) {
        const auto at = static_cast<uint32_t>(i);
        const bool match = pred_(CharAt(text, i, &len));
        if (!match || behavior_ == SplitBehavior::kContiguous) {
          const int k = match ? 1 : 0;
          if (kind != k) {
            close(at);
            run = at;
            kind = k;
          }
          continue;
        }
        close(at);
        if (behavior_ == SplitBehavior::kIsolated) {
          out->push_back(Range{r.begin + at, r.begin + at + static_cast<uint32_t>(len)});
        }
      }
      close(static_cast<uint32_t>(text.size()));
    });
  }

 private:
  Pred pred_;
  SplitBehavior behavior_;
};

template <typename Pred>
std::unique_ptr<PreTokenizer> SplitOn(Pred pred, SplitBehavior behavior) {
  return std::unique_ptr<PreTokenizer>(new CharSplitPreTokenizer<Pred>(pred, behavior));
}

// BertPreTokenizer (whitespace removed, then each punctuation character a piece of its own) in
// one scan: runs of other characters are the pieces between.
class BertSplit : public PreTokenizer {
 public:
  void Split(PieceList* pieces) const override {
    CutEach(pieces, [&](Range r, std::vector<Range>* out) {
      const absl::string_view text = pieces->View(r);
      uint32_t run = 0;
      bool open = false;  // a run of other characters since `run`
      for (size_t i = 0, len; i < text.size(); i += len) {
        const char32_t c = CharAt(text, i, &len);
        const auto at = static_cast<uint32_t>(i);
        const bool space = IsWhitespace(c);
        if (!space && !IsPunctuation(c)) {
          if (!open) run = at;
          open = true;
          continue;
        }
        if (open) out->push_back(Range{r.begin + run, r.begin + at});
        open = false;
        if (!space) out->push_back(Range{r.begin + at, r.begin + at + static_cast<uint32_t>(len)});
      }
      if (open) out->push_back(Range{r.begin + run, r.end});
    });
  }
};

// Several stages, each over the pieces of the one before.
class Chain : public PreTokenizer {
 public:
  explicit Chain(std::vector<std::unique_ptr<PreTokenizer>> stages) : stages_(std::move(stages)) {}
  void Split(PieceList* pieces) const override {
    for (const auto& stage : stages_) stage->Split(pieces);
  }

 private:
  std::vector<std::unique_ptr<PreTokenizer>> stages_;
};

// The character classes, as functors so that each splitter's loop inlines its own.
struct WhitespaceClass {
  bool operator()(char32_t c) const { return IsWhitespace(c); }
};
struct PunctuationClass {
  bool operator()(char32_t c) const { return IsPunctuation(c); }
};
// Rust's char::is_numeric: general category N.
struct NumericClass {
  bool operator()(char32_t c) const {
    return c >= 0x80 ? (U_GET_GC_MASK(c) & U_GC_N_MASK) != 0 : c >= '0' && c <= '9';
  }
};

}  // namespace

std::unique_ptr<PreTokenizer> ChainPreTokenizers(
    std::vector<std::unique_ptr<PreTokenizer>> stages) {
  return std::unique_ptr<PreTokenizer>(new Chain(std::move(stages)));
}

PreTokenizerPtr MakeSplitPreTokenizer(const StageJson& json) {
  ASSIGN_OR_RETURN(Regex pattern, ReadPattern(json));
  ASSIGN_OR_RETURN(SplitBehavior behavior, ReadBehavior(json, SplitBehavior::kIsolated));
  return std::unique_ptr<PreTokenizer>(
      new SplitPreTokenizer(std::move(pattern), behavior, OptBool(json.json, "invert", false)));
}

PreTokenizerPtr MakeWhitespacePreTokenizer(const StageJson& json) {
  const std::string_view type = OptString(json.json, "type");
  if (type == "WhitespaceSplit") return SplitOn(WhitespaceClass(), SplitBehavior::kRemoved);
  if (type == "BertPreTokenizer") return std::unique_ptr<PreTokenizer>(new BertSplit());
  // Whitespace: the matches of Rust's regex `\w+|[^\w\s]+` kept, the rest removed. Rust's \w
  // is Alphabetic, marks, decimal digits, connector punctuation and the joiners; its \s is
  // White_Space.
  ASSIGN_OR_RETURN(
      Regex words,
      Regex::FromPcre2(R"([\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\x{200C}\x{200D}]+|)"
                       R"([^\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\x{200C}\x{200D}\p{White_Space}]+)",
                       absl::StrCat(json.file.source(), ": ", json.field)));
  return std::unique_ptr<PreTokenizer>(
      new SplitPreTokenizer(std::move(words), SplitBehavior::kRemoved, /*invert=*/true));
}

PreTokenizerPtr MakePunctuationPreTokenizer(const StageJson& json) {
  ASSIGN_OR_RETURN(SplitBehavior behavior, ReadBehavior(json, SplitBehavior::kIsolated));
  return SplitOn(PunctuationClass(), behavior);
}

PreTokenizerPtr MakeDigitsPreTokenizer(const StageJson& json) {
  return SplitOn(NumericClass(), OptBool(json.json, "individual_digits", false)
                                     ? SplitBehavior::kIsolated
                                     : SplitBehavior::kContiguous);
}

PreTokenizerPtr MakePreTokenizerSequence(const StageJson& json) {
  ASSIGN_OR_RETURN(auto stages, MakeStages<PreTokenizer>(json, "pretokenizers", MakePreTokenizer));
  return ChainPreTokenizers(std::move(stages));
}

}  // namespace xval::text::hf
