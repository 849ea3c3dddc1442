// SplitAsciiBlocks: where cl100k's and o200k's pieces start in a block of 64 ASCII bytes, as
// bit masks.
//
// The pattern, '(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+|
// ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s, cuts ASCII text without
// apostrophes by these rules, each a few shifts and ands over the masks (bit i is byte i of
// the block; "x << 1" has at bit i what x has at bit i - 1):
//  - a punctuation run starts a piece unless a space is before it (the space starts it), and
//    the CR/LF bytes right after it belong to it;
//  - a letter run starts a piece unless the character before it is a one-character piece
//    start that is not CR/LF: a punctuation character standing alone, or the last character of
//    a whitespace run (which always starts a piece);
//  - a digit run starts a piece every 3 digits (every digit for Qwen2) from its first;
//  - a whitespace run (without the CR/LF a punctuation run took) starts a piece at its first
//    byte, after its last CR/LF, and at its last byte unless that is CR/LF.
// o200k's pattern ([^\r\n\p{L}\p{N}]?[upper]*[lower]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|
// [^\r\n\p{L}\p{N}]?[upper]+[lower]*(?i:...)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|
// \s*[\r\n]+|\s+(?!\S)|\s+) differs in three rules: a punctuation run takes CR, LF and '/'
// after it; an upper-case letter after a lower-case one starts a word; and a contraction
// after a word belongs to the word, not to a piece of its own.
// An apostrophe that starts a piece and is followed by s, d, m, t, ll, ve or re (in any case)
// makes a piece of those, and a letter after them starts the next.
// The byte before the block is taken as no class at all, which makes byte 0 a piece start, as
// the caller promises. Only whitespace looks forward (to the end of its run; and for o200k
// upper-case letters after letters of both its classes, to the end of their run, which are no
// start until a decided byte follows), so every start is decided except in a whitespace run
// that reaches the block's end or an undecided byte (>= 0x80 and not resolved below, or past
// the end of the text; a stop byte is never a contraction's letter): the pieces up to the last
// decided start are emitted, and the next block begins there.
// Characters past ASCII: a block's letters and punctuation are resolved to the same masks, each
// character a run of bytes of its class (ResolveNonAscii says which and how); the others stay
// undecided bytes.
//
// Structure follows block_scanner.cc: compiled once per target through foreach_target.h, and
// dispatched at run time.

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "text/pretokenize/block_cuts.cc"
#include "text/pretokenize/block_cuts.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <vector>

#include "absl/numeric/bits.h"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "text/mask_bits-inl.h"
#include "text/pretokenize/unicode_classes.h"

#ifndef XVAL_TEXT_PRETOKENIZE_BLOCK_CUTS_ONCE_
#define XVAL_TEXT_PRETOKENIZE_BLOCK_CUTS_ONCE_
namespace xval::text::block_cuts_internal {

// The classes of the 64 bytes of one block: bit i is byte i.
struct BlockMasks {
  uint64_t letter = 0;  // A-Z a-z
  uint64_t upper = 0;   // A-Z (o200k only; and Lu, Lt)
  uint64_t both = 0;    // o200k: Lm, Lo, in both its letter classes (ResolveNonAscii)
  uint64_t text_end = 0;  // the text's last byte, when it is in the block
  uint64_t slash = 0;   // / (o200k only)
  uint64_t digit = 0;   // 0-9
  uint64_t space = 0;   // \s: \t \n \v \f \r and space
  uint64_t crlf = 0;    // \r \n
  uint64_t blank = 0;   // space alone
  uint64_t apostrophe = 0;
  uint64_t sdmt = 0;  // s d m t S D M T: a contraction's one letter
  uint64_t l = 0;     // l L: ll
  uint64_t vr = 0;    // v r V R: ve, re
  uint64_t e = 0;     // e E
  uint64_t stop = 0;  // undecided: >= 0x80 but not resolved below, past the end of the text
  // The first bytes of the punctuation characters of 2, 3 and 4 bytes (ResolveNonAscii): each
  // such character stands for one in the rules, which look at the byte before a letter.
  uint64_t punct2 = 0, punct3 = 0, punct4 = 0;
};

// What ResolveNonAscii reads: the classes of code points, and whether every code point of
// U+4E00..U+9FFF (CJK ideographs, in UTF-8 E4 B8 80..E9 BF BF) is a letter, so that those can be
// found by their bytes alone.
struct NonAsciiTables {
  const uint8_t* classes;
  bool cjk_letters;
};
inline const NonAsciiTables& GetNonAsciiTables() {
  static const NonAsciiTables tables = [] {
    NonAsciiTables t{UnicodeClassTable(), true};
    for (char32_t c = 0x4E00; c <= 0x9FFF; ++c) t.cjk_letters &= t.classes[c] == kLo;
    return t;
  }();
  return tables;
}

inline int HighestBit(uint64_t x) { return 63 - __builtin_clzll(x); }

// Bit i of x at bit 63 - i.
inline uint64_t ReverseBits(uint64_t x) {
  x = __builtin_bswap64(x);
  x = ((x >> 4) & 0x0F0F0F0F0F0F0F0F) | ((x & 0x0F0F0F0F0F0F0F0F) << 4);
  x = ((x >> 2) & 0x3333333333333333) | ((x & 0x3333333333333333) << 2);
  return ((x >> 1) & 0x5555555555555555) | ((x & 0x5555555555555555) << 1);
}

// Of the apostrophes in `at`, those followed by a contraction's letters: one letter (s, d, m,
// t) in *one, two (ll, ve, re) in *two; any case.
__attribute__((always_inline)) inline void Contractions(const BlockMasks& k, uint64_t at,
                                                        uint64_t* one, uint64_t* two) {
  *one = at & (k.sdmt >> 1);
  *two = at & ~*one & (((k.l >> 1) & (k.l >> 2)) | ((k.vr >> 1) & (k.e >> 2)));
}

// kBitPositions[b]: the positions of b's set bits, lowest first (the rest zero).
constexpr std::array<std::array<uint8_t, 8>, 256> BitPositions() {
  std::array<std::array<uint8_t, 8>, 256> table{};
  for (unsigned b = 0; b < 256; ++b) {
    size_t n = 0;
    for (uint8_t i = 0; i < 8; ++i) {
      if ((b >> i) & 1) table[b][n++] = i;
    }
  }
  return table;
}
alignas(64) inline constexpr std::array<std::array<uint8_t, 8>, 256> kBitPositions = BitPositions();

// Where pieces start in the block; every bit of `k.stop` and above is meaningless.
template <BlockRules kRules>
__attribute__((always_inline)) inline uint64_t PieceStarts(const BlockMasks& k, uint64_t* runs) {
  constexpr bool kO200k = kRules == BlockRules::kO200k;
  uint64_t punct = ~(k.letter | k.digit | k.space | k.stop);
  uint64_t taken;  // the CR/LF (and for o200k '/') a punctuation run takes after it
  if constexpr (!kO200k) {
    // [\r\n]*+: adding the first CR/LF's bit carries through its run and clears exactly the
    // run's bits.
    const uint64_t crlf_after_punct = (punct << 1) & k.crlf;
    taken = k.crlf & ~(k.crlf + crlf_after_punct);
  } else {
    // [\r\n/]*: from each CR/LF after punctuation (a '/' there is punctuation itself) through
    // CR, LF and '/', filled in hops of 1, 2, 4, ... (a run may hold several such CR/LF).
    // The first hop always (a branch on whether any CR/LF follows punctuation would go either
    // way from block to block); more only where two such bytes are adjacent.
    taken = (punct << 1) & k.crlf;
    uint64_t through = k.crlf | k.slash;
    taken |= (taken << 1) & through;
    through &= through << 1;
    for (int hop = 2; hop < 64 && through != 0; hop *= 2) {
      taken |= (taken << hop) & through;
      through &= through << hop;
    }
    punct &= ~taken;
  }
  const uint64_t ws = k.space & ~taken;
  const uint64_t ws_crlf = ws & k.crlf;
  const uint64_t ws_first = ws & ~(ws << 1);
  const uint64_t ws_last = ws & ~(ws >> 1);
  // After a CR/LF, whitespace starts a piece only if no CR/LF follows in its run (\s*[\r\n]
  // takes whitespace up to the last). Which whitespace reaches a CR/LF within its run is filled
  // backwards from each CR/LF in hops of 1, 2, 4, ... through bytes that are all whitespace,
  // as far as runs go.
  uint64_t after_last_crlf = ws & (ws_crlf << 1);
  if (after_last_crlf != 0) {
    uint64_t reaches_crlf = ws_crlf;
    uint64_t through = ws;
    for (int hop = 1; hop < 64 && through != 0; hop *= 2) {
      reaches_crlf |= (reaches_crlf >> hop) & through;
      through &= through >> hop;
    }
    after_last_crlf &= ~reaches_crlf;
  }
  const uint64_t ws_starts = ws_first | after_last_crlf | (ws_last & ~k.crlf);
  uint64_t punct_starts = punct & ~(punct << 1) & ~(k.blank << 1);
  // [^\r\n\p{L}\p{N}] starting a piece: the prefix of a letter run that follows it. The rule
  // below looks at the byte before the letter: a prefix of several bytes is marked at its last.
  uint64_t prefix = (ws_last & ~k.crlf) | punct_starts;
  if ((k.punct2 | k.punct3 | k.punct4) != 0) {
    prefix = (prefix & ~(k.punct2 | k.punct3 | k.punct4)) | ((prefix & k.punct2) << 1) |
             ((prefix & k.punct3) << 2) | ((prefix & k.punct4) << 3);
  }
  uint64_t letter_starts = k.letter & ~(k.letter << 1) & ~(prefix << 1);
  if constexpr (!kO200k) {
    if (k.apostrophe != 0) {
      // An apostrophe that starts a piece and a contraction's letters after it: the letters
      // are not starts (the prefix rule says so too), and the letter after them is.
      uint64_t one, two;
      Contractions(k, k.apostrophe & punct_starts, &one, &two);
      letter_starts |= k.letter & ((one << 2) | (two << 3));
    }
  } else {
    // A contraction after a word belongs to it: neither the apostrophe nor its letters start
    // a piece, and what follows does.
    uint64_t one = 0, two = 0, after_contraction = 0;
    if (k.apostrophe != 0) {
      Contractions(k, k.apostrophe & (k.letter << 1), &one, &two);
      after_contraction = k.letter & ((one << 2) | (two << 3));
    }
    // Words are [upper]*[lower]+ or [upper]+[lower]*: an upper-case letter after a lower-case
    // one starts a word.
    const uint64_t lower = k.letter & ~k.upper & ~k.both;
    uint64_t upper_after = lower << 1;
    if (k.both != 0) {
      // With letters in both classes (B; U upper only, L lower only) a U after a B starts a
      // word when the run of Bs follows an L (the word took [LB]+ up to the U), or when only
      // Us follow it up to a decided byte that is not a letter ([UB]* then found no [LB]+
      // after them, and the word gave them back to end at its last B). A run of Bs that starts
      // a word after a contraction follows no L of its word.
      const uint64_t b_after_l = k.both & (lower << 1) & ~after_contraction;
      upper_after |= (k.both & ~(k.both + b_after_l)) << 1;
      // Us whose run ends before a decided non-letter: filled from the run's end backwards,
      // as a carry in the bits reversed.
      const uint64_t last_u =
          k.upper & ((~((k.letter | k.stop) >> 1) & (~uint64_t{0} >> 1)) | k.text_end);
      const uint64_t u_reversed = ReverseBits(k.upper);
      const uint64_t ending_u = ReverseBits(u_reversed & ~(u_reversed + ReverseBits(last_u)));
      upper_after |= (k.both << 1) & ending_u;
    }
    letter_starts |= k.upper & upper_after;
    punct_starts &= ~(one | two);
    letter_starts &= ~((one << 1) | (two << 1) | (two << 2));
    letter_starts |= after_contraction;
  }
  uint64_t digit_starts = k.digit;
  if constexpr (kRules != BlockRules::kQwen2) {
    // A run's starts are its bytes whose position is its first's modulo 3. For each residue
    // r: adding the first bytes at positions of residue r to the digits carries through
    // exactly those runs and clears them, which picks out their bytes; of those, the ones of
    // residue r start pieces. No branch: whether a block has runs of 4 or more digits goes
    // either way from block to block.
    constexpr uint64_t kResidue0 = 0x9249249249249249;  // bits 0, 3, 6, ..., 63
    const uint64_t first = k.digit & ~(k.digit << 1);
    digit_starts = 0;
    for (const uint64_t residue : {kResidue0, kResidue0 << 1, kResidue0 << 2}) {
      const uint64_t runs = k.digit & ~(k.digit + (first & residue));
      digit_starts |= runs & residue;
    }
  }
  *runs = ws;
  return ws_starts | punct_starts | letter_starts | digit_starts;
}

// For o200k: apostrophes after a letter that the block cannot tell a contraction from, as the
// one or two bytes after them are undecided or past the block. Whether such an apostrophe
// starts a piece depends on them, so it is undecided too.
// So are apostrophes right after a contraction ("'s's"): whether one is a contraction depends on
// whether the one before it was (then its letter is no word's), and so on back.
inline uint64_t UndecidedContractions(const BlockMasks& k) {
  const uint64_t contraction = k.apostrophe & (k.letter << 1);
  uint64_t one, two;
  Contractions(k, contraction, &one, &two);
  return (contraction & ((k.stop >> 1) | (k.stop >> 2) | (uint64_t{3} << 62))) |
         (k.apostrophe & ((one << 2) | (two << 3)));
}

// What a block decides: the ends to emit (bit i: an end at byte i), and where the next
// block starts.
struct BlockCut {
  uint64_t ends = 0;
  size_t next = 0;
  bool end_at_next = false;  // one more end, at `next`: the end of the text
};

// The decided pieces of the block at text offset pos whose masks are k. The block holds `len`
// bytes of the text (bits from len on are marked stop), and `at_end` says the text ends there.
template <BlockRules kRules>
__attribute__((always_inline)) inline BlockCut CutBlock(size_t pos, const BlockMasks& k, int len,
                                                        bool at_end) {
  uint64_t ws = 0;
  const uint64_t starts = PieceStarts<kRules>(k, &ws);
  const int decided = k.stop != 0 ? __builtin_ctzll(k.stop) : 64;
  if (decided == 0) return BlockCut{0, pos, false};
  const uint64_t below = decided == 64 ? ~uint64_t{0} : (uint64_t{1} << decided) - 1;
  const uint64_t ends = starts & below & ~uint64_t{1};
  if ((ws >> (decided - 1)) & 1) {
    // A whitespace run that reaches the undecided byte: its first byte starts a piece
    // whatever follows, its other cuts depend on what follows.
    const int last = HighestBit(ws & ~(ws << 1) & below);
    return BlockCut{ends & ((uint64_t{2} << last) - 1), pos + last, false};
  }
  if (at_end && decided == len) {
    // At the end of the text, the last piece ends there.
    return BlockCut{ends, pos + decided, true};
  }
  const int last = HighestBit(starts & below);  // the last decided start
  return BlockCut{last == 63 ? ends : ends & ((uint64_t{2} << last) - 1), pos + last, false};
}

}  // namespace xval::text::block_cuts_internal
#endif  // XVAL_TEXT_PRETOKENIZE_BLOCK_CUTS_ONCE_

HWY_BEFORE_NAMESPACE();
namespace xval::text {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
using block_cuts_internal::BlockMasks;

// Writes base + i for every bit i of `bits`, lowest first, at out (which has room for 64) and
// returns how many, with no branch per end. With AVX-512, vectors of offsets are compressed by
// the bits, each compressed in a register and stored whole (count <= i before chunk i, so the
// store stays inside the room). Elsewhere a byte of bits at a time: its set bits' positions
// from a table, eight offsets written whether or not they exist (Highway's AVX2 compress of
// 32-bit lanes, and a loop over the set bits, were slower: docs/benchmarks-bytelevel.md).
HWY_INLINE size_t EmitEnds(uint64_t bits, uint32_t base, uint32_t* out) {
#if HWY_ARCH_X86 && HWY_TARGET <= HWY_AVX3
  const hn::ScalableTag<uint32_t> d;  // 16 lanes
  const size_t lanes = hn::Lanes(d);
  // Iota of a constant start folds into a constant; of `base` it is built on the stack lane by
  // lane and loaded back whole, a load that waits for those stores to retire.
  auto offsets = hn::Add(hn::Iota(d, 0), hn::Set(d, base));
  const auto step = hn::Set(d, static_cast<uint32_t>(lanes));
  size_t count = 0;
  for (size_t i = 0; i < 64; i += lanes) {
    uint8_t mask_bytes[8];
    const uint64_t chunk = bits >> i;
    std::memcpy(mask_bytes, &chunk, sizeof(chunk));
    const auto mask = hn::LoadMaskBits(d, mask_bytes);
    hn::StoreU(hn::Compress(offsets, mask), d, out + count);
    count += hn::CountTrue(d, mask);
    offsets = hn::Add(offsets, step);
  }
  return count;
#else
  const hn::CappedTag<uint32_t, 8> d32;  // 8 lanes (4 on 128-bit targets, 1 on scalar)
  const hn::Rebind<uint8_t, decltype(d32)> d8;
  const size_t lanes = hn::Lanes(d32);
  size_t count = 0;
  for (uint32_t j = 0; j < 8; ++j) {
    const unsigned byte = static_cast<unsigned>(bits >> (8 * j)) & 0xFF;
    const uint8_t* positions = block_cuts_internal::kBitPositions[byte].data();
    const auto at = hn::Set(d32, base + 8 * j);
    for (size_t t = 0; t < 8; t += lanes) {
      hn::StoreU(hn::Add(hn::PromoteTo(d32, hn::LoadU(d8, positions + t)), at), d32,
                 out + count + t);
    }
    count += static_cast<size_t>(__builtin_popcount(byte));
  }
  return count;
#endif
}

// Classes the 64 bytes at p into BlockMasks; its constants are made once per call of
// SplitBlocks rather than once per block.
class Classifier {
 public:
  // All masks but the contraction letters' (and o200k's two only for o200k).
  template <bool kO200k>
  HWY_INLINE void Classify(const unsigned char* p, BlockMasks* k) const {
    *k = BlockMasks{};
#if HWY_TARGET == HWY_SCALAR
    for (unsigned i = 0; i < 64; ++i) {
      const unsigned char c = p[i];
      const uint64_t bit = uint64_t{1} << i;
      if (static_cast<unsigned char>((c | 0x20) - 'a') < 26) k->letter |= bit;
      if (static_cast<unsigned char>(c - '0') < 10) k->digit |= bit;
      if (c == ' ' || static_cast<unsigned char>(c - '\t') < 5) k->space |= bit;
      if (c == '\r' || c == '\n') k->crlf |= bit;
      if (c == ' ') k->blank |= bit;
      if (c == '\'') k->apostrophe |= bit;
      if (c >= 0x80) k->stop |= bit;
      if (kO200k && static_cast<unsigned char>(c - 'A') < 26) k->upper |= bit;
      if (kO200k && c == '/') k->slash |= bit;
    }
#else
    for (size_t i = 0; i < 64; i += hn::Lanes(d_)) {
      const auto v = hn::LoadU(d_, p + i);
      const auto letter = hn::Lt(hn::Sub(hn::Or(v, case_bit_), a_), n26_);
      const auto digit = hn::Lt(hn::Sub(v, zero_), n10_);
      const auto blank = hn::Eq(v, blank_);
      const auto space = hn::Or(blank, hn::Lt(hn::Sub(v, tab_), n5_));
      const auto crlf = hn::Or(hn::Eq(v, lf_), hn::Eq(v, cr_));
      // Bytes >= 0x80 compare below zero as signed.
      const auto stop = hn::RebindMask(d_, hn::Lt(hn::BitCast(di_, v), hn::Zero(di_)));
      k->letter |= MaskBits(d_, letter) << i;
      k->digit |= MaskBits(d_, digit) << i;
      k->space |= MaskBits(d_, space) << i;
      k->crlf |= MaskBits(d_, crlf) << i;
      k->blank |= MaskBits(d_, blank) << i;
      k->apostrophe |= MaskBits(d_, hn::Eq(v, apostrophe_)) << i;
      k->stop |= MaskBits(d_, stop) << i;
      if constexpr (kO200k) {
        k->upper |= MaskBits(d_, hn::Lt(hn::Sub(v, upper_a_), n26_)) << i;
        k->slash |= MaskBits(d_, hn::Eq(v, slash_)) << i;
      }
    }
#endif
  }

  // The contraction letters' masks, needed only in a block with an apostrophe.
  HWY_INLINE void ClassifyContractions(const unsigned char* p, BlockMasks* k) const {
    k->sdmt = k->l = k->vr = k->e = 0;
#if HWY_TARGET == HWY_SCALAR
    for (unsigned i = 0; i < 64; ++i) {
      const unsigned char lower = p[i] | 0x20;
      const uint64_t bit = uint64_t{1} << i;
      if (lower == 's' || lower == 'd' || lower == 'm' || lower == 't') k->sdmt |= bit;
      if (lower == 'l') k->l |= bit;
      if (lower == 'v' || lower == 'r') k->vr |= bit;
      if (lower == 'e') k->e |= bit;
    }
#else
    const auto s = hn::Set(d_, uint8_t{'s'}), dd = hn::Set(d_, uint8_t{'d'});
    const auto m = hn::Set(d_, uint8_t{'m'}), t = hn::Set(d_, uint8_t{'t'});
    const auto l = hn::Set(d_, uint8_t{'l'}), v = hn::Set(d_, uint8_t{'v'});
    const auto r = hn::Set(d_, uint8_t{'r'}), e = hn::Set(d_, uint8_t{'e'});
    for (size_t i = 0; i < 64; i += hn::Lanes(d_)) {
      const auto lower = hn::Or(hn::LoadU(d_, p + i), case_bit_);
      const auto sdmt = hn::Or(hn::Or(hn::Eq(lower, s), hn::Eq(lower, dd)),
                               hn::Or(hn::Eq(lower, m), hn::Eq(lower, t)));
      k->sdmt |= MaskBits(d_, sdmt) << i;
      k->l |= MaskBits(d_, hn::Eq(lower, l)) << i;
      k->vr |= MaskBits(d_, hn::Or(hn::Eq(lower, v), hn::Eq(lower, r))) << i;
      k->e |= MaskBits(d_, hn::Eq(lower, e)) << i;
    }
#endif
  }

  // For a block with bytes >= 0x80: the UTF-8 continuation bytes (0x80..0xBF), and the first
  // bytes of the three-byte characters of U+4E00..U+9FFF (E4 B8..BF xx, E5..E9 xx xx), whole
  // within the block.
  HWY_INLINE void ClassifyHigh(const unsigned char* p, uint64_t* cont, uint64_t* cjk) const {
    uint64_t e4 = 0, e5_e9 = 0, b8_bf = 0;
    *cont = 0;
#if HWY_TARGET == HWY_SCALAR
    for (unsigned i = 0; i < 64; ++i) {
      const unsigned char c = p[i];
      const uint64_t bit = uint64_t{1} << i;
      if ((c & 0xC0) == 0x80) *cont |= bit;
      if (c == 0xE4) e4 |= bit;
      if (static_cast<unsigned char>(c - 0xE5) < 5) e5_e9 |= bit;
      if (static_cast<unsigned char>(c - 0xB8) < 8) b8_bf |= bit;
    }
#else
    const auto c0 = hn::Set(di_, int8_t{-64});  // 0xC0: continuation bytes compare below
    const auto xe4 = hn::Set(d_, uint8_t{0xE4}), xe5 = hn::Set(d_, uint8_t{0xE5});
    const auto xb8 = hn::Set(d_, uint8_t{0xB8});
    const auto n5 = hn::Set(d_, uint8_t{5}), n8 = hn::Set(d_, uint8_t{8});
    for (size_t i = 0; i < 64; i += hn::Lanes(d_)) {
      const auto v = hn::LoadU(d_, p + i);
      *cont |= MaskBits(d_, hn::RebindMask(d_, hn::Lt(hn::BitCast(di_, v), c0))) << i;
      e4 |= MaskBits(d_, hn::Eq(v, xe4)) << i;
      e5_e9 |= MaskBits(d_, hn::Lt(hn::Sub(v, xe5), n5)) << i;
      b8_bf |= MaskBits(d_, hn::Lt(hn::Sub(v, xb8), n8)) << i;
    }
#endif
    *cjk = (e5_e9 | (e4 & (b8_bf >> 1))) & (*cont >> 1) & (*cont >> 2);
  }

 private:
#if HWY_TARGET != HWY_SCALAR
  using D = hn::CappedTag<uint8_t, 64>;  // 16, 32 or 64 lanes
  D d_;
  hn::RebindToSigned<D> di_;
  hn::Vec<D> case_bit_, a_, n26_, zero_, n10_, blank_, tab_, n5_, lf_, cr_, apostrophe_;
  hn::Vec<D> upper_a_, slash_;

 public:
  Classifier()
      : case_bit_(hn::Set(d_, uint8_t{0x20})),
        a_(hn::Set(d_, uint8_t{'a'})),
        n26_(hn::Set(d_, uint8_t{26})),
        zero_(hn::Set(d_, uint8_t{'0'})),
        n10_(hn::Set(d_, uint8_t{10})),
        blank_(hn::Set(d_, uint8_t{' '})),
        tab_(hn::Set(d_, uint8_t{'\t'})),
        n5_(hn::Set(d_, uint8_t{5})),
        lf_(hn::Set(d_, uint8_t{'\n'})),
        cr_(hn::Set(d_, uint8_t{'\r'})),
        apostrophe_(hn::Set(d_, uint8_t{'\''})),
        upper_a_(hn::Set(d_, uint8_t{'A'})),
        slash_(hn::Set(d_, uint8_t{'/'})) {}
#endif
};

// Resolves what it can of the bytes >= 0x80 of the block at p (the first `len` bytes of the
// `avail` the text has from p; k.stop marks them, Classify's masks are in place): the bytes of
// a letter become letter bytes (upper too for o200k's Lu and Lt), those of punctuation
// punctuation bytes (no class), and stop no longer. The rules then hold for them as for ASCII,
// a character's bytes being one run of its class, but for a prefix of several bytes (marked
// in punct2..4), and for o200k Lm and Lo, in both its letter classes (marked in both). Left
// undecided: whitespace and numbers (their rules count characters), marks for o200k (in its
// letter classes and its prefix class both), U+017F (folds to 's' in a contraction), invalid
// UTF-8. A character that begins in the block and ends past it is not in the block: the bits
// from it on are returned, and marked stop too, as after the block's end.
// `high` and `shift`: where the classifier reads the block's 64 bytes and how far right their
// masks move to have byte p at bit 0, as for Classify.
template <bool kO200k>
HWY_INLINE uint64_t ResolveNonAscii(const Classifier& classifier,
                                    const block_cuts_internal::NonAsciiTables& tables,
                                    const unsigned char* p, size_t avail, size_t len,
                                    const unsigned char* high, unsigned shift, BlockMasks* k) {
  uint64_t cont, cjk;
  classifier.ClassifyHigh(high, &cont, &cjk);
  cont >>= shift;
  cjk >>= shift;
  if (!tables.cjk_letters) cjk = 0;
  const uint64_t in_block = len >= 64 ? ~uint64_t{0} : (uint64_t{1} << len) - 1;
  cjk &= in_block >> 2;
  uint64_t resolved = cjk | (cjk << 1) | (cjk << 2);
  uint64_t letters = resolved, uppers = 0, both = resolved, beyond = 0;
  uint64_t leads = k->stop & ~cont & ~resolved & in_block;
  while (leads != 0) {
    const unsigned i = static_cast<unsigned>(__builtin_ctzll(leads));
    leads &= leads - 1;
    const ScannedChar c = ScanChar(tables.classes, p + i, avail - i);
    // The first byte left undecided ends what the block decides: the characters after it are
    // not looked at.
    if (c.cp == 0xFFFFFFFF) break;  // invalid UTF-8
    if (i + c.len > len) {
      beyond = ~uint64_t{0} << i;
      break;
    }
    const uint64_t bytes = ((uint64_t{1} << c.len) - 1) << i;
    const uint32_t cls = 1u << c.cls;
    if (cls & kLetterBits) {
      if (c.cp == 0x17F) break;
      letters |= bytes;
      if (kO200k && (cls & (Bit(kLu) | Bit(kLt)))) uppers |= bytes;
      if (kO200k && (cls & (Bit(kLm) | Bit(kLo)))) both |= bytes;
    } else if ((cls & (Bit(kSpace) | Bit(kNumber))) || (kO200k && c.cls == kMark)) {
      break;
    } else {
      const uint64_t lead = uint64_t{1} << i;
      if (c.len == 2) k->punct2 |= lead;
      if (c.len == 3) k->punct3 |= lead;
      if (c.len == 4) k->punct4 |= lead;
    }
    resolved |= bytes;
  }
  k->letter |= letters;
  if constexpr (kO200k) {
    k->upper |= uppers;
    k->both = both;
  }
  k->stop = (k->stop & ~resolved) | beyond;
  return beyond;
}

template <BlockRules kRules>
size_t SplitBlocksWith(const unsigned char* s, size_t n, size_t pos, std::vector<uint32_t>* ends,
                       size_t* stop) {
  constexpr bool kO200k = kRules == BlockRules::kO200k;
  // The ends go to a buffer on the stack first, which always has room for a block's 64, and
  // from there to *ends in bulk (resizing *ends would zero-fill what is then written over).
  uint32_t buffer[1024 + 64];
  size_t used = 0;
  auto emit = [ends, &buffer, &used, &pos](const block_cuts_internal::BlockCut& cut) {
    if (used > 1024 - 1) {
      ends->insert(ends->end(), buffer, buffer + used);
      used = 0;
    }
    used += EmitEnds(cut.ends, static_cast<uint32_t>(pos), buffer + used);
    if (cut.end_at_next) buffer[used++] = static_cast<uint32_t>(cut.next);
  };
  const Classifier classifier;
  const block_cuts_internal::NonAsciiTables& tables = block_cuts_internal::GetNonAsciiTables();
  BlockMasks k;
  size_t next = pos;
  *stop = n;
  while (pos + 64 <= n) {
    // The text a few blocks ahead (the hardware's stream prefetch alone left the block loads
    // waiting: docs/benchmarks-bytelevel.md).
    __builtin_prefetch(s + std::min(pos + 1024, n - 1));
    classifier.template Classify<kO200k>(s + pos, &k);
    // Bits from a character that ends past the block: undecided as past its end, which the
    // next block decides (not a stop for the byte path).
    uint64_t beyond = 0;
    if (k.stop != 0) {
      beyond = ResolveNonAscii<kO200k>(classifier, tables, s + pos, n - pos, 64, s + pos, 0, &k);
    }
    if (pos + 64 == n) k.text_end = uint64_t{1} << 63;
    if (k.apostrophe != 0) {
      classifier.ClassifyContractions(s + pos, &k);
      if constexpr (kO200k) k.stop |= block_cuts_internal::UndecidedContractions(k);
    }
    const block_cuts_internal::BlockCut cut =
        block_cuts_internal::CutBlock<kRules>(pos, k, 64, pos + 64 == n);
    emit(cut);
    next = cut.next;
    if ((k.stop & ~beyond) != 0 || next == pos) {
      // Go on byte by byte past the undecided byte, or past the block.
      *stop = pos + (k.stop != 0 ? __builtin_ctzll(k.stop) : 64);
      ends->insert(ends->end(), buffer, buffer + used);
      return next;
    }
    pos = next;
  }
  next = pos;
  if (pos < n) {
    // The rest of the text, under 64 bytes: bits past its end are undecided.
    const size_t len = n - pos;
    // Where the masks were read (the text's last 64 bytes, or a copy of the rest) and how far
    // right they moved, for ResolveNonAscii.
    alignas(64) unsigned char tail[64] = {};
    const unsigned char* high = tail;
    unsigned high_shift = 0;
    if (n >= 64) {
      classifier.template Classify<kO200k>(s + n - 64, &k);
      classifier.ClassifyContractions(s + n - 64, &k);
      high = s + n - 64;
      high_shift = static_cast<unsigned>(64 - len);
      for (uint64_t* mask : {&k.letter, &k.upper, &k.slash, &k.digit, &k.space, &k.crlf, &k.blank,
                             &k.apostrophe, &k.sdmt, &k.l, &k.vr, &k.e, &k.stop}) {
        *mask >>= high_shift;
      }
    } else {
#if HWY_TARGET <= HWY_AVX3
      // One masked load (lanes past the text are not read, nor can they fault) and one store
      // of the whole block: the Classify loads forward from it, where after memcpy's stores
      // of a few bytes each they would wait for those to retire (every short text of a batch
      // ends here).
      const hn::ScalableTag<uint8_t> d64;
      static_assert(HWY_MAX_BYTES == 64);
      hn::Store(hn::MaskedLoad(hn::FirstN(d64, len), d64, s + pos), d64, tail);
#else
      std::memcpy(tail, s + pos, len);
#endif
      classifier.template Classify<kO200k>(tail, &k);
      classifier.ClassifyContractions(tail, &k);
    }
    if (k.stop != 0) {
      ResolveNonAscii<kO200k>(classifier, tables, s + pos, len, len, high, high_shift, &k);
    }
    k.stop |= ~uint64_t{0} << len;
    k.text_end = uint64_t{1} << (len - 1);
    if constexpr (kO200k) k.stop |= block_cuts_internal::UndecidedContractions(k);
    const block_cuts_internal::BlockCut cut =
        block_cuts_internal::CutBlock<kRules>(pos, k, static_cast<int>(len), /*at_end=*/true);
    emit(cut);
    next = cut.next;
    *stop = pos + static_cast<size_t>(__builtin_ctzll(k.stop));
  }
  ends->insert(ends->end(), buffer, buffer + used);
  return next;
}

size_t SplitBlocks(BlockRules rules, const unsigned char* s, size_t n, size_t pos,
                   std::vector<uint32_t>* ends, size_t* stop) {
  switch (rules) {
    case BlockRules::kCl100k:
      return SplitBlocksWith<BlockRules::kCl100k>(s, n, pos, ends, stop);
    case BlockRules::kQwen2:
      return SplitBlocksWith<BlockRules::kQwen2>(s, n, pos, ends, stop);
    case BlockRules::kO200k:
      break;
  }
  return SplitBlocksWith<BlockRules::kO200k>(s, n, pos, ends, stop);
}

const char* TargetName() { return hwy::TargetName(HWY_TARGET); }

}  // namespace HWY_NAMESPACE
}  // namespace xval::text
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace xval::text {

HWY_EXPORT(SplitBlocks);
HWY_EXPORT(TargetName);

size_t SplitAsciiBlocks(BlockRules rules, const unsigned char* s, size_t n, size_t pos,
                        std::vector<uint32_t>* ends, size_t* stop) {
  return HWY_DYNAMIC_DISPATCH(SplitBlocks)(rules, s, n, pos, ends, stop);
}

const char* BlockCutTargetName() { return HWY_DYNAMIC_DISPATCH(TargetName)(); }

}  // namespace xval::text
#endif  // HWY_ONCE
