// The WordPiece and WordLevel models of a tokenizer.json. WordPiece (tokenizers
// models/wordpiece): the piece is covered greedily by the longest vocabulary entries from the
// left, all but the first written with continuing_subword_prefix ("##"); a piece that cannot be
// covered, or longer than max_input_chars_per_word characters, is the unknown token. WordLevel:
// the piece's id, or the unknown token.
#include "text/hf/stages.h"
#include "text/piece_table.h"

namespace xval::text::hf {
namespace {

class WordPiece : public Model {
 public:
  WordPiece(const PieceTable* vocab, std::string prefix, size_t max_chars, int32_t unk_id)
      : vocab_(vocab), prefix_(std::move(prefix)), max_chars_(max_chars), unk_id_(unk_id) {}

  void Tokenize(absl::string_view piece, std::vector<ModelToken>* out) const override {
    const auto whole = ModelToken{unk_id_, 0, static_cast<uint32_t>(piece.size())};
    size_t chars = 0;
    for (const char c : piece) chars += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    if (chars > max_chars_) {
      out->push_back(whole);
      return;
    }
    const size_t first = out->size();
    std::string sub;
    for (size_t start = 0; start < piece.size();) {
      size_t end = piece.size();
      int32_t id = -1;
      while (start < end) {
        sub.clear();
        if (start > 0) sub = prefix_;
        sub.append(piece.data() + start, end - start);
        id = vocab_->Find(sub);
        if (id >= 0) break;
        // Drop the last character.
        --end;
        while (end > start && (static_cast<unsigned char>(piece[end]) & 0xC0) == 0x80) --end;
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
  const PieceTable* vocab_;
  std::string prefix_;
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
