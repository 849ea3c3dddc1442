// The BPE model of a tokenizer.json (tokenizers models/bpe): a piece starts as its characters
// (continuing_subword_prefix before all but the first, end_of_word_suffix after the last), a
// character the vocabulary lacks becomes its <0xXX> byte tokens (byte_fallback) or the unknown
// token (runs of them one token with fuse_unk) or is dropped; then the adjacent pair of lowest
// merge rank merges, leftmost first, until none is left. With ignore_merges a piece that is a
// token is that token.
#include <functional>
#include <queue>

#include "absl/container/flat_hash_map.h"
#include "text/hf/stages.h"
#include "text/piece_table.h"
#include "util/status_macros.h"

namespace xval::text::hf {
namespace {

class Bpe : public Model {
 public:
  struct Options {
    std::string prefix, suffix;
    int32_t unk_id = -1;
    bool fuse_unk = false, byte_fallback = false, ignore_merges = false;
  };
  Bpe(const PieceTable* vocab, Options options) : vocab_(vocab), o_(std::move(options)) {
    byte_ids_ = ByteTokenIds(*vocab_);
  }

  // Merge (a, b) of rank `rank` makes `merged`; a pair named again keeps its last rank.
  void AddMerge(int32_t a, int32_t b, uint32_t rank, int32_t merged) {
    merges_[Key(a, b)] = Merge{rank, merged};
  }

  void Tokenize(absl::string_view piece, std::vector<ModelToken>* out) const override {
    if (o_.ignore_merges) {
      if (const int32_t id = vocab_->Find(piece); id >= 0) {
        out->push_back(ModelToken{id, 0, static_cast<uint32_t>(piece.size())});
        return;
      }
    }
    struct Symbol {
      int32_t id;
      uint32_t begin, end;
    };
    std::vector<Symbol> word;
    std::string s;
    bool unk = false;
    Symbol pending{o_.unk_id, 0, 0};
    for (size_t i = 0, len; i < piece.size(); i += len) {
      CharAt(piece, i, &len);
      s.clear();
      if (i > 0) s += o_.prefix;
      s.append(piece.data() + i, len);
      if (i + len == piece.size()) s += o_.suffix;
      const auto begin = static_cast<uint32_t>(i), end = static_cast<uint32_t>(i + len);
      if (const int32_t id = vocab_->Find(s); id >= 0) {
        if (unk) word.push_back(pending), unk = false;
        word.push_back(Symbol{id, begin, end});
        continue;
      }
      if (o_.byte_fallback) {
        bool all = true;
        for (const char c : s) all &= byte_ids_[static_cast<unsigned char>(c)] >= 0;
        if (all) {  // tokenizers adds them before a pending unknown token
          for (const char c : s)
            word.push_back(Symbol{byte_ids_[static_cast<unsigned char>(c)], begin, end});
          continue;
        }
      }
      if (o_.unk_id < 0) continue;  // no unknown token: the character is dropped
      if (unk && o_.fuse_unk) {
        pending.end = end;
      } else {
        if (unk) word.push_back(pending);
        pending = Symbol{o_.unk_id, begin, end};
        unk = true;
      }
    }
    if (unk) word.push_back(pending);
    // Merge the lowest-ranked pair, leftmost among equals, until no pair merges: a heap of
    // candidate pairs over a linked list of symbols (tokenizers' Word::merge_all); a candidate
    // whose symbols changed since it was queued is skipped.
    const auto n = static_cast<int32_t>(word.size());
    std::vector<int32_t> prev(n), next(n);
    for (int32_t k = 0; k < n; ++k) {
      prev[k] = k - 1;
      next[k] = k + 1 < n ? k + 1 : -1;
    }
    struct Candidate {
      uint32_t rank;
      int32_t pos, merged;
      bool operator>(const Candidate& o) const {
        return rank != o.rank ? rank > o.rank : pos > o.pos;
      }
    };
    std::priority_queue<Candidate, std::vector<Candidate>, std::greater<Candidate>> queue;
    auto push = [&](int32_t pos) {
      if (pos < 0 || next[pos] < 0) return;
      auto it = merges_.find(Key(word[pos].id, word[next[pos]].id));
      if (it != merges_.end()) queue.push(Candidate{it->second.rank, pos, it->second.merged});
    };
    for (int32_t k = 0; k + 1 < n; ++k) push(k);
    while (!queue.empty()) {
      const Candidate top = queue.top();
      queue.pop();
      if (word[top.pos].id < 0 || next[top.pos] < 0) continue;  // removed, or now last
      const int32_t right = next[top.pos];
      auto it = merges_.find(Key(word[top.pos].id, word[right].id));
      if (it == merges_.end() || it->second.merged != top.merged) continue;  // stale
      word[top.pos] = Symbol{top.merged, word[top.pos].begin, word[right].end};
      word[right].id = -1;
      next[top.pos] = next[right];
      if (next[right] >= 0) prev[next[right]] = top.pos;
      push(prev[top.pos]);
      push(top.pos);
    }
    for (const Symbol& sym : word) {
      if (sym.id >= 0) out->push_back(ModelToken{sym.id, sym.begin, sym.end});
    }
  }

 private:
  struct Merge {
    uint32_t rank;
    int32_t merged;
  };
  static uint64_t Key(int32_t a, int32_t b) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b);
  }

  const PieceTable* vocab_;
  Options o_;
  absl::flat_hash_map<uint64_t, Merge> merges_;
  std::array<int32_t, 256> byte_ids_;
};

}  // namespace

std::array<int32_t, 256> ByteTokenIds(const PieceTable& vocab) {
  std::array<int32_t, 256> ids;
  char name[8];
  for (int b = 0; b < 256; ++b) {
    std::snprintf(name, sizeof(name), "<0x%02X>", b);
    ids[b] = vocab.Find(name);
  }
  return ids;
}

ModelPtr MakeBpeModel(const StageJson& json) {
  const JsonFile& f = json.file;
  simdjson::dom::element dropout;
  double p = 0;
  if (!json.json["dropout"].get(dropout) && !dropout.is_null() &&
      (dropout.get_double().get(p) || p != 0)) {
    return f.Unsupported(json.Field("dropout"), "BPE dropout (random merges) is not supported");
  }
  Bpe::Options o;
  o.prefix = std::string(OptString(json.json, "continuing_subword_prefix"));
  o.suffix = std::string(OptString(json.json, "end_of_word_suffix"));
  o.fuse_unk = OptBool(json.json, "fuse_unk", false);
  o.byte_fallback = OptBool(json.json, "byte_fallback", false);
  o.ignore_merges = OptBool(json.json, "ignore_merges", false);
  const std::string_view unk = OptString(json.json, "unk_token");
  if (!unk.empty()) {
    o.unk_id = json.vocab->Find(A(unk));
    if (o.unk_id < 0) {
      return f.Error(json.Field("unk_token"),
                     absl::StrCat("\"", A(unk), "\" is not in the vocabulary"));
    }
  }
  const size_t prefix_len = o.prefix.size();
  auto bpe = std::make_unique<Bpe>(json.vocab, std::move(o));
  ASSIGN_OR_RETURN(const auto merges, ReadMerges(f, json.json));
  std::string merged;
  for (size_t i = 0; i < merges.size(); ++i) {
    const auto& [a, b] = merges[i];
    const int32_t ida = json.vocab->Find(A(a)), idb = json.vocab->Find(A(b));
    // tokenizers drops the prefix's length from the right part, whatever it starts with.
    merged = absl::StrCat(A(a), A(b.substr(std::min(prefix_len, b.size()))));
    const int32_t idm = json.vocab->Find(merged);
    if (ida < 0 || idb < 0 || idm < 0) {
      return f.Error(absl::StrCat(json.field, ".merges[", i, "]"),
                     absl::StrCat("\"",
                                  ida < 0   ? A(a)
                                  : idb < 0 ? A(b)
                                            : merged,
                                  "\" is not in the vocabulary"));
    }
    bpe->AddMerge(ida, idb, static_cast<uint32_t>(i), idm);
  }
  return std::unique_ptr<Model>(std::move(bpe));
}

}  // namespace xval::text::hf
