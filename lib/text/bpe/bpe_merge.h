// The BPE merge loop over one word: repeatedly merge the adjacent pair with the lowest rank,
// leftmost first among equal ranks, until no pair merges. This is the order of both
// sentencepiece's priority queue (bpe_model.cc) and Hugging Face's (models/bpe/word.rs).
// Short words scan an array of pair ranks (as tiktoken does); a long one goes through a heap
// with lazy invalidation, which keeps it O(n log n), so one huge word (a megabyte without a
// space) is fast.
#ifndef XVAL_TEXT_BPE_BPE_MERGE_H_
#define XVAL_TEXT_BPE_BPE_MERGE_H_

#include <cstdint>
#include <vector>

#include "text/bpe/bpe_vocab.h"

namespace xval::text {

// One symbol of a word: a vocabulary (or virtual, or -1 unknown) symbol id covering `len`
// bytes starting at `begin` in the word.
struct BpeSymbol {
  int32_t id;
  uint32_t begin;
  uint32_t len;
};

// Reusable scratch space; one per thread.
class BpeMerger {
 public:
  // Merges `symbols` in place: on return it holds the final symbols in order.
  void Merge(const BpeVocab& vocab, std::vector<BpeSymbol>* symbols);

 private:
  struct Node {
    int32_t id;
    uint32_t begin, len;
    int32_t prev, next;  // indices into nodes_, -1 at the ends
  };
  struct Candidate {
    uint32_t rank;
    int32_t left;  // node index of the left symbol; also its position, which breaks ties
    int32_t left_id, right_id;
  };
  void Push(const BpeVocab& vocab, int32_t left);
  // Merge for a word of up to kShortWord symbols: arrays scanned for the lowest rank at each
  // step, where a word of a few symbols spent its time in the heap's operations.
  static constexpr size_t kShortWord = 64;
  static void MergeShort(const BpeVocab& vocab, std::vector<BpeSymbol>* symbols);

  std::vector<Node> nodes_;
  std::vector<Candidate> heap_;
};

}  // namespace xval::text

#endif  // XVAL_TEXT_BPE_BPE_MERGE_H_
