// SpmTokenizer's encoder: normalization, word cutting, the per-thread word cache and BPE.
//
// The fast path (raw_words_, true for Llama): sentencepiece's identity normalizer maps each
// input character on its own (a space to "▁", an invalid byte to U+FFFD), and merges cross the
// start of a "▁..." word only after a character that some piece joins to a "▁" (none in Llama's
// vocabulary, one in Gemma's), so the raw text is cut into words in place (a word starts at a
// space, or a literal "▁", that follows another character but those) and each word is looked up by
// its raw bytes in the cache, whose tokens carry offsets into the raw word. Only a word not in
// the cache is normalized and merged. The first word of a text is cached apart when it carries
// the dummy-prefix "▁".
//
// The general path normalizes the whole text first (remove_extra_whitespaces needs context,
// user-defined pieces are matched in normalized text), then cuts and caches normalized words.
#include <array>

#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "text/bpe/bpe_merge.h"
#include "text/pretokenize/digits.h"
#include "text/spm/spm_tokenizer.h"
#include "util/utf8.h"

namespace xval::text {
namespace {

// Words longer than this are merged every time rather than cached.
constexpr size_t kMaxCachedWord = 256;
// A cache is dropped when it grows past this many words, bounding memory per thread.
constexpr size_t kMaxCachedWords = 1 << 17;
// Tokenizers whose caches one thread keeps at once (least recently used goes first).
constexpr size_t kCachesPerThread = 4;

}  // namespace

// One token of a word or piece: an id and the bytes it covers, relative to the word.
struct SpmTokenizer::PieceToken {
  int32_t id;
  uint32_t begin, end;
};

// Per-thread scratch space and word caches, one set per tokenizer instance.
struct SpmTokenizer::ThreadState {
  // A cached token: offsets fit 16 bits since cached words are short. Small entries keep more
  // of the cache in the processor's caches (it is the hot data of encoding).
  struct CachedToken {
    int32_t id;
    uint16_t begin, end;
    PieceToken Widen() const { return PieceToken{id, begin, end}; }
  };
  static_assert(kMaxCachedWord < 65536);
  using Tokens = absl::InlinedVector<CachedToken, 3>;
  static Tokens Narrow(const std::vector<PieceToken>& tokens) {
    Tokens out;
    for (const PieceToken& t : tokens) {
      out.push_back(
          CachedToken{t.id, static_cast<uint16_t>(t.begin), static_cast<uint16_t>(t.end)});
    }
    return out;
  }
  // Words of one byte (" " before a number, "," or "." after one: common in xVal's stretches)
  // by direct index instead of hashing, for words without and with the dummy prefix.
  struct ByteWord {
    bool known = false;
    Tokens tokens;
  };
  std::array<std::array<ByteWord, 256>, 2> byte_words;
  uint64_t owner = 0;
  uint64_t last_used = 0;
  // Raw words (second word on, and first word with its dummy prefix), and normalized words.
  std::array<absl::flat_hash_map<std::string, Tokens>, 2> raw_cache;
  absl::flat_hash_map<std::string, Tokens> normalized_cache;
  BpeMerger merger;
  std::vector<BpeSymbol> symbols;
  std::vector<PieceToken> tokens, piece_tokens;
  std::string normalized;
  std::vector<uint32_t> to_input;
  bool prev_unknown = false;  // the last token emitted was a model <unk> (for merging runs)

  static ThreadState& For(uint64_t owner) {
    thread_local std::array<ThreadState, kCachesPerThread> states;
    thread_local uint64_t clock = 0;
    ThreadState* victim = &states[0];
    for (ThreadState& s : states) {
      if (s.owner == owner) {
        s.last_used = ++clock;
        return s;
      }
      if (s.last_used < victim->last_used) victim = &s;
    }
    for (auto& c : victim->raw_cache) c.clear();
    for (auto& words : victim->byte_words) words.fill(ByteWord{});
    victim->normalized_cache.clear();
    victim->owner = owner;
    victim->last_used = ++clock;
    return *victim;
  }
};

SpmTokenizer::ThreadState& SpmTokenizer::State() const { return ThreadState::For(instance_id_); }

void SpmTokenizer::EncodeRawText(absl::string_view text, uint32_t base, bool prefix,
                                 ThreadState& state, Encoding* out) const {
  state.prev_unknown = false;
  EncodeRawWords(text, base, prefix, state, out);
}

void SpmTokenizer::EncodeText(absl::string_view text, uint32_t base, bool prefix,
                              ThreadState& state, Encoding* out) const {
  if (raw_words_) {
    EncodeRawText(text, base, prefix, state, out);
    return;
  }
  state.prev_unknown = false;
  SpmNormalizerSpec spec = config_.normalizer;
  spec.add_dummy_prefix = prefix;
  SpmNormalize(spec, text, base, &state.normalized, &state.to_input);
  // Words below reuse the scratch buffers, so keep the normalized text apart.
  const std::string norm_text = std::move(state.normalized);
  const std::vector<uint32_t> to_input = std::move(state.to_input);
  const absl::string_view norm = norm_text;
  if (user_defined_.empty()) {
    EncodeNormalized(norm, to_input.data(), state, out);
    return;
  }
  user_defined_.Split(
      norm,
      [&](size_t b, size_t e) {
        EncodeNormalized(norm.substr(b, e - b), to_input.data() + b, state, out);
      },
      [&](const AddedToken& t, size_t b, size_t e) {
        out->Append(t.id, Offset{to_input[b], to_input[e]});
        state.prev_unknown = false;
      });
}

bool SpmTokenizer::CutsAfter(absl::string_view prev_char) const {
  if (joined_to_boundary_.empty()) return true;
  const unsigned char lead = static_cast<unsigned char>(prev_char[0]);
  if (prev_char.size() == 1 && lead < 128) return !ascii_joined_to_boundary_[lead];
  size_t len = 0;
  if (!util::IsValidUtf8Char(prev_char.data(), prev_char.size(), &len) || len != prev_char.size()) {
    prev_char = "\xEF\xBF\xBD";
  }
  return !joined_to_boundary_.contains(prev_char);
}

void SpmTokenizer::EncodeRawWords(absl::string_view text, uint32_t base, bool prefix,
                                  ThreadState& state, Encoding* out) const {
  const size_t n = text.size();
  size_t word_begin = 0;
  size_t char_begin = 0;  // where the character before i starts
  bool prev_space = false;
  bool first = true;
  for (size_t i = 0; i < n;) {
    const char c = text[i];
    size_t len = 0;  // bytes of a space or literal "▁" at i, else 0
    if (c == ' ') {
      len = 1;
    } else if (c == kSpaceSymbol[0] && text.substr(i, kSpaceSymbol.size()) == kSpaceSymbol) {
      len = kSpaceSymbol.size();
    }
    if (len == 0) {
      if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) char_begin = i;
      prev_space = false;
      ++i;
      continue;
    }
    if (!prev_space && i > word_begin && CutsAfter(text.substr(char_begin, i - char_begin))) {
      EncodeRawWord(text.substr(word_begin, i - word_begin), first && prefix, base + word_begin,
                    state, out);
      first = false;
      word_begin = i;
    }
    prev_space = true;
    i += len;
  }
  if (n > word_begin) {
    EncodeRawWord(text.substr(word_begin), first && prefix, base + word_begin, state, out);
  }
}

void SpmTokenizer::EncodeRawWord(absl::string_view word, bool prefix, uint32_t base,
                                 ThreadState& state, Encoding* out) const {
  auto& cache = state.raw_cache[prefix ? 1 : 0];
  ThreadState::ByteWord* byte_word =
      word.size() == 1
          ? &state.byte_words[prefix ? 1 : 0][static_cast<unsigned char>(word[0])]
          : nullptr;
  if (byte_word != nullptr && byte_word->known) {
    for (const ThreadState::CachedToken& t : byte_word->tokens) Emit(t.Widen(), base, state, out);
    return;
  }
  const bool cacheable = byte_word == nullptr && word.size() <= kMaxCachedWord;
  if (cacheable) {
    if (auto it = cache.find(word); it != cache.end()) {
      for (const ThreadState::CachedToken& t : it->second) Emit(t.Widen(), base, state, out);
      return;
    }
  }
  SpmNormalizerSpec spec = config_.normalizer;
  spec.add_dummy_prefix = prefix;
  SpmNormalize(spec, word, 0, &state.normalized, &state.to_input);
  const absl::string_view norm = state.normalized;
  auto& tokens = state.tokens;
  tokens.clear();
  SplitDigits(norm, options_.digits, [&](size_t b, size_t e) {
    TokenizePiece(norm.substr(b, e - b), state, &state.piece_tokens);
    for (const PieceToken& t : state.piece_tokens) {
      tokens.push_back(PieceToken{t.id, state.to_input[b + t.begin], state.to_input[b + t.end]});
    }
  });
  for (const PieceToken& t : tokens) Emit(t, base, state, out);
  if (byte_word != nullptr) {
    byte_word->tokens = ThreadState::Narrow(tokens);
    byte_word->known = true;
    return;
  }
  if (!cacheable) return;
  if (cache.size() >= kMaxCachedWords) cache.clear();
  cache.emplace(std::string(word), ThreadState::Narrow(tokens));
}

// Cuts normalized text into words, and encodes each.
void SpmTokenizer::EncodeNormalized(absl::string_view norm, const uint32_t* to_input,
                                    ThreadState& state, Encoding* out) const {
  auto encode_word = [&](size_t b, size_t e) {
    EncodeNormalizedWord(norm.substr(b, e - b), to_input + b, state, out);
  };
  // A word starts at each boundary ("▁") that follows another character, but for a character
  // a piece joins to it.
  const absl::string_view bnd = boundary_;
  size_t word_begin = 0;
  size_t char_begin = 0;  // where the character before i starts
  bool prev_is_boundary = false;
  for (size_t i = 0; i < norm.size();) {
    if (norm[i] == bnd[0] && norm.substr(i, bnd.size()) == bnd) {
      if (!prev_is_boundary && i > word_begin &&
          CutsAfter(norm.substr(char_begin, i - char_begin))) {
        encode_word(word_begin, i);
        word_begin = i;
      }
      prev_is_boundary = true;
      i += bnd.size();
    } else {
      if ((static_cast<unsigned char>(norm[i]) & 0xC0) != 0x80) char_begin = i;
      prev_is_boundary = false;
      ++i;
    }
  }
  if (norm.size() > word_begin) encode_word(word_begin, norm.size());
}

void SpmTokenizer::EncodeNormalizedWord(absl::string_view word, const uint32_t* to_input,
                                        ThreadState& state, Encoding* out) const {
  // Tokens hold offsets into the normalized word; Emit maps them to the input.
  auto emit = [&](const PieceToken& t) {
    Emit(PieceToken{t.id, to_input[t.begin], to_input[t.end]}, 0, state, out);
  };
  auto& cache = state.normalized_cache;
  const bool cacheable = word.size() <= kMaxCachedWord;
  if (cacheable) {
    if (auto it = cache.find(word); it != cache.end()) {
      for (const ThreadState::CachedToken& t : it->second) emit(t.Widen());
      return;
    }
  }
  auto& tokens = state.tokens;
  tokens.clear();
  SplitDigits(word, options_.digits, [&](size_t b, size_t e) {
    TokenizePiece(word.substr(b, e - b), state, &state.piece_tokens);
    for (const PieceToken& t : state.piece_tokens) {
      tokens.push_back(
          PieceToken{t.id, static_cast<uint32_t>(b + t.begin), static_cast<uint32_t>(b + t.end)});
    }
  });
  for (const PieceToken& t : tokens) emit(t);
  if (!cacheable) return;
  if (cache.size() >= kMaxCachedWords) cache.clear();
  cache.emplace(std::string(word), ThreadState::Narrow(tokens));
}

// BPE on one normalized piece. A character outside the vocabulary becomes its bytes (byte
// fallback) or <unk>, as sentencepiece does after BPE; the byte tokens of one character all
// cover that character.
void SpmTokenizer::TokenizePiece(absl::string_view piece, ThreadState& state,
                                 std::vector<PieceToken>* tokens) const {
  state.symbols.clear();
  for (size_t i = 0, len; i < piece.size(); i += len) {
    util::DecodeUtf8(piece.data() + i, piece.size() - i, &len);
    state.symbols.push_back(BpeSymbol{config_.vocab.CharSymbol(piece.substr(i, len)),
                                      static_cast<uint32_t>(i), static_cast<uint32_t>(len)});
  }
  state.merger.Merge(config_.vocab, &state.symbols);
  tokens->clear();
  const int32_t unk = config_.unk_id;
  for (const BpeSymbol& s : state.symbols) {
    const uint32_t b = s.begin, e = s.begin + s.len;
    if (s.id >= 0 && s.id < config_.vocab.size()) {
      tokens->push_back(PieceToken{s.id, b, e});
    } else if (config_.byte_fallback) {
      for (uint32_t k = b; k < e; ++k) {
        const int32_t id = config_.vocab.byte_id(static_cast<uint8_t>(piece[k]));
        tokens->push_back(PieceToken{id >= 0 ? id : unk, b, e});
      }
    } else {
      tokens->push_back(PieceToken{unk, b, e});
    }
  }
}

void SpmTokenizer::Emit(const PieceToken& t, uint32_t base, ThreadState& state,
                        Encoding* out) const {
  const Offset span{base + t.begin, base + t.end};
  // Without byte fallback, sentencepiece merges a run of unknown pieces into one.
  const bool unknown = !config_.byte_fallback && t.id == config_.unk_id;
  if (unknown && state.prev_unknown) {
    out->offsets.back().end = span.end;
  } else {
    out->Append(t.id, span);
  }
  state.prev_unknown = unknown;
}

}  // namespace xval::text
