#include "text/bytelevel/bytelevel_tokenizer.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>
#include <type_traits>

#include "absl/base/optimization.h"
#include "absl/strings/str_cat.h"
#include "text/bytelevel/bytelevel_loader.h"
#include "text/bytelevel/utf8_replace.h"
#include "text/hf/stages.h"
#include "text/piece_cache.h"
#include "text/piece_ids_map.h"
#include "text/pretokenize/digits.h"
#include "text/spaced_word_cuts.h"
#include "util/status_macros.h"

namespace xval::text {
namespace {

std::atomic<uint64_t> next_instance_id{1};

// Pieces longer than this are merged every time rather than cached.
constexpr size_t kMaxCachedPiece = 256;

// A long text is encoded a stretch of about this many bytes at a time (EncodeTextImpl,
// EncodeLongTextWith).
constexpr size_t kStretchBytes = size_t{1} << 15;

// ids[hits_begin, hits_end) holds a group's hits, and after them each missed piece j's ids,
// ending at missed_end[j]; missed piece j belongs before the hit at hits_begin + missed_at[j]
// (missed_at ascending). Moves every run of hits and every missed piece's ids to its place,
// from the back, the misses' ids copied aside first (on the stack when few, else in `large`).
void SpliceMissedIds(int32_t* ids, size_t hits_begin, size_t hits_end,
                     absl::Span<const size_t> missed_at, absl::Span<const size_t> missed_end,
                     std::vector<int32_t>& large) {
  int32_t few[256];
  const size_t missed = missed_end.back() - hits_end;
  int32_t* spare = few;
  if (missed > std::size(few)) {
    large.resize(missed);
    spare = large.data();
  }
  std::memcpy(spare, ids + hits_end, missed * sizeof(int32_t));
  size_t to = missed_end.back();  // the end of what is still to place
  size_t hits_to_move_end = hits_end;
  for (size_t j = missed_at.size(); j-- > 0;) {
    const size_t at = hits_begin + missed_at[j];
    const size_t run = hits_to_move_end - at;
    to -= run;
    std::memmove(ids + to, ids + at, run * sizeof(int32_t));
    hits_to_move_end = at;
    const size_t miss_begin = j == 0 ? hits_end : missed_end[j - 1];
    const size_t miss_len = missed_end[j] - miss_begin;
    to -= miss_len;
    std::memcpy(ids + to, spare + (miss_begin - hits_end), miss_len * sizeof(int32_t));
  }
}

}  // namespace

// Per-thread scratch space and piece caches. A thread keeps the state of the last few
// tokenizers it encoded with, so that alternating between them keeps their caches.
struct ByteLevelTokenizer::ThreadState {
  uint64_t owner = 0;
  uint64_t last_use = 0;
  // Pieces of up to 15 bytes and 3 ids: the tokenizer's seed (For), or unused and left at
  // four entries where the tokenizer has none.
  PieceCache front{2};
  bool front_holds_short_tokens = false;  // front started as front_seed_: every short token
  // Pieces of up to 15 bytes and 4..11 ids (long CJK words), and those of 2..3 ids that the
  // front cache let go (EncodeMissedPiece).
  BasicPieceCache<11> wide{14};
  PieceIdsMap cache;  // the rest
  ByteBpe::Scratch scratch;
  std::vector<uint32_t> ends, stage_ends;
  std::vector<int32_t> merged;  // Merge's ids on their way to an array of another type

  // ByteBpe::Merge, which appends to a std::vector, appending to either array type.
  template <class Ids>
  void Merge(const ByteBpe& bpe, absl::string_view piece, Ids* ids) {
    if constexpr (std::is_same_v<Ids, std::vector<int32_t>>) {
      bpe.Merge(piece, scratch, ids);
    } else {
      merged.clear();
      bpe.Merge(piece, scratch, &merged);
      ids->insert(ids->end(), merged.begin(), merged.end());
    }
  }

  // This thread's state for `tokenizer`, its front cache starting as the tokenizer's seed
  // when new to it.
  static ThreadState& For(const ByteLevelTokenizer& tokenizer) {
    const uint64_t owner = tokenizer.instance_id_;
    const PieceCache* seed = tokenizer.front_seed_.get();
    static constexpr size_t kKept = 4;
    thread_local std::array<std::unique_ptr<ThreadState>, kKept> states;
    thread_local uint64_t uses = 0;
    ThreadState* victim = nullptr;
    for (std::unique_ptr<ThreadState>& s : states) {
      if (s != nullptr && s->owner == owner) {
        s->last_use = ++uses;
        return *s;
      }
      if (s == nullptr) {
        s = std::make_unique<ThreadState>();
        victim = s.get();
        break;
      }
      if (victim == nullptr || s->last_use < victim->last_use) victim = s.get();
    }
    if (victim->owner != 0) {  // reused: none of another tokenizer's pieces may remain
      victim->cache.Clear();
      victim->wide.Clear();
      if (seed == nullptr) victim->front.Clear();
    }
    if (seed != nullptr) {
      std::unique_ptr<PieceCache> spare;
      {
        std::lock_guard<std::mutex> lock(tokenizer.spare_front_mutex_);
        spare = std::move(tokenizer.spare_front_);
      }
      if (spare != nullptr) {
        victim->front = std::move(*spare);
      } else {
        victim->front = *seed;
      }
    }
    victim->front_holds_short_tokens = seed != nullptr;
    victim->owner = owner;
    victim->last_use = ++uses;
    return *victim;
  }
};

ByteLevelTokenizer::ByteLevelTokenizer(ByteLevelConfig config, const TokenizerOptions& options)
    : config_(std::move(config)),
      options_(options),
      matcher_(config_.added_tokens),
      plain_matcher_(NonSpecial(config_.added_tokens)),
      instance_id_(next_instance_id.fetch_add(1)) {
  IndexAdded();
  if (config_.bpe.has_missing_bytes()) return;
  // The pieces of 1..15 bytes whose encoding is one token: a byte's token, and what FindShort
  // finds. Highest id first: a Put pushes the set's first entry to its second place and drops
  // the second, so of the pieces that share a set the two lowest ids stay.
  const ByteBpe& bpe = config_.bpe;
  auto seed = std::make_unique<PieceCache>();
  for (int32_t id = bpe.size() - 1; id >= 0; --id) {
    const absl::string_view t = bpe.token(id);
    if (t.empty() || t.size() > PieceKey::kMaxLen) continue;
    const auto* b = reinterpret_cast<const unsigned char*>(t.data());
    const PieceKey key = PieceKey::Of(b, 0, t.size(), t.size());
    if (t.size() == 1 ? bpe.byte_id(b[0]) == id : bpe.FindShort(key) == id) {
      seed->Put(key, &id, 1);
    }
  }
  spare_front_ = std::make_unique<PieceCache>(*seed);
  front_seed_ = std::move(seed);
}

absl::StatusOr<std::unique_ptr<ByteLevelTokenizer>> ByteLevelTokenizer::Create(
    ByteLevelConfig config, const TokenizerOptions& options) {
  if (config.pretokenizers.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(config.source, ": no pre-tokenizer"));
  }
  for (const AddedToken& t : config.added_tokens) {
    if (t.content.empty() || t.id < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(config.source, ": added token with id ", t.id, " is empty or has no id"));
    }
  }
  // Then FindShort answers for every vocabulary (a piece that is such a token is that token).
  if (!config.whole_piece_lookup) config.bpe.KeepShortTokensThatMergeWhole();
  auto tokenizer =
      std::unique_ptr<ByteLevelTokenizer>(new ByteLevelTokenizer(std::move(config), options));
  if (tokenizer->config_.explicit_vocab_size >= 0 &&
      tokenizer->vocab_size() != tokenizer->config_.explicit_vocab_size) {
    return absl::InvalidArgumentError(absl::StrCat(tokenizer->config_.source, ": ",
                                                   tokenizer->vocab_size(), " tokens, expected ",
                                                   tokenizer->config_.explicit_vocab_size));
  }
  return tokenizer;
}

int32_t ByteLevelTokenizer::vocab_size() const {
  int32_t n = config_.bpe.size();
  for (const AddedToken& t : config_.added_tokens) n = std::max(n, t.id + 1);
  return n;
}

const AddedToken* ByteLevelTokenizer::FindAdded(int32_t id) const {
  auto it = added_by_id_.find(id);
  return it == added_by_id_.end() ? nullptr : &config_.added_tokens[it->second];
}

void ByteLevelTokenizer::IndexAdded() {
  matcher_ = AddedTokenMatcher(config_.added_tokens);
  plain_matcher_ = AddedTokenMatcher(NonSpecial(config_.added_tokens));
  added_by_id_.clear();
  for (size_t i = 0; i < config_.added_tokens.size(); ++i) {
    added_by_id_.emplace(config_.added_tokens[i].id, i);  // the first of an id wins
  }
  cuttable_ = (config_.normalizer == nullptr || config_.normalizer->KeepsSpacedWordCuts()) &&
              config_.pretokenizers[0]->CutsAtSpacedWords() &&
              AddedTokensAllowCuts(config_.added_tokens);
}

size_t ByteLevelTokenizer::SafeCut(absl::string_view text, size_t from, size_t max_scan) const {
  if (!cuttable_) return absl::string_view::npos;
  return FindSpacedWordStart(text, from, max_scan, [](unsigned char) { return true; });
}

absl::StatusOr<std::string> ByteLevelTokenizer::IdToPiece(int32_t id) const {
  if (const AddedToken* t = FindAdded(id)) return t->content;
  if (id >= 0 && id < config_.bpe.size()) return std::string(config_.bpe.token(id));
  return absl::OutOfRangeError(absl::StrCat("id ", id, " is not a token of ", config_.source));
}

absl::StatusOr<int32_t> ByteLevelTokenizer::PieceToId(absl::string_view piece) const {
  for (const AddedToken& t : config_.added_tokens) {
    if (t.content == piece) return t.id;
  }
  const int32_t id = config_.bpe.Find(piece);
  if (id < 0) return absl::NotFoundError(absl::StrCat("no token \"", piece, "\""));
  return id;
}

absl::Status ByteLevelTokenizer::AddTokens(absl::Span<const AddedToken> tokens) {
  RETURN_IF_ERROR(AppendAddedTokens(tokens, *this, &config_.added_tokens));
  // A new key for the per-thread caches: none of their words may outlive a vocabulary change.
  instance_id_ = next_instance_id.fetch_add(1);
  IndexAdded();
  return absl::OkStatus();
}

void ByteLevelTokenizer::SplitPieces(absl::string_view text, ThreadState& state) const {
  std::vector<uint32_t>& ends = state.ends;
  ends.clear();
  config_.pretokenizers[0]->Split(text, &ends);
  // Later stages (tokenizer.json Sequence) and digit splitting cut each piece further.
  auto refine = [&](auto cut) {
    std::vector<uint32_t>& next = state.stage_ends;
    next.clear();
    uint32_t begin = 0;
    for (const uint32_t end : ends) {
      cut(text.substr(begin, end - begin), begin, &next);
      begin = end;
    }
    ends.swap(next);
  };
  for (size_t i = 1; i < config_.pretokenizers.size(); ++i) {
    std::vector<uint32_t>& next = state.stage_ends;
    next.clear();
    config_.pretokenizers[i]->Refine(text, ends, &next);
    ends.swap(next);
  }
  if (options_.digits.enabled()) {
    // Digit groups replace the pattern's own cuts inside a run of digits (cl100k cuts 1234567
    // as 123|456|7 whatever grouping was asked), then cut each run as asked.
    ends.erase(std::remove_if(ends.begin(), ends.end(),
                              [&](uint32_t e) {
                                return e > 0 && e < text.size() && IsAsciiDigit(text[e - 1]) &&
                                       IsAsciiDigit(text[e]);
                              }),
               ends.end());
    refine([&](absl::string_view piece, uint32_t base, std::vector<uint32_t>* out) {
      SplitDigits(piece, options_.digits,
                  [&](size_t, size_t e) { out->push_back(base + static_cast<uint32_t>(e)); });
    });
  }
}

template <class Ids>
void ByteLevelTokenizer::EncodePiece(absl::string_view piece, ThreadState& state, Ids* ids,
                                     bool whole_looked_up, bool in_piece_caches) const {
  if (piece.size() == 1) {
    ids->push_back(config_.bpe.byte_id(static_cast<uint8_t>(piece[0])));
    return;
  }
  // The thread's cache first: a long piece seen before is found without a probe of the
  // vocabulary's table (larger than the core's caches).
  const bool cacheable = piece.size() <= kMaxCachedPiece && !in_piece_caches;
  if (cacheable) {
    if (const absl::Span<const int32_t> cached = state.cache.Find(piece); !cached.empty()) {
      ids->insert(ids->end(), cached.begin(), cached.end());
      return;
    }
  }
  const size_t first = ids->size();
  int32_t id;
  if (config_.whole_piece_lookup && !whole_looked_up && (id = config_.bpe.Find(piece)) >= 0) {
    ids->push_back(id);
  } else {
    state.Merge(config_.bpe, piece, ids);
  }
  if (cacheable) state.cache.Put(piece, ids->data() + first, ids->size() - first);
}

void ByteLevelTokenizer::EncodeOrdinary(absl::string_view text, std::vector<int32_t>* ids) const {
  EncodeText(text, 0, ids, nullptr);
}

template <class Ids>
void ByteLevelTokenizer::EncodeText(absl::string_view text, uint32_t base, Ids* ids,
                                    std::vector<Offset>* offsets) const {
  if (config_.normalizer != nullptr && !config_.normalizer->IsNormalized(text)) {
    hf::AlignedText t = hf::AlignedText::Identity(text, 0);
    config_.normalizer->Normalize(&t);
    if (offsets == nullptr) {
      EncodeTextImpl<false, Ids>(t.text, 0, ids, nullptr);
      return;
    }
    const size_t first = offsets->size();
    EncodeTextImpl<true, Ids>(t.text, 0, ids, offsets);
    for (size_t k = first; k < offsets->size(); ++k) {  // normalized bytes -> input bytes
      Offset& o = (*offsets)[k];
      const Offset span = o.end > o.begin ? t.Span(o.begin, o.end) : Offset{base, base};
      o = Offset{base + span.begin, base + span.end};
    }
    return;
  }
  if (offsets == nullptr) {
    EncodeTextImpl<false, Ids>(text, base, ids, nullptr);
  } else {
    EncodeTextImpl<true, Ids>(text, base, ids, offsets);
  }
}

// One loop per kind of output, so that encode_ordinary carries no offset work at all.
template <bool kOffsets, class Ids>
void ByteLevelTokenizer::EncodeTextImpl(absl::string_view text, uint32_t base, Ids* ids,
                                        std::vector<Offset>* offsets) const {
  ThreadState& state = ThreadState::For(*this);
  // A long text goes a stretch at a time, cut where SafeCut allows: the piece ends of one
  // stretch stay in the core's cache instead of making a pass over an array of the whole
  // text's (fresh memory, on the first call).
  ForEachStretch(*this, text, kStretchBytes, [&](size_t begin, size_t end) {
    EncodeStretch<kOffsets, Ids>(text.substr(begin, end - begin),
                                 base + static_cast<uint32_t>(begin), state, ids, offsets);
  });
}

template <bool kOffsets, class Ids>
void ByteLevelTokenizer::EncodeLongTextWith(const AddedTokenMatcher& matcher,
                                            absl::string_view text, uint32_t base, Ids* ids,
                                            std::vector<Offset>* offsets) const {
  ThreadState& state = ThreadState::For(*this);
  bool search_first = false;  // the last stretch held a place where an added token may start
  ForEachStretch(*this, text, kStretchBytes, [&](size_t begin, size_t end) {
    const absl::string_view stretch = text.substr(begin, end - begin);
    const uint32_t at = base + static_cast<uint32_t>(begin);
    // Pre-tokenized before the search for added tokens: the pre-tokenizer's loads (prefetched
    // ahead) overlap its work, and the search then reads the stretch from the core's cache,
    // where a search first waited on memory. Its pieces are dropped when the stretch may hold a
    // token, and after such a stretch the next is searched first (a text of many tokens is
    // not pre-tokenized twice over).
    const bool split = !search_first;
    if (split) SplitPieces(stretch, state);
    search_first = matcher.MayMatchIn(stretch);
    if (!search_first) {
      if (split) {
        EncodePieces<kOffsets, Ids>(stretch, at, state, ids, offsets);
      } else {
        EncodeStretch<kOffsets, Ids>(stretch, at, state, ids, offsets);
      }
      return;
    }
    matcher.Split(
        stretch,
        [&](size_t b, size_t e) {
          EncodeStretch<kOffsets, Ids>(stretch.substr(b, e - b), at + static_cast<uint32_t>(b),
                                       state, ids, offsets);
        },
        [&](const AddedToken& t, size_t b, size_t e) {
          AppendAdded(t, at + static_cast<uint32_t>(b), at + static_cast<uint32_t>(e), ids,
                      offsets);
        });
  });
}

template <class Ids>
void ByteLevelTokenizer::AppendAdded(const AddedToken& token, uint32_t begin, uint32_t end,
                                     Ids* ids, std::vector<Offset>* offsets) {
  ids->push_back(token.id);
  if (offsets != nullptr) offsets->push_back(Offset{begin, end});
}

template <class Ids>
void ByteLevelTokenizer::EncodeMissedPiece(absl::string_view text, size_t begin, size_t len,
                                           const PieceKey& key, bool deferred, ThreadState& state,
                                           Ids* ids) const {
  const ByteBpe& bpe = config_.bpe;
  const size_t first = ids->size();
  const bool short_piece = len <= PieceKey::kMaxLen;  // then `key` is the piece's
  int32_t id_if_token;
  if (len == 1) {
    ids->push_back(bpe.byte_id(static_cast<uint8_t>(text[begin])));
  } else if (const PieceCache::Entry* front =
                 short_piece && deferred ? state.front.Find(key) : nullptr) {
    // Put there for the same piece missed earlier in the group (EncodeCachedIds handles a
    // group's misses after its hits): found, not merged again.
    ids->insert(ids->end(), front->ids, front->ids + front->count);
    return;
  } else if (const auto* wide = short_piece ? state.wide.Find(key) : nullptr) {
    // Before the vocabulary's table: that probe misses the core's caches, the wide one (1 MiB)
    // less often. A piece of up to kMaxIds ids is there when the front cache let it go; it goes
    // back.
    ids->insert(ids->end(), wide->ids, wide->ids + wide->count);
    if (wide->count > PieceCache::kMaxIds) return;
  } else if (short_piece && (!state.front_holds_short_tokens || state.front.LetGoOfAny(key)) &&
             (id_if_token = bpe.FindShort(key)) >= 0) {
    // A short token missing from the front cache was let go from its set (the cache started
    // with every one): where none was, FindShort (a cache miss in a 4 MiB table) cannot find it.
    ids->push_back(id_if_token);
  } else {
    // A short piece's ids are kept in the front or wide cache below, where the map's string
    // keys cost a hash and an allocation per piece on a first call.
    EncodePiece(text.substr(begin, len), state, ids,
                /*whole_looked_up=*/config_.whole_piece_lookup && short_piece,
                /*in_piece_caches=*/short_piece);
  }
  if (!short_piece) return;
  const size_t count = ids->size() - first;
  if (count <= PieceCache::kMaxIds) {
    // A piece of several ids the front cache lets go is kept in the wide one: merging it again
    // costs far more than a lookup. A piece of one id is found again by FindShort.
    const PieceCache::Entry dropped = state.front.Put(key, ids->data() + first, count);
    if (dropped.count > 1) {
      state.wide.Put(PieceKey{dropped.lo, dropped.hi}, dropped.ids, dropped.count);
    }
  } else {
    state.wide.Put(key, ids->data() + first, count);
  }
}

template <class Ids>
void ByteLevelTokenizer::EncodeCachedIds(absl::string_view text, ThreadState& state,
                                         Ids* ids) const {
  // Everything the loop reads is in locals: it stores ids through a pointer, which could alias
  // any member, and the compiler would reload members (and spill its own) for every piece.
  PieceCache& front = state.front;
  const PieceCache::View cache(front);
  const PieceKeys piece_keys(reinterpret_cast<const unsigned char*>(text.data()), text.size());
  // The ids are written as StagedIds writes them (kBuffer at a time, in a LargeArray's own
  // room or a buffer on the stack), with the buffer and its count in locals: this loop copies
  // ids with memcpy, which as far as the compiler knows could write into a StagedIds object
  // (whose stack buffer is inside it), and it would reload the object's members every piece.
  // The room is checked once per group of pieces, for a whole group of hits.
  constexpr size_t kGroup = 64;
  constexpr size_t kBuffer = 2048;
  constexpr size_t kRoom = kBuffer + kGroup * PieceCache::kMaxIds + 1;
  constexpr bool kInPlace = !std::is_same_v<Ids, std::vector<int32_t>>;
  int32_t stack_buffer[kInPlace ? 1 : kRoom];
  int32_t* buffer = stack_buffer;
  size_t start = 0;  // in place: where the buffer starts in *ids
  size_t used = 0;
  auto open = [&] {
    if constexpr (kInPlace) {
      start = ids->size();
      ids->resize(start + kRoom);
      buffer = ids->data() + start;
    }
  };
  auto close = [&] {
    if constexpr (kInPlace) {
      ids->resize(start + used);
    } else {
      ids->insert(ids->end(), buffer, buffer + used);
    }
    used = 0;
  };
  open();
  // A group of pieces at a time: first every piece's key and the address of its entry, each
  // entry prefetched, then the probes. The table is larger than the core's L2 cache and the
  // text and ids stream through it, so an entry is often in L3: one piece after another, each
  // probe waited for its line. One piece per probe, one-byte pieces too (their entries are
  // made on a miss like any); a piece longer than 15 bytes gets a key no entry holds.
  PieceKey keys[kGroup];
  const PieceCache::Entry* entries[kGroup];
  const auto* const t = reinterpret_cast<const unsigned char*>(text.data());
  const uint32_t* const ends = state.ends.data();
  const size_t num_pieces = state.ends.size();
  auto fill = [&](size_t group, size_t count, uint32_t begin, auto key_of) {
    for (size_t k = 0; k < count; ++k) {
      const uint32_t end = ends[group + k];
      keys[k] = key_of(begin, end - begin);
      entries[k] = &cache.At(keys[k]);
      __builtin_prefetch(entries[k]);
      begin = end;
    }
  };
  // The group's misses (piece k, its ids' place in the buffer), handled after its hits: each
  // miss's loads are started when it is found and land while the group's other pieces are
  // probed, where handling it in place waited for them (docs/benchmarks-bytelevel.md).
  uint32_t missed_piece[kGroup];
  size_t missed_at[kGroup];
  const ByteBpe& bpe = config_.bpe;
  uint32_t group_begin = 0;
  for (size_t group = 0; group < num_pieces; group += kGroup) {
    const size_t count = std::min(kGroup, num_pieces - group);
    // Only a stretch's last pieces are read from PieceKeys' copy of its end.
    const uint32_t last_begin = count >= 2 ? ends[group + count - 2] : group_begin;
    if (piece_keys.Inside(last_begin)) {
      fill(group, count, group_begin,
           [t](size_t b, size_t len) { return PieceKey::At(t + b, len); });
    } else {
      fill(group, count, group_begin,
           [&piece_keys](size_t b, size_t len) { return piece_keys.Of(b, len); });
    }
    if (used > kBuffer) {
      close();
      open();
    }
    size_t misses = 0;
    for (size_t k = 0; k < count; ++k) {
      const PieceKey& key = keys[k];
      const PieceCache::Entry& e = *entries[k];
      // The ids and count are copied before the hit is known, and kept only on a hit.
      std::memcpy(buffer + used, e.ids, sizeof(int32_t) * (PieceCache::kMaxIds + 1));
      if (ABSL_PREDICT_TRUE((e.lo == key.lo) & (e.hi == key.hi))) {
        used += e.count;
        continue;
      }
      const uint32_t begin = k == 0 ? group_begin : ends[group + k - 1];
      const size_t len = ends[group + k] - begin;
      const bool short_piece = len <= PieceKey::kMaxLen;
      if (const PieceCache::Entry * second; short_piece && (second = front.FindSecond(key))) {
        std::memcpy(buffer + used, second->ids, sizeof(int32_t) * second->count);
        used += second->count;
        continue;
      }
      if (count < kGroup) {
        // A short text's only group (a batch's line): too few pieces follow a miss for its
        // loads to land meanwhile, and moving ids into place cost more than it saved.
        close();
        EncodeMissedPiece(text, begin, len, key, /*deferred=*/false, state, ids);
        open();
        continue;
      }
      missed_piece[misses] = static_cast<uint32_t>(k);
      missed_at[misses++] = used;
      if (short_piece) {
        // What EncodeMissedPiece reads first: the wide cache's set, and the vocabulary's
        // table where the front cache let go of a piece of key's set.
        state.wide.Prefetch(key);
        if (!state.front_holds_short_tokens || front.LetGoOfAny(key)) bpe.PrefetchShort(key);
      }
    }
    if (misses > 0) {
      // The hits are in place before the misses' ids are appended after them; each miss's ids
      // then move to where it was found, the hits after it moving up to make room.
      const size_t hits_begin = kInPlace ? start : ids->size();
      close();
      const size_t hits_end = ids->size();
      size_t missed_end[kGroup];
      for (size_t j = 0; j < misses; ++j) {
        const size_t k = missed_piece[j];
        const uint32_t begin = k == 0 ? group_begin : ends[group + k - 1];
        EncodeMissedPiece(text, begin, ends[group + k] - begin, keys[k], /*deferred=*/true, state,
                          ids);
        missed_end[j] = ids->size();
      }
      SpliceMissedIds(ids->data(), hits_begin, hits_end, absl::MakeConstSpan(missed_at, misses),
                      absl::MakeConstSpan(missed_end, misses), state.merged);
      open();
    }
    group_begin = ends[group + count - 1];
  }
  close();
}

template <bool kOffsets, class Ids>
void ByteLevelTokenizer::EncodeStretch(absl::string_view text, uint32_t base, ThreadState& state,
                                       Ids* ids, std::vector<Offset>* offsets) const {
  if (text.empty()) return;
  SplitPieces(text, state);
  EncodePieces<kOffsets, Ids>(text, base, state, ids, offsets);
}

template <bool kOffsets, class Ids>
void ByteLevelTokenizer::EncodePieces(absl::string_view text, uint32_t base, ThreadState& state,
                                      Ids* ids, std::vector<Offset>* offsets) const {
  if constexpr (!kOffsets) {
    if (!config_.bpe.has_missing_bytes()) {
      EncodeCachedIds(text, state, ids);
      return;
    }
  }
  const ByteBpe& bpe = config_.bpe;
  const auto* t = reinterpret_cast<const unsigned char*>(text.data());
  const PieceKeys piece_keys(t, text.size());
  // Pieces of 2..15 bytes go through the thread's PieceCache (not when some bytes have no
  // token: those ids are fixed up below), then, on a miss, the vocabulary's whole-piece table.
  PieceCache* front = bpe.has_missing_bytes() ? nullptr : &state.front;
  uint32_t begin = 0;
  for (const uint32_t end : state.ends) {
    const size_t len = end - begin;
    int32_t id = -1;  // the piece's token when it is one, found without EncodePiece
    const size_t first = ids->size();
    const PieceCache::Entry* hit = nullptr;
    const bool short_piece = len >= 2 && len <= PieceKey::kMaxLen;
    const PieceKey key = short_piece ? piece_keys.Of(begin, len) : PieceKey{};
    const bool cacheable = front != nullptr && short_piece;
    if (cacheable) hit = front->Find(key);
    if (len == 1) {
      id = bpe.byte_id(t[begin]);
    } else if (hit != nullptr) {
      if (hit->count == 1) {
        id = hit->ids[0];
      } else {
        ids->insert(ids->end(), hit->ids, hit->ids + hit->count);
      }
    } else {
      if (short_piece) {
        id = bpe.FindShort(key);
        if (id < 0) {
          EncodePiece(text.substr(begin, len), state, ids, /*whole_looked_up=*/true,
                      /*in_piece_caches=*/false);
        }
      } else {
        EncodePiece(text.substr(begin, len), state, ids, /*whole_looked_up=*/false,
                    /*in_piece_caches=*/false);
      }
      if (cacheable && id >= 0) {
        front->Put(key, &id, 1);
      } else if (cacheable) {
        front->Put(key, ids->data() + first, ids->size() - first);
      }
    }
    if (id >= 0) {
      ids->push_back(id);
      // Byte-level tokens tile the text: a piece that is one token spans the piece.
      if constexpr (kOffsets) offsets->push_back(Offset{base + begin, base + end});
    } else if (bpe.has_missing_bytes()) {
      // Bytes without a token are dropped (llama.cpp's rule); the tokens around keep their
      // spans.
      uint32_t pos = base + begin;
      size_t kept = first;
      for (size_t i = first; i < ids->size(); ++i) {
        const int32_t token = (*ids)[i];
        const uint32_t token_len = token < 0 ? 1 : static_cast<uint32_t>(bpe.token(token).size());
        if (token >= 0) {
          (*ids)[kept++] = token;
          if constexpr (kOffsets) offsets->push_back(Offset{pos, pos + token_len});
        }
        pos += token_len;
      }
      ids->resize(kept);
    } else if constexpr (kOffsets) {
      // The tokens of a merged piece span their lengths in turn.
      uint32_t pos = base + begin;
      for (size_t i = first; i < ids->size(); ++i) {
        const uint32_t token_len = static_cast<uint32_t>(bpe.token((*ids)[i]).size());
        offsets->push_back(Offset{pos, pos + token_len});
        pos += token_len;
      }
    }
    begin = end;
  }
}

template <class Ids>
void ByteLevelTokenizer::EncodeWith(const AddedTokenMatcher& matcher, absl::string_view text,
                                    uint32_t base, Ids* ids, std::vector<Offset>* offsets) const {
  auto encode_text = [&](size_t b, size_t e) {
    EncodeText(text.substr(b, e - b), base + static_cast<uint32_t>(b), ids, offsets);
  };
  if (cuttable_ && config_.normalizer == nullptr && text.size() > kStretchBytes) {
    // A long text is searched a stretch at a time, after the pre-tokenizer: its stretches are
    // cut where no added token can cross (cuttable_), and tokens match on the text as given,
    // which without a normalizer is the text pre-tokenized.
    if (offsets == nullptr) {
      EncodeLongTextWith<false, Ids>(matcher, text, base, ids, nullptr);
    } else {
      EncodeLongTextWith<true, Ids>(matcher, text, base, ids, offsets);
    }
    return;
  }
  if (!matcher.MayMatchIn(text)) {
    encode_text(0, text.size());
    return;
  }
  matcher.Split(text, encode_text, [&](const AddedToken& t, size_t b, size_t e) {
    AppendAdded(t, base + static_cast<uint32_t>(b), base + static_cast<uint32_t>(e), ids, offsets);
  });
}

absl::Status ByteLevelTokenizer::EncodeInto(absl::string_view text, const EncodeOptions& requested,
                                            uint32_t base, Encoding* out) const {
  const EncodeOptions options = ResolveSpecialTokens(requested);
  if (options.add_bos && config_.bos_id < 0) {
    return absl::InvalidArgumentError("the vocabulary has no BOS");
  }
  if (options.add_eos && config_.eos_id < 0) {
    return absl::InvalidArgumentError("the vocabulary has no EOS");
  }
  // Offsets are made with `base` added, not shifted in a second pass.
  if (options.add_bos) {
    out->ids.push_back(config_.bos_id);
    out->offsets.push_back(Offset{base, base});
  }
  if (options.parse_special) {
    EncodeWith(matcher_, text, base, &out->ids, &out->offsets);
  } else {
    EncodeWith(plain_matcher_, text, base, &out->ids, &out->offsets);
  }
  if (options.add_eos) {
    const uint32_t end = base + static_cast<uint32_t>(text.size());
    out->ids.push_back(config_.eos_id);
    out->offsets.push_back(Offset{end, end});
  }
  out->values.resize(out->ids.size(), 1.0f);
  return absl::OkStatus();
}

absl::Status ByteLevelTokenizer::EncodeIdsInto(absl::string_view text, const EncodeOptions& options,
                                               std::vector<int32_t>* ids) const {
  return EncodeIdsWith(text, options, ids);
}

absl::Status ByteLevelTokenizer::AppendIds(absl::string_view text, const EncodeOptions& options,
                                           LargeArray<int32_t>* ids) const {
  return EncodeIdsWith(text, options, ids);
}

template <class Ids>
absl::Status ByteLevelTokenizer::EncodeIdsWith(absl::string_view text,
                                               const EncodeOptions& requested, Ids* ids) const {
  const EncodeOptions options = ResolveSpecialTokens(requested);
  if (options.add_bos && config_.bos_id < 0) {
    return absl::InvalidArgumentError("the vocabulary has no BOS");
  }
  if (options.add_eos && config_.eos_id < 0) {
    return absl::InvalidArgumentError("the vocabulary has no EOS");
  }
  const AddedTokenMatcher& matcher = options.parse_special ? matcher_ : plain_matcher_;
  if (!options.add_bos && !options.add_eos && matcher.empty()) {
    EncodeText(text, 0, ids, nullptr);  // encode_ordinary on tiktoken vocabularies
    return absl::OkStatus();
  }
  if (options.add_bos) ids->push_back(config_.bos_id);
  if (options.parse_special) {
    EncodeWith(matcher_, text, 0, ids, nullptr);
  } else {
    EncodeWith(plain_matcher_, text, 0, ids, nullptr);
  }
  if (options.add_eos) ids->push_back(config_.eos_id);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<int32_t>> ByteLevelTokenizer::EncodeIds(
    absl::string_view text, const SpecialSet& allowed, const SpecialSet& disallowed) const {
  // tiktoken: disallowed "all" is every special token that is not allowed; finding one in the
  // text is an error, checked before encoding.
  std::vector<AddedToken> allowed_tokens, disallowed_tokens;
  for (const AddedToken& t : config_.added_tokens) {
    if (!t.special || allowed.Contains(t.content)) {
      allowed_tokens.push_back(t);
    } else if (disallowed.all || disallowed.Contains(t.content)) {
      disallowed_tokens.push_back(t);
    }
  }
  if (!disallowed_tokens.empty()) {
    const AddedTokenMatcher check(disallowed_tokens);
    absl::Status error;
    check.Split(
        text, [](size_t, size_t) {},
        [&](const AddedToken& t, size_t b, size_t) {
          if (error.ok()) {
            error = absl::InvalidArgumentError(
                absl::StrCat("the text holds the disallowed special token \"", t.content,
                             "\" at byte ", b, "; allow it, or encode it as ordinary text"));
          }
        });
    if (!error.ok()) return error;
  }
  std::vector<int32_t> ids;
  if (allowed.all) {
    EncodeWith(matcher_, text, 0, &ids, nullptr);
  } else if (allowed.tokens.empty()) {
    EncodeWith(plain_matcher_, text, 0, &ids, nullptr);
  } else {
    EncodeWith(AddedTokenMatcher(allowed_tokens), text, 0, &ids, nullptr);
  }
  return ids;
}

absl::StatusOr<std::string> ByteLevelTokenizer::DecodeBytes(absl::Span<const int32_t> ids) const {
  std::string out;
  for (const int32_t id : ids) {
    const AddedToken* t = added_by_id_.empty() ? nullptr : FindAdded(id);
    if (t == nullptr && id >= 0 && id < config_.bpe.size()) {
      const absl::string_view bytes = config_.bpe.token(id);
      out.append(bytes.data(), bytes.size());
      continue;
    }
    if (t == nullptr) {
      return absl::OutOfRangeError(absl::StrCat("id ", id, " is not a token of ", config_.source));
    }
    std::string bytes;
    if (config_.decode_added_through_alphabet && ByteLevelAlphabetToBytes(t->content, &bytes)) {
      out += bytes;
    } else {
      out += t->content;
    }
  }
  return out;
}

absl::StatusOr<std::string> ByteLevelTokenizer::Decode(absl::Span<const int32_t> ids) const {
  absl::StatusOr<std::string> bytes = DecodeBytes(ids);
  if (!bytes.ok()) return bytes.status();
  return Utf8Replace(*bytes);
}

}  // namespace xval::text
