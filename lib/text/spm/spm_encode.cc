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
#include <cstring>
#include <memory>
#include <type_traits>

#include "absl/base/optimization.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "text/bpe/bpe_merge.h"
#include "text/piece_cache.h"
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
  // EncodeIdsInto's words of up to 15 bytes and their ids: 11 inline, as Llama writes each
  // digit of a number alone. A word with the dummy prefix is keyed apart (WordKey). Made
  // when the state is first given to a tokenizer: a thread keeps kCachesPerThread states,
  // most never used, and each table is 4 MiB.
  std::unique_ptr<BasicPieceCache<11>> word_ids;
  Encoding word_scratch;
  std::vector<uint32_t> unit_ends;  // EncodeRawWordIds' unit ends in a stretch

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
    if (victim->word_ids == nullptr) {
      victim->word_ids = std::make_unique<BasicPieceCache<11>>(16);
    } else {
      victim->word_ids->Clear();
    }
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

absl::Status SpmTokenizer::EncodeIdsInto(absl::string_view text, const EncodeOptions& options,
                                         std::vector<int32_t>* ids) const {
  return EncodeIdsWith(text, options, ids);
}

absl::Status SpmTokenizer::AppendIds(absl::string_view text, const EncodeOptions& options,
                                     LargeArray<int32_t>* ids) const {
  return EncodeIdsWith(text, options, ids);
}

template <class Ids>
absl::Status SpmTokenizer::EncodeIdsWith(absl::string_view text, const EncodeOptions& options,
                                         Ids* ids) const {
  const EncodeOptions o = ResolveSpecialTokens(options);
  const AddedTokenMatcher& matcher = o.parse_special ? matcher_ : plain_matcher_;
  // Without byte fallback, runs of <unk> merge across words (Emit): the general path.
  if (!raw_words_ || !config_.byte_fallback || !joined_to_boundary_.empty() ||
      (!matcher.empty() && MayHoldAddedToken(text))) {
    if constexpr (std::is_same_v<Ids, std::vector<int32_t>>) {
      return Tokenizer::EncodeIdsInto(text, options, ids);
    } else {
      return Tokenizer::AppendIds(text, options, ids);
    }
  }
  if (o.add_bos && config_.bos_id < 0) {
    return absl::InvalidArgumentError("the vocabulary has no BOS");
  }
  if (o.add_eos && config_.eos_id < 0) {
    return absl::InvalidArgumentError("the vocabulary has no EOS");
  }
  if (o.add_bos) ids->push_back(config_.bos_id);
  EncodeRawWordIds(text, PrefixFor(text, true, o), State(), ids);
  if (o.add_eos) ids->push_back(config_.eos_id);
  return absl::OkStatus();
}

namespace {

// The key of a raw word of up to 15 bytes; `prefix`: it takes the dummy-prefix "▁" (a bit above
// the length's four).
PieceKey WordKey(const unsigned char* text, size_t begin, size_t len, size_t n, bool prefix) {
  PieceKey key = PieceKey::Of(text, begin, len, n);
  key.hi |= static_cast<uint64_t>(prefix) << 60;
  return key;
}

}  // namespace

template <class Ids>
void SpmTokenizer::EncodeMissedWord(absl::string_view text, size_t begin, size_t end, bool prefix,
                                    ThreadState& state, Ids* ids) const {
  Encoding& scratch = state.word_scratch;
  scratch.Clear();
  EncodeRawWord(text.substr(begin, end - begin), prefix, 0, state, &scratch);
  ids->insert(ids->end(), scratch.ids.begin(), scratch.ids.end());
  const size_t len = end - begin;
  if (len <= PieceKey::kMaxLen) {
    const auto* t = reinterpret_cast<const unsigned char*>(text.data());
    state.word_ids->Put(WordKey(t, begin, len, text.size(), prefix), scratch.ids.data(),
                        scratch.ids.size());
  }
}

namespace {

// Whether text[p] (0 < p < n) starts a unit where unit_starts_ could not tell from two bytes:
// a word starts at a boundary (" " or "▁") whose previous character is not one.
bool UnitStartsAt(const unsigned char* t, size_t n, size_t p) {
  auto lower_bar_at = [&](size_t q) {
    return q + 3 <= n && t[q] == 0xE2 && t[q + 1] == 0x96 && t[q + 2] == 0x81;
  };
  if (t[p] != ' ' && !lower_bar_at(p)) return false;
  return t[p - 1] != ' ' && !(p >= 3 && lower_bar_at(p - 3));
}

}  // namespace

// The units of EncodeRawWords (with no character joined to a boundary): a word starts at a
// space or literal "▁" that follows another character, and is cut further where no merge can
// cross. Where units start is found a stretch at a time from each pair of bytes (unit_starts_,
// with no branch but for the rare pairs around a "▁"); then a group of units at a time, each
// unit of up to 15 bytes is one probe of the thread's word table, the group's entries fetched
// together before their probes. Ids gather on the stack before going to *ids in bulk.
template <class Ids>
void SpmTokenizer::EncodeRawWordIds(absl::string_view text, bool prefix, ThreadState& state,
                                    Ids* ids) const {
  state.prev_unknown = false;
  const auto* t = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  if (n == 0) return;
  using Table = BasicPieceCache<11>;
  Table& table = *state.word_ids;
  const Table::View cache(table);
  StagedIds<Table, Ids> staged(ids);
  const uint8_t* const starts = unit_starts_.data();
  const PieceKeys piece_keys(t, n);
  constexpr size_t kStretch = size_t{1} << 14;
  std::vector<uint32_t>& ends = state.unit_ends;
  ends.resize(kStretch + 1);
  // The units [begin, unit_ends[0]), [unit_ends[0], unit_ends[1]), ...; the text's first unit
  // takes the dummy prefix.
  constexpr size_t kGroup = 32;
  PieceKey keys[kGroup];
  const Table::Entry* entries[kGroup];
  auto encode_units = [&](size_t begin, const uint32_t* unit_ends, size_t count) {
    for (size_t group = 0; group < count; group += kGroup) {
      const size_t in_group = std::min(kGroup, count - group);
      for (size_t k = 0, b = begin; k < in_group; ++k) {
        const size_t e = unit_ends[group + k];
        keys[k] = piece_keys.Of(b, e - b);
        keys[k].hi |= static_cast<uint64_t>(prefix && b == 0) << 60;  // as WordKey
        entries[k] = &cache.At(keys[k]);
        __builtin_prefetch(entries[k]);
        b = e;
      }
      for (size_t k = 0; k < in_group; ++k) {
        const size_t end = unit_ends[group + k];
        const PieceKey& key = keys[k];
        const Table::Entry& e = *entries[k];
        // A unit of more than 15 bytes has a key no entry holds.
        if (ABSL_PREDICT_TRUE(e.lo == key.lo && e.hi == key.hi)) {
          staged.Copy(e);
          staged.Keep(e.count);
        } else if (const Table::Entry * second;
                   end - begin <= PieceKey::kMaxLen && (second = table.FindSecond(key))) {
          staged.Copy(*second);
          staged.Keep(second->count);
        } else {
          staged.AppendDirectly(
              [&] { EncodeMissedWord(text, begin, end, prefix && begin == 0, state, ids); });
        }
        begin = end;
      }
    }
  };
  size_t unit_begin = 0;
  for (size_t from = 1; from < n; from += kStretch) {
    const size_t to = std::min(n, from + kStretch);
    size_t count = 0;
    for (size_t p = from; p < to; ++p) {
      const uint8_t v = starts[t[p - 1] * 256 + t[p]];
      ends[count] = static_cast<uint32_t>(p);
      if (ABSL_PREDICT_FALSE(v == kLookAround)) {
        count += UnitStartsAt(t, n, p);
      } else {
        count += v;
      }
    }
    encode_units(unit_begin, ends.data(), count);
    if (count > 0) unit_begin = ends[count - 1];
  }
  const uint32_t last = static_cast<uint32_t>(n);
  encode_units(unit_begin, &last, 1);
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
