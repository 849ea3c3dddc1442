// Cutting a piece at matches, with what happens to the matches (tokenizers'
// SplitDelimiterBehavior); shared by the pre-tokenizers that split.
#ifndef XVAL_TEXT_HF_SPLIT_BEHAVIOR_H_
#define XVAL_TEXT_HF_SPLIT_BEHAVIOR_H_

#include <vector>

#include "text/hf/stages.h"

namespace xval::text::hf {

enum class SplitBehavior { kRemoved, kIsolated, kMergedWithPrevious, kMergedWithNext, kContiguous };

// Bytes [begin, end) of a piece, a match of the pattern or the text between two.
struct Match {
  size_t begin, end;
  bool is_match;
};

// The pieces of `piece` cut at `matches` (which cover it in order, offsets relative to it),
// empty ones dropped, appended to *out. `splits` is scratch space.
void SplitByMatches(Range piece, const std::vector<Match>& matches, SplitBehavior behavior,
                    std::vector<Match>* splits, std::vector<Range>* out);

// json's "behavior" ("Removed", "Isolated", ...), or `fallback` when absent.
absl::StatusOr<SplitBehavior> ReadBehavior(const StageJson& json, SplitBehavior fallback);

// Stages run in order, each over the pieces of the one before.
std::unique_ptr<PreTokenizer> ChainPreTokenizers(std::vector<std::unique_ptr<PreTokenizer>> stages);

}  // namespace xval::text::hf

#endif  // XVAL_TEXT_HF_SPLIT_BEHAVIOR_H_
