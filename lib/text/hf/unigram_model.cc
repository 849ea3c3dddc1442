// The Unigram model of a tokenizer.json (tokenizers models/unigram): the piece is cut where the
// sum of the pieces' scores is highest (Viterbi over a trie of the pieces); a character no
// single piece covers is the unknown token, scored 10 below the lowest score, and runs of
// unknown tokens are one; with byte_fallback a token text that is no piece becomes its <0xXX>
// tokens.
#include "text/hf/stages.h"
#include "text/piece_table.h"
#include "text/piece_trie.h"
#include "util/status_macros.h"

namespace xval::text::hf {
namespace {

class Unigram : public Model {
 public:
  Unigram(const PieceTable* vocab, std::vector<double> scores, int32_t unk_id, bool byte_fallback)
      : vocab_(vocab),
        scores_(std::move(scores)),
        unk_id_(unk_id),
        byte_fallback_(byte_fallback),
        trie_(TrieEntries(*vocab, scores_.size())) {
    double min_score = scores_.empty() ? 0 : scores_[0];
    for (const double score : scores_) min_score = std::min(min_score, score);
    unk_score_ = min_score - 10.0;
    byte_ids_ = ByteTokenIds(*vocab_);
  }

  void Tokenize(absl::string_view piece, std::vector<ModelToken>* out) const override {
    const size_t n = piece.size();
    if (n == 0) return;
    thread_local std::vector<Node> best;  // per thread: no allocation per piece
    best.assign(n + 1, Node{});
    best[0].start = 0;
    for (size_t at = 0, len; at < n; at += len) {
      CharAt(piece, at, &len);
      const double here = best[at].score;
      bool single = false;
      int32_t node = PieceTrie::kRoot;
      for (size_t end = at; end < n;) {  // every piece that starts here, shortest first
        node = trie_.Child(node, static_cast<unsigned char>(piece[end]));
        if (node < 0) break;
        ++end;
        const int32_t id = trie_.Token(node);
        if (id < 0) continue;
        const double score = here + scores_[id];
        if (best[end].start < 0 || score > best[end].score) {
          best[end] = Node{id, score, static_cast<int64_t>(at)};
        }
        if (end - at == len) single = true;
      }
      if (!single) {
        const double score = here + unk_score_;
        Node& target = best[at + len];
        if (target.start < 0 || score > target.score) {
          target = Node{unk_id_, score, static_cast<int64_t>(at)};
        }
      }
    }
    // Back from the end; runs of unknown tokens fuse.
    thread_local std::vector<Span> spans;  // last first
    spans.clear();
    bool previous_unk = false;
    for (size_t end = n; end > 0;) {
      const Node& node = best[end];
      const auto start = static_cast<size_t>(node.start);
      const bool unk = node.id == unk_id_;
      if (unk && previous_unk) {
        spans.back().begin = start;
      } else {
        spans.push_back(Span{start, end, node.id});
      }
      previous_unk = unk;
      end = start;
    }
    for (size_t k = spans.size(); k-- > 0;) {
      const auto [b, e, piece_id] = spans[k];
      if (piece_id != unk_id_) {  // a piece of the trie: its id is the text's
        out->push_back(ModelToken{piece_id, static_cast<uint32_t>(b), static_cast<uint32_t>(e)});
        continue;
      }
      const absl::string_view text = piece.substr(b, e - b);
      int32_t id = vocab_->Find(text);
      if (id < 0 && byte_fallback_) {
        bool all = true;
        for (const char c : text) all &= byte_ids_[static_cast<unsigned char>(c)] >= 0;
        if (all) {
          for (const char c : text) {
            out->push_back(ModelToken{byte_ids_[static_cast<unsigned char>(c)],
                                      static_cast<uint32_t>(b), static_cast<uint32_t>(e)});
          }
          continue;
        }
      }
      if (id < 0) id = unk_id_;
      out->push_back(ModelToken{id, static_cast<uint32_t>(b), static_cast<uint32_t>(e)});
    }
  }

 private:
  struct Span {
    size_t begin, end;
    int32_t id;  // the piece's, or unk_id_ for a run of unknown characters
  };
  struct Node {
    int32_t id = -1;
    double score = 0;
    int64_t start = -1;  // -1: no path ends here yet
  };
  // The pieces by id; of a text given twice, its last id.
  static std::vector<std::pair<absl::string_view, int32_t>> TrieEntries(const PieceTable& vocab,
                                                                        size_t n) {
    std::vector<std::pair<absl::string_view, int32_t>> entries;
    entries.reserve(n);
    for (size_t id = n; id-- > 0;) {
      entries.emplace_back(vocab.piece(static_cast<int32_t>(id)), static_cast<int32_t>(id));
    }
    return entries;
  }

  const PieceTable* vocab_;
  std::vector<double> scores_;  // by id
  int32_t unk_id_;
  bool byte_fallback_;
  PieceTrie trie_;
  double unk_score_ = 0;
  std::array<int32_t, 256> byte_ids_;
};

}  // namespace

ModelPtr MakeUnigramModel(const StageJson& json) {
  simdjson::dom::array vocab;
  if (json.json["vocab"].get_array().get(vocab))
    return json.file.Error(json.Field("vocab"), "expected an array");
  std::vector<double> scores;
  scores.reserve(vocab.size());
  for (simdjson::dom::element entry : vocab) {
    double score;
    if (entry.at(1).get_double().get(score)) {
      int64_t i;
      if (entry.at(1).get_int64().get(i)) {
        return json.file.Error(absl::StrCat(json.field, ".vocab[", scores.size(), "]"),
                               "expected [piece, score]");
      }
      score = static_cast<double>(i);
    }
    scores.push_back(score);
  }
  int64_t unk_id = -1;
  simdjson::dom::element e;
  if (!json.json["unk_id"].get(e) && !e.is_null() &&
      (e.get_int64().get(unk_id) || unk_id < 0 || unk_id >= static_cast<int64_t>(scores.size()))) {
    return json.file.Error(json.Field("unk_id"), "expected an id of the vocabulary");
  }
  if (unk_id < 0) {
    return json.file.Unsupported(json.Field("unk_id"),
                                 "null: tokenizers fails on any character no piece covers then");
  }
  return std::unique_ptr<Model>(new Unigram(json.vocab, std::move(scores),
                                            static_cast<int32_t>(unk_id),
                                            OptBool(json.json, "byte_fallback", false)));
}

}  // namespace xval::text::hf
