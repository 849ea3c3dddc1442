#include "text/spm/spm_tokenizer.h"

#include <atomic>

#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "text/bpe/bpe_merge.h"
#include "text/pretokenize/digits.h"
#include "util/utf8.h"

namespace xval::text {
namespace {

std::atomic<uint64_t> next_instance_id{1};

// Words longer than this are merged every time rather than cached.
constexpr size_t kMaxCachedWord = 256;
// The cache is dropped when it grows past this many words, bounding memory per thread.
constexpr size_t kMaxCachedWords = 1 << 17;

std::vector<AddedToken> NonSpecial(const std::vector<AddedToken>& tokens) {
  std::vector<AddedToken> plain;
  for (const AddedToken& t : tokens) {
    if (!t.special) plain.push_back(t);
  }
  return plain;
}

}  // namespace

// Per-thread scratch space and word cache. A thread that switches tokenizers drops its cache.
struct SpmTokenizer::ThreadState {
  struct CachedToken {
    int32_t id;
    uint32_t begin, end;  // bytes of the word
  };
  uint64_t owner = 0;
  absl::flat_hash_map<std::string, absl::InlinedVector<CachedToken, 4>> cache;
  BpeMerger merger;
  std::vector<BpeSymbol> symbols;
  std::vector<CachedToken> tokens;
  std::string normalized;
  std::vector<uint32_t> to_input;
  bool prev_unknown = false;  // the last token emitted was a model <unk> (for merging runs)

  static ThreadState& For(uint64_t owner) {
    thread_local ThreadState state;
    if (state.owner != owner) {
      state.cache.clear();
      state.owner = owner;
    }
    return state;
  }
};

SpmTokenizer::SpmTokenizer(SpmConfig config, const TokenizerOptions& options)
    : config_(std::move(config)),
      options_(options),
      matcher_(config_.added_tokens),
      plain_matcher_(NonSpecial(config_.added_tokens)),
      user_defined_(config_.user_defined),
      instance_id_(next_instance_id.fetch_add(1)) {
  boundary_ = config_.normalizer.escape_whitespaces ? std::string(kSpaceSymbol) : " ";
  cut_words_ = config_.vocab.CanCutBefore(boundary_);
}

absl::StatusOr<std::unique_ptr<SpmTokenizer>> SpmTokenizer::Create(
    SpmConfig config, const TokenizerOptions& options) {
  if (config.normalizer.treat_whitespace_as_suffix) {
    return absl::UnimplementedError(
        absl::StrCat(config.source, ": treat_whitespace_as_suffix is not supported"));
  }
  for (int32_t id = 0; id < config.vocab.size(); ++id) {
    if (config.vocab.piece(id).type == PieceType::kUnused) {
      return absl::UnimplementedError(absl::StrCat(
          config.source, ": piece ", id, " is of type UNUSED, which is not supported"));
    }
  }
  if (config.byte_fallback && !config.vocab.has_byte_pieces()) {
    return absl::InvalidArgumentError(
        absl::StrCat(config.source, ": byte_fallback is on but the vocabulary has no <0xXX> pieces"));
  }
  if (!config.byte_fallback && config.unk_id < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(config.source, ": the vocabulary has no unknown piece and no byte fallback"));
  }
  return std::unique_ptr<SpmTokenizer>(new SpmTokenizer(std::move(config), options));
}

int32_t SpmTokenizer::vocab_size() const {
  int32_t n = config_.vocab.size();
  for (const AddedToken& t : config_.added_tokens) n = std::max(n, t.id + 1);
  return n;
}

absl::StatusOr<std::string> SpmTokenizer::IdToPiece(int32_t id) const {
  if (id >= 0 && id < config_.vocab.size()) return config_.vocab.piece(id).piece;
  for (const AddedToken& t : config_.added_tokens) {
    if (t.id == id) return t.content;
  }
  return absl::OutOfRangeError(absl::StrCat("id ", id, " is outside the vocabulary (size ",
                                            vocab_size(), ")"));
}

absl::StatusOr<int32_t> SpmTokenizer::PieceToId(absl::string_view piece) const {
  for (const AddedToken& t : config_.added_tokens) {
    if (t.content == piece) return t.id;
  }
  const int32_t id = config_.vocab.Find(piece);
  if (id < 0) return absl::NotFoundError(absl::StrCat("no piece \"", piece, "\""));
  return id;
}

absl::Status SpmTokenizer::AddTokens(absl::Span<const AddedToken> tokens) {
  for (AddedToken t : tokens) {
    if (t.content.empty()) return absl::InvalidArgumentError("an added token must not be empty");
    if (auto id = PieceToId(t.content); id.ok()) {
      t.id = *id;
    } else {
      t.id = vocab_size();
    }
    bool present = false;
    for (const AddedToken& a : config_.added_tokens) present |= a.content == t.content;
    if (!present) config_.added_tokens.push_back(t);
  }
  matcher_ = AddedTokenMatcher(config_.added_tokens);
  plain_matcher_ = AddedTokenMatcher(NonSpecial(config_.added_tokens));
  return absl::OkStatus();
}

absl::StatusOr<Encoding> SpmTokenizer::Encode(absl::string_view text,
                                              const EncodeOptions& options) const {
  Encoding out;
  out.ids.reserve(text.size() / 3 + 2);
  out.values.reserve(text.size() / 3 + 2);
  out.offsets.reserve(text.size() / 3 + 2);
  if (options.add_bos) {
    if (config_.bos_id < 0) return absl::FailedPreconditionError("the vocabulary has no BOS");
    out.Append(config_.bos_id, Offset{0, 0});
  }
  EncodeInto(text, options.parse_special, &out);
  if (options.add_eos) {
    if (config_.eos_id < 0) return absl::FailedPreconditionError("the vocabulary has no EOS");
    const uint32_t end = static_cast<uint32_t>(text.size());
    out.Append(config_.eos_id, Offset{end, end});
  }
  return out;
}

void SpmTokenizer::EncodeInto(absl::string_view text, bool parse_special, Encoding* out) const {
  const AddedTokenMatcher& matcher = parse_special ? matcher_ : plain_matcher_;
  if (matcher.empty()) {
    EncodeText(text, 0, out);
    return;
  }
  matcher.Split(
      text,
      [&](size_t b, size_t e) { EncodeText(text.substr(b, e - b), static_cast<uint32_t>(b), out); },
      [&](const AddedToken& t, size_t b, size_t e) {
        out->Append(t.id, Offset{static_cast<uint32_t>(b), static_cast<uint32_t>(e)});
      });
}

void SpmTokenizer::EncodeText(absl::string_view text, uint32_t base, Encoding* out) const {
  ThreadState& state = ThreadState::For(instance_id_);
  SpmNormalize(config_.normalizer, text, base, &state.normalized, &state.to_input);
  state.prev_unknown = false;
  const absl::string_view norm = state.normalized;
  const uint32_t* to_input = state.to_input.data();
  if (user_defined_.empty()) {
    EncodeNormalized(norm, to_input, state, out);
    return;
  }
  user_defined_.Split(
      norm,
      [&](size_t b, size_t e) { EncodeNormalized(norm.substr(b, e - b), to_input + b, state, out); },
      [&](const AddedToken& t, size_t b, size_t e) {
        out->Append(t.id, Offset{to_input[b], to_input[e]});
        state.prev_unknown = false;
      });
}

// Cuts normalized text into words and digit groups, and encodes each.
void SpmTokenizer::EncodeNormalized(absl::string_view norm, const uint32_t* to_input,
                                    ThreadState& state, Encoding* out) const {
  auto encode_word = [&](size_t b, size_t e) {
    SplitDigits(norm.substr(b, e - b), options_.digits, [&](size_t pb, size_t pe) {
      EncodeWord(norm.substr(b + pb, pe - pb), to_input + b + pb, state, out);
    });
  };
  if (!cut_words_) {
    encode_word(0, norm.size());
    return;
  }
  // A word starts at each boundary ("▁") that follows another character.
  const absl::string_view bnd = boundary_;
  size_t word_begin = 0;
  bool prev_is_boundary = false;
  for (size_t i = 0; i < norm.size();) {
    if (norm[i] == bnd[0] && norm.compare(i, bnd.size(), bnd) == 0) {
      if (!prev_is_boundary && i > word_begin) {
        encode_word(word_begin, i);
        word_begin = i;
      }
      prev_is_boundary = true;
      i += bnd.size();
    } else {
      prev_is_boundary = false;
      ++i;
    }
  }
  if (norm.size() > word_begin) encode_word(word_begin, norm.size());
}

void SpmTokenizer::EncodeWord(absl::string_view word, const uint32_t* to_input,
                              ThreadState& state, Encoding* out) const {
  using CachedToken = ThreadState::CachedToken;
  const int32_t unk = config_.unk_id;
  auto emit = [&](const CachedToken& t) {
    const Offset span{to_input[t.begin], to_input[t.end]};
    // Without byte fallback, sentencepiece merges a run of unknown pieces into one.
    const bool unknown = !config_.byte_fallback && t.id == unk;
    if (unknown && state.prev_unknown) {
      out->offsets.back().end = span.end;
    } else {
      out->Append(t.id, span);
    }
    state.prev_unknown = unknown;
  };

  const bool cacheable = word.size() <= kMaxCachedWord;
  if (cacheable) {
    if (auto it = state.cache.find(word); it != state.cache.end()) {
      for (const CachedToken& t : it->second) emit(t);
      return;
    }
  }

  // Characters to initial symbols, then BPE.
  state.symbols.clear();
  for (size_t i = 0, len; i < word.size(); i += len) {
    util::DecodeUtf8(word.data() + i, word.size() - i, &len);
    state.symbols.push_back(BpeSymbol{config_.vocab.CharSymbol(word.substr(i, len)),
                                      static_cast<uint32_t>(i), static_cast<uint32_t>(len)});
  }
  state.merger.Merge(config_.vocab, &state.symbols);

  // Symbols to tokens: a character outside the vocabulary becomes its bytes (byte fallback)
  // or <unk>, as sentencepiece does after BPE.
  auto& tokens = state.tokens;
  tokens.clear();
  for (const BpeSymbol& s : state.symbols) {
    const uint32_t b = s.begin, e = s.begin + s.len;
    if (s.id >= 0 && s.id < config_.vocab.size()) {
      tokens.push_back(CachedToken{s.id, b, e});
    } else if (config_.byte_fallback) {
      for (uint32_t k = b; k < e; ++k) {
        const int32_t id = config_.vocab.byte_id(static_cast<uint8_t>(word[k]));
        tokens.push_back(CachedToken{id >= 0 ? id : unk, b, e});
      }
    } else {
      tokens.push_back(CachedToken{unk, b, e});
    }
  }
  for (const CachedToken& t : tokens) emit(t);
  if (!cacheable) return;
  if (state.cache.size() >= kMaxCachedWords) state.cache.clear();
  state.cache.emplace(std::string(word),
                      absl::InlinedVector<CachedToken, 4>(tokens.begin(), tokens.end()));
}

}  // namespace xval::text
