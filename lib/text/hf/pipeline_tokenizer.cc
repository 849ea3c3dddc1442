#include "text/hf/pipeline_tokenizer.h"

#include <atomic>
#include <cctype>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "util/status_macros.h"

namespace xval::text::hf {
namespace {

std::atomic<uint64_t> next_instance_id{1};
// Pieces longer than this are tokenized every time rather than cached.
constexpr size_t kMaxCachedPiece = 64;
// The cache takes no more pieces once it holds this many, bounding memory per thread (as
// tokenizers' own cache does: the pieces seen first stay, and a long tail does not evict them).
constexpr size_t kMaxCachedPieces = 1 << 17;

// Per-thread cache of the model's tokens for a piece (most words recur), keyed by the
// tokenizer's instance id: a thread that switches tokenizers drops it.
struct PieceCache {
  // Pieces are short words: a byte loop compares them faster than a call to memcmp.
  struct Eq {
    using is_transparent = void;
    bool operator()(absl::string_view a, absl::string_view b) const {
      if (a.size() != b.size()) return false;
      for (size_t i = 0; i < a.size(); ++i) {
        if (a[i] != b[i]) return false;
      }
      return true;
    }
  };
  struct Hash {
    using is_transparent = void;
    size_t operator()(absl::string_view s) const { return absl::Hash<absl::string_view>()(s); }
  };
  uint64_t owner = 0;
  absl::flat_hash_map<std::string, std::vector<ModelToken>, Hash, Eq> tokens;

  static PieceCache& For(uint64_t owner) {
    thread_local PieceCache cache;
    if (cache.owner != owner) {
      cache.tokens.clear();
      cache.owner = owner;
    }
    return cache;
  }
};

// The model's vocabulary by id: model.vocab, an object piece -> id (BPE, WordPiece, WordLevel)
// or an array of [piece, score] (Unigram).
absl::StatusOr<std::vector<std::string>> ReadPieces(const JsonFile& f, simdjson::dom::element model,
                                                    std::string_view type) {
  std::vector<std::string> pieces;
  if (type == "Unigram") {
    simdjson::dom::array vocab;
    if (model["vocab"].get_array().get(vocab)) return f.Error("model.vocab", "expected an array");
    for (simdjson::dom::element entry : vocab) {
      std::string_view piece;
      if (entry.at(0).get_string().get(piece)) {
        return f.Error(absl::StrCat("model.vocab[", pieces.size(), "]"), "expected [piece, score]");
      }
      pieces.emplace_back(piece);
    }
    return pieces;
  }
  ASSIGN_OR_RETURN(const auto views, ReadVocab(f, model));
  pieces.reserve(views.size());
  for (const std::string_view v : views) pieces.emplace_back(v);
  return pieces;
}

}  // namespace

absl::StatusOr<std::unique_ptr<PipelineTokenizer>> PipelineTokenizer::FromJson(
    absl::string_view data, absl::string_view source, const TokenizerOptions& options) {
  JsonFile f(source);
  if (options.digits.enabled()) {
    return f.Unsupported("model",
                         "digit splitting is not supported for this tokenizer.json's "
                         "pipeline yet");
  }
  simdjson::dom::parser parser;
  simdjson::padded_string json(data.data(), data.size());
  simdjson::dom::element root, model;
  if (auto err = parser.parse(json).get(root)) return f.Error("JSON", simdjson::error_message(err));
  if (root["model"].get(model)) return f.Error("model", "missing");
  std::string_view type;
  if (model["type"].get_string().get(type)) return f.Error("model.type", "missing or not a string");
  RETURN_IF_ERROR(RefuseTruncationAndPadding(f, root));
  if (!IsRegisteredModel(type)) return MakeModel(StageJson{f, model, "model"}).status();
  ASSIGN_OR_RETURN(std::vector<std::string> pieces, ReadPieces(f, model, type));
  const bool has_normalizer = Present(root, "normalizer");
  ASSIGN_OR_RETURN(std::vector<AddedToken> added,
                   ReadAddedTokens(f, root, pieces.size(), has_normalizer, /*all_flags=*/true));

  std::unique_ptr<PipelineTokenizer> t(new PipelineTokenizer());
  t->table_.Init(std::move(pieces), std::move(added));
  simdjson::dom::element e;
  if (has_normalizer && !root["normalizer"].get(e)) {
    ASSIGN_OR_RETURN(t->normalizer_, MakeNormalizer(StageJson{f, e, "normalizer", &t->table_}));
  }
  if (Present(root, "pre_tokenizer") && !root["pre_tokenizer"].get(e)) {
    ASSIGN_OR_RETURN(t->pre_tokenizer_,
                     MakePreTokenizer(StageJson{f, e, "pre_tokenizer", &t->table_}));
  }
  ASSIGN_OR_RETURN(t->model_, MakeModel(StageJson{f, model, "model", &t->table_}));
  if (Present(root, "decoder") && !root["decoder"].get(e)) {
    ASSIGN_OR_RETURN(t->decoder_, MakeDecoder(StageJson{f, e, "decoder", &t->table_}));
  }
  std::vector<int64_t> before, after;
  RETURN_IF_ERROR(ReadPostProcessor(f, root, &before, &after));
  for (const std::vector<int64_t>* ids : {&before, &after}) {
    for (const int64_t id : *ids) {
      if (id < 0 || id >= t->table_.vocab_size()) {
        return f.Error("post_processor", absl::StrCat("id ", id, " is outside the vocabulary"));
      }
    }
  }
  t->before_.assign(before.begin(), before.end());
  t->after_.assign(after.begin(), after.end());
  if (t->before_.size() == 1) t->bos_id_ = t->before_[0];
  if (t->after_.size() == 1) t->eos_id_ = t->after_[0];
  t->SetSpecialTokens(!t->before_.empty(), !t->after_.empty());
  t->instance_id_ = next_instance_id.fetch_add(1);
  t->IndexAdded();
  return t;
}

void PipelineTokenizer::IndexAdded() {
  std::vector<AddedToken> raw, norm;
  added_by_id_.clear();
  const std::vector<AddedToken>& added = table_.added();
  for (size_t i = 0; i < added.size(); ++i) {
    (added[i].normalized && normalizer_ != nullptr ? norm : raw).push_back(added[i]);
    added_by_id_.emplace(added[i].id, i);
  }
  raw_all_ = std::make_unique<AddedTokenMatcher>(raw);
  raw_plain_ = std::make_unique<AddedTokenMatcher>(NonSpecial(raw));
  norm_all_ = std::make_unique<AddedTokenMatcher>(norm);
  norm_plain_ = std::make_unique<AddedTokenMatcher>(NonSpecial(norm));
}

absl::Status PipelineTokenizer::AddTokens(absl::Span<const AddedToken> tokens) {
  RETURN_IF_ERROR(table_.AddTokens(tokens, *this));
  instance_id_ = next_instance_id.fetch_add(1);  // cached pieces may hold the old ids
  IndexAdded();
  return absl::OkStatus();
}

absl::Status PipelineTokenizer::EncodeInto(absl::string_view text, const EncodeOptions& options,
                                           uint32_t base, Encoding* out) const {
  if (options.add_bos && bos_id_ < 0)
    return absl::InvalidArgumentError("the vocabulary has no BOS");
  if (options.add_eos && eos_id_ < 0)
    return absl::InvalidArgumentError("the vocabulary has no EOS");
  const bool special = options.add_special_tokens;
  const Offset start{base, base};
  if (options.add_bos && !(special && !before_.empty() && before_[0] == bos_id_)) {
    out->Append(bos_id_, start);
  }
  if (special) {
    for (const int32_t id : before_) out->Append(id, start);
  }
  const AddedTokenMatcher& raw = options.parse_special ? *raw_all_ : *raw_plain_;
  raw.Split(
      text,
      [&](size_t b, size_t e) {
        EncodeStretch(text.substr(b, e - b), static_cast<uint32_t>(b), base, options.parse_special,
                      out);
      },
      [&](const AddedToken& t, size_t b, size_t e) {
        out->Append(t.id, Offset{base + static_cast<uint32_t>(b), base + static_cast<uint32_t>(e)});
      });
  // Offsets so far are relative to `text` (the pre-tokenizers ask whether a piece starts it).
  const Offset end{base + static_cast<uint32_t>(text.size()),
                   base + static_cast<uint32_t>(text.size())};
  if (special) {
    for (const int32_t id : after_) out->Append(id, end);
  }
  if (options.add_eos && !(special && !after_.empty() && after_.back() == eos_id_)) {
    out->Append(eos_id_, end);
  }
  return absl::OkStatus();
}

void PipelineTokenizer::EncodeStretch(absl::string_view text, uint32_t offset, uint32_t base,
                                      bool parse_special, Encoding* out) const {
  AlignedText t = AlignedText::Identity(text, offset);
  if (normalizer_ != nullptr) normalizer_->Normalize(&t);
  const AddedTokenMatcher& norm = parse_special ? *norm_all_ : *norm_plain_;
  if (norm.empty()) {
    EncodePieces(t, Range{0, static_cast<uint32_t>(t.text.size())}, base, out);
    return;
  }
  norm.Split(
      t.text,
      [&](size_t b, size_t e) {
        EncodePieces(t, Range{static_cast<uint32_t>(b), static_cast<uint32_t>(e)}, base, out);
      },
      [&](const AddedToken& token, size_t b, size_t e) {
        const Offset span = t.Span(b, e);
        out->Append(token.id, Offset{base + span.begin, base + span.end});
      });
}

void PipelineTokenizer::EncodePieces(const AlignedText& text, Range range, uint32_t base,
                                     Encoding* out) const {
  if (range.end <= range.begin) return;
  thread_local PieceList pieces;  // its buffers are kept from call to call
  pieces.text = &text;
  pieces.ranges.assign(1, range);
  if (pre_tokenizer_ != nullptr) pre_tokenizer_->Split(&pieces);
  PieceCache& cache = PieceCache::For(instance_id_);
  std::vector<ModelToken> scratch;
  for (const Range r : pieces.ranges) {
    const absl::string_view piece = pieces.View(r);
    const std::vector<ModelToken>* tokens = &scratch;
    auto it = piece.size() <= kMaxCachedPiece ? cache.tokens.find(piece) : cache.tokens.end();
    if (it != cache.tokens.end()) {
      tokens = &it->second;
    } else if (piece.size() <= kMaxCachedPiece && cache.tokens.size() < kMaxCachedPieces) {
      it = cache.tokens.try_emplace(piece).first;
      model_->Tokenize(piece, &it->second);
      tokens = &it->second;
    } else {
      scratch.clear();
      model_->Tokenize(piece, &scratch);
    }
    for (const ModelToken& token : *tokens) {
      const Offset span = token.end > token.begin
                              ? pieces.text->Span(r.begin + token.begin, r.begin + token.end)
                              : pieces.text->from[r.begin + token.begin];
      out->Append(token.id, Offset{base + span.begin, base + span.end});
    }
  }
}

bool PipelineTokenizer::OpensRun(int32_t id) const {
  if (decoder_ == nullptr || !decoder_->ReadsByteRuns() || id < 0 || id >= table_.num_pieces() ||
      added_by_id_.contains(id)) {
    return false;
  }
  const std::string& p = table_.piece(id);
  return p.size() == 6 && p.compare(0, 3, "<0x") == 0 && p[5] == '>' &&
         std::isxdigit(static_cast<unsigned char>(p[3])) &&
         std::isxdigit(static_cast<unsigned char>(p[4]));
}

absl::StatusOr<std::string> PipelineTokenizer::DecodeTokens(absl::Span<const int32_t> ids,
                                                            bool keep_special) const {
  std::vector<std::string> tokens;
  tokens.reserve(ids.size());
  for (const int32_t id : ids) {
    if (auto it = added_by_id_.find(id); it != added_by_id_.end()) {
      const AddedToken& t = table_.added()[it->second];
      if (!t.special || keep_special) tokens.push_back(t.content);
      continue;
    }
    if (id < 0 || id >= table_.num_pieces() || table_.piece(id).empty()) {
      return absl::OutOfRangeError(
          absl::StrCat("id ", id, " is outside the vocabulary (", vocab_size(), " tokens)"));
    }
    tokens.push_back(table_.piece(id));
  }
  if (decoder_ == nullptr) return absl::StrJoin(tokens, " ");
  decoder_->Decode(&tokens);
  return absl::StrJoin(tokens, "");
}

}  // namespace xval::text::hf
