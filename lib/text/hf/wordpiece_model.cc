// The WordPiece and WordLevel models of a tokenizer.json. WordPiece (tokenizers
// models/wordpiece): the piece is covered greedily by the longest vocabulary entries from the
// left, all but the first written with continuing_subword_prefix ("##"); a piece that cannot be
// covered, or longer than max_input_chars_per_word characters, is the unknown token. WordLevel:
// the piece's id, or the unknown token.
#include "text/hf/stages.h"
#include "text/piece_table.h"
#include "text/piece_trie.h"

namespace xval::text::hf {
namespace {

class WordPiece : public Model {
 public:
  WordPiece(const PieceTable* vocab, std::string prefix, size_t max_chars, int32_t unk_id)
      : trie_(TrieEntries(*vocab)), max_chars_(max_chars), unk_id_(unk_id) {
    for (const char c : prefix) {
      if (prefix_node_ < 0) break;
      prefix_node_ = trie_.Child(prefix_node_, static_cast<unsigned char>(c));
    }
  }

  void Tokenize(absl::string_view piece, std::vector<ModelToken>* out) const override {
    const auto whole = ModelToken{unk_id_, 0, static_cast<uint32_t>(piece.size())};
    size_t chars = 0;
    for (const char c : piece) chars += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    if (chars > max_chars_) {
      out->push_back(whole);
      return;
    }
    const size_t first = out->size();
    for (size_t start = 0; start < piece.size();) {
      // The longest entry (after the prefix but at the start) that the text from `start` begins
      // with and that ends on a character boundary: one walk down the trie.
      int32_t node = start == 0 ? PieceTrie::kRoot : prefix_node_;
      int32_t id = -1;
      size_t end = start;
      for (size_t at = start; node >= 0 && at < piece.size();) {
        node = trie_.Child(node, static_cast<unsigned char>(piece[at++]));
        const bool boundary =
            at == piece.size() || (static_cast<unsigned char>(piece[at]) & 0xC0) != 0x80;
        if (node >= 0 && boundary && trie_.Token(node) >= 0) {
          id = trie_.Token(node);
          end = at;
        }
      }
      if (id < 0) {
        out->resize(first);
        out->push_back(whole);
        return;
      }
      out->push_back(ModelToken{id, static_cast<uint32_t>(start), static_cast<uint32_t>(end)});
      start = end;
    }
  }

 private:
  static std::vector<std::pair<absl::string_view, int32_t>> TrieEntries(const PieceTable& vocab) {
    std::vector<std::pair<absl::string_view, int32_t>> entries;
    for (int32_t id = 0; id < vocab.num_pieces(); ++id) {
      if (vocab.Find(vocab.piece(id)) == id) entries.emplace_back(vocab.piece(id), id);
    }
    return entries;
  }

  PieceTrie trie_;                          // every entry, "##"-prefixed ones included
  int32_t prefix_node_ = PieceTrie::kRoot;  // the node of the prefix: -1 when no entry has it
  size_t max_chars_;
  int32_t unk_id_;
};

class WordLevel : public Model {
 public:
  WordLevel(const PieceTable* vocab, int32_t unk_id) : vocab_(vocab), unk_id_(unk_id) {}
  void Tokenize(absl::string_view piece, std::vector<ModelToken>* out) const override {
    const int32_t id = vocab_->Find(piece);
    out->push_back(ModelToken{id >= 0 ? id : unk_id_, 0, static_cast<uint32_t>(piece.size())});
  }

 private:
  const PieceTable* vocab_;
  int32_t unk_id_;
};

}  // namespace

// The unknown token's id: tokenizers fails on a piece it cannot encode when the unknown token
// is not in the vocabulary; xval refuses such a file when it is loaded.
absl::StatusOr<int32_t> ReadUnkId(const StageJson& json, std::string_view fallback) {
  std::string_view unk = OptString(json.json, "unk_token", fallback);
  const int32_t id = json.vocab->Find(A(unk));
  if (id < 0) {
    return json.file.Unsupported(
        json.Field("unk_token"),
        absl::StrCat("\"", A(unk),
                     "\" is not in the vocabulary (tokenizers fails on any piece it "
                     "cannot encode then)"));
  }
  return id;
}

ModelPtr MakeWordPieceModel(const StageJson& json) {
  absl::StatusOr<int32_t> unk = ReadUnkId(json, "[UNK]");
  if (!unk.ok()) return unk.status();
  int64_t max_chars = 100;
  simdjson::dom::element e;
  if (!json.json["max_input_chars_per_word"].get(e) &&
      (e.get_int64().get(max_chars) || max_chars < 0)) {
    return json.file.Error(json.Field("max_input_chars_per_word"), "expected a count");
  }
  return std::unique_ptr<Model>(new WordPiece(
      json.vocab, std::string(OptString(json.json, "continuing_subword_prefix", "##")),
      static_cast<size_t>(max_chars), *unk));
}

ModelPtr MakeWordLevelModel(const StageJson& json) {
  absl::StatusOr<int32_t> unk = ReadUnkId(json, "<unk>");
  if (!unk.ok()) return unk.status();
  return std::unique_ptr<Model>(new WordLevel(json.vocab, *unk));
}

}  // namespace xval::text::hf
