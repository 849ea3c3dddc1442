// DeepSeek's pre-tokenizer patterns as hand-written scanners. DeepSeek's tokenizer.json files
// cut text by a Sequence of Isolated Splits, each piece of one stage cut again by the next:
//   DeepSeek LLM:   [\r\n]  \s?[<letters>]+  \s?[<punctuation>]+  \s+$  [<CJK>]+  (Digits)
//   DeepSeek Coder: [\r\n]  \s?\p{L}+  \s?\p{P}+  [<CJK>]+  (Digits)
//   DeepSeek V3:    \p{N}{1,3}  [<CJK, kana>]+  <a cl100k-like pattern, kDeepSeekV3Pattern>
// All but V3's last are "class runs": an optional \s, then one character class repeated (+,
// once, or {1,k}), or `X+$` (`$`: the end or before a "\n", as in Oniguruma). ParseClassRun
// reads that shape from the pattern itself (a class of literal characters, ranges,
// \p{L|M|N|P|S}, \s, \r, \n), so any pattern of it runs here; V3's last is matched by its text.
// Classes are Unicode general categories and White_Space from ICU, as Oniguruma (Hugging Face's
// regex engine) defines \p{..} and \s.
#include <unicode/uchar.h>

#include <algorithm>
#include <array>
#include <iterator>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "text/pretokenize/pretokenizer.h"
#include "text/pretokenize/unicode_classes.h"

namespace xval::text {
namespace {

// What a character is, as the patterns test it.
enum Kind : uint8_t {
  kL = 1,          // \p{L}
  kM = 2,          // \p{M}
  kN = 4,          // \p{N}
  kP = 8,          // \p{P}
  kS = 16,         // \p{S}
  kSpace = 32,     // \s: White_Space
  kCrLf = 64,      // \r or \n
  kInvalid = 128,  // a byte that is not UTF-8: matched by nothing (PCRE2's MATCH_INVALID_UTF)
};

uint8_t KindOf(char32_t cp) {
  const uint32_t gc = U_GET_GC_MASK(cp);
  uint8_t k = 0;
  if (gc & U_GC_L_MASK) k |= kL;
  if (gc & U_GC_M_MASK) k |= kM;
  if (gc & U_GC_N_MASK) k |= kN;
  if (gc & U_GC_P_MASK) k |= kP;
  if (gc & U_GC_S_MASK) k |= kS;
  if (u_isUWhiteSpace(cp)) k |= kSpace;
  if (cp == '\r' || cp == '\n') k |= kCrLf;
  return k;
}

const std::array<uint8_t, 128>& AsciiKinds() {
  static const std::array<uint8_t, 128> table = [] {
    std::array<uint8_t, 128> t{};
    for (char32_t c = 0; c < 128; ++c) t[c] = KindOf(c);
    return t;
  }();
  return table;
}

struct Char {
  char32_t cp;
  uint8_t kind;
  uint8_t len;
};

// The tables a cursor reads, looked up once per scanner rather than once per piece.
struct Tables {
  const uint8_t* ascii = AsciiKinds().data();
  const uint8_t* classes = UnicodeClassTable();  // for ScanChar's decoding
};

// The characters of one piece, decoded as they are read.
class Cursor {
 public:
  Cursor(absl::string_view text, const Tables& tables)
      : s_(reinterpret_cast<const unsigned char*>(text.data())),
        n_(text.size()),
        ascii_(tables.ascii),
        classes_(tables.classes) {}
  size_t size() const { return n_; }
  // The character at pos < size().
  Char At(size_t pos) const {
    if (s_[pos] < 0x80) return Char{s_[pos], ascii_[s_[pos]], 1};
    const ScannedChar c = ScanChar(classes_, s_ + pos, n_ - pos);
    if (c.cp == 0xFFFFFFFF) return Char{c.cp, kInvalid, 1};
    return Char{c.cp, KindOf(c.cp), c.len};
  }
  unsigned char byte(size_t pos) const { return s_[pos]; }
  // The kind of the character at pos; 0 at the end.
  uint8_t KindAt(size_t pos) const { return pos < n_ ? At(pos).kind : 0; }

 private:
  const unsigned char* s_;
  size_t n_;
  const uint8_t* ascii_;
  const uint8_t* classes_;
};

// One character class: ASCII by a bitmap, the rest by kinds and sorted code point ranges.
struct CharClass {
  std::array<bool, 128> ascii{};
  uint8_t kinds = 0;
  std::vector<std::pair<char32_t, char32_t>> ranges;

  bool Has(const Char& c) const {
    if (c.cp < 128) return ascii[c.cp];
    if (c.kind & kInvalid) return false;
    if (c.kind & kinds) return true;
    auto it = std::upper_bound(ranges.begin(), ranges.end(), c.cp,
                               [](char32_t cp, const auto& r) { return cp < r.first; });
    return it != ranges.begin() && c.cp <= std::prev(it)->second;
  }
  void AddKinds(uint8_t k) {
    kinds |= k;
    for (char32_t c = 0; c < 128; ++c) ascii[c] = ascii[c] || (AsciiKinds()[c] & k) != 0;
  }
  void AddRange(char32_t a, char32_t b) {
    for (char32_t c = a; c <= b && c < 128; ++c) ascii[c] = true;
    if (b >= 128) ranges.emplace_back(std::max<char32_t>(a, 128), b);
  }
};

// The shape `(\s)? X{1,max} ($)?`.
struct ClassRun {
  bool space_prefix = false;
  CharClass body;
  size_t max = 0;  // 0: unbounded
  bool at_end = false;
};

// Matches of one pattern, Isolated: each match is a piece, and so is each stretch between.
// `Derived::MatchAt(cur, pos, &skip_to)` is the end of the match at pos, or 0 (and where the
// next match can start at the earliest in *skip_to, when it knows); `ascii_start_[b]` is false
// for the ASCII characters no match starts with.
template <typename Derived>
class IsolatedScanner : public PreTokenizer {
 public:
  void Split(absl::string_view text, std::vector<uint32_t>* ends) const override {
    SplitPiece(text, 0, ends);
  }
  // One loop over the pieces, without a call through the vtable for each.
  void Refine(absl::string_view text, absl::Span<const uint32_t> ends,
              std::vector<uint32_t>* out) const override {
    uint32_t begin = 0;
    for (const uint32_t end : ends) {
      SplitPiece(text.substr(begin, end - begin), begin, out);
      begin = end;
    }
  }

 protected:
  IsolatedScanner() { std::fill(std::begin(ascii_start_), std::end(ascii_start_), true); }
  bool ascii_start_[128];

 private:
  void SplitPiece(absl::string_view text, uint32_t base, std::vector<uint32_t>* ends) const {
    const Cursor cur(text, tables_);
    const size_t n = cur.size();
    auto emit = [&](size_t e) { ends->push_back(base + static_cast<uint32_t>(e)); };
    size_t covered = 0, pos = 0;
    while (pos < n) {
      while (pos < n && cur.byte(pos) < 0x80 && !ascii_start_[cur.byte(pos)]) ++pos;
      if (pos == n) break;
      size_t skip_to = 0;
      const size_t end = static_cast<const Derived*>(this)->MatchAt(cur, pos, &skip_to);
      if (end == 0) {
        pos = std::max(skip_to, pos + cur.At(pos).len);
        continue;
      }
      if (pos > covered) emit(pos);
      emit(end);
      covered = pos = end;
    }
    if (n > covered) emit(n);
  }

  const Tables tables_{};
};

class ClassRunScanner : public IsolatedScanner<ClassRunScanner> {
 public:
  explicit ClassRunScanner(ClassRun run) : run_(std::move(run)) {
    for (int c = 0; c < 128; ++c) {
      ascii_start_[c] = run_.body.ascii[c] || (run_.space_prefix && (AsciiKinds()[c] & kSpace));
    }
  }

  size_t MatchAt(const Cursor& cur, size_t pos, size_t* skip_to) const {
    const Char c = cur.At(pos);
    if (run_.space_prefix && (c.kind & kSpace)) {
      const size_t end = Body(cur, pos + c.len);
      if (end > pos + c.len) return end;
    }
    if (!run_.body.Has(c)) return 0;
    const size_t end = Body(cur, pos);
    if (!run_.at_end) return end;
    // `$`: the longest part of the run that ends at the end of the text or before a "\n".
    size_t best = 0;
    for (size_t p = pos; p < end;) {
      p += cur.At(p).len;
      if (p == cur.size() || cur.byte(p) == '\n') best = p;
    }
    if (best == 0) *skip_to = end;  // every match from inside the run would fail the same way
    return best;
  }

 private:
  // The end of the body's run from pos, at most max characters.
  size_t Body(const Cursor& cur, size_t pos) const {
    const size_t n = cur.size();
    if (run_.max == 0) {  // ASCII bytes in a tight loop, other characters one by one
      while (pos < n) {
        const unsigned char b = cur.byte(pos);
        if (b < 0x80) {
          if (!run_.body.ascii[b]) break;
          ++pos;
          continue;
        }
        const Char c = cur.At(pos);
        if (!run_.body.Has(c)) break;
        pos += c.len;
      }
      return pos;
    }
    for (size_t count = 0; pos < n && count < run_.max; ++count) {
      const Char c = cur.At(pos);
      if (!run_.body.Has(c)) break;
      pos += c.len;
    }
    return pos;
  }

  const ClassRun run_;
};

// DeepSeek V3's last stage, alternative by alternative:
//   [!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+ | [^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+ |
//    ?[\p{P}\p{S}]+[\r\n]* | \s*[\r\n]+ | \s+(?!\S) | \s+
class DeepSeekV3Scanner : public IsolatedScanner<DeepSeekV3Scanner> {
 public:
  size_t MatchAt(const Cursor& cur, size_t pos, size_t*) const {
    const size_t n = cur.size();
    const Char c = cur.At(pos);
    const size_t next = pos + c.len;
    auto run = [&](size_t p, uint8_t kinds) {
      while (p < n) {
        const Char d = cur.At(p);
        if (!(d.kind & kinds) || (d.kind & kInvalid)) break;
        p += d.len;
      }
      return p;
    };
    auto is_ascii_letter = [](char32_t x) { return (x | 0x20) >= 'a' && (x | 0x20) <= 'z'; };
    if (c.cp < 128 && (c.kind & (kP | kS)) && next < n && is_ascii_letter(cur.At(next).cp)) {
      size_t p = next;
      while (p < n && is_ascii_letter(cur.At(p).cp)) ++p;
      return p;
    }
    if (c.kind & (kL | kM)) return run(pos, kL | kM);
    const uint8_t after = cur.KindAt(next);
    const bool prefix = !(c.kind & (kCrLf | kL | kP | kS | kInvalid));
    if (prefix && (after & (kL | kM)) && !(after & kInvalid)) return run(next, kL | kM);
    const bool space_then_punct = c.cp == ' ' && (after & (kP | kS)) && !(after & kInvalid);
    if ((c.kind & (kP | kS)) || space_then_punct) {
      size_t p = run(space_then_punct ? next : pos, kP | kS);
      while (p < n && (cur.At(p).kind & kCrLf)) ++p;
      return p;
    }
    if (!(c.kind & kSpace)) return 0;
    // The whitespace run from pos: to its last newline; else all of it at the end of the text;
    // else all but its last character (which goes with what follows); else itself.
    size_t p = pos, last_start = pos, newline_end = 0;
    while (p < n) {
      const Char d = cur.At(p);
      if (!(d.kind & kSpace)) break;
      if (d.kind & kCrLf) newline_end = p + 1;
      last_start = p;
      p += d.len;
    }
    if (newline_end != 0) return newline_end;
    if (p == n) return n;
    return last_start > pos ? last_start : p;
  }
};

// Reads `\s`, `\p{X}`, `\r`, `\n`, `\t` or an escaped punctuation character at p[*i] == '\\'
// into `cls`; a literal escape's code point goes to *literal. False on anything else.
bool ParseEscape(absl::string_view p, size_t* i, CharClass* cls, char32_t* literal) {
  if (*i + 1 >= p.size()) return false;
  const char e = p[*i + 1];
  *literal = 0xFFFFFFFF;
  if (e == 's') {
    cls->AddKinds(kSpace);
  } else if (e == 'p') {
    if (*i + 4 >= p.size() || p[*i + 2] != '{' || p[*i + 4] != '}') return false;
    const char x = p[*i + 3];
    const uint8_t k = x == 'L'   ? kL
                      : x == 'M' ? kM
                      : x == 'N' ? kN
                      : x == 'P' ? kP
                      : x == 'S' ? kS
                                 : 0;
    if (k == 0) return false;
    cls->AddKinds(k);
    *i += 5;
    return true;
  } else if (e == 'r' || e == 'n' || e == 't') {
    *literal = e == 'r' ? '\r' : e == 'n' ? '\n' : '\t';
  } else if (e > 0 && e < 0x7F && std::ispunct(static_cast<unsigned char>(e))) {
    *literal = static_cast<unsigned char>(e);
  } else {
    return false;
  }
  *i += 2;
  return true;
}

// One code point of the pattern at p[*i], UTF-8.
bool ParseLiteral(absl::string_view p, size_t* i, char32_t* cp) {
  const ScannedChar c = ScanChar(
      UnicodeClassTable(), reinterpret_cast<const unsigned char*>(p.data()) + *i, p.size() - *i);
  if (c.cp == 0xFFFFFFFF) return false;
  *cp = c.cp;
  *i += c.len;
  return true;
}

// `[...]` at p[*i] == '[' (not negated): literals, ranges, \p{X}, \s.
bool ParseBracket(absl::string_view p, size_t* i, CharClass* cls) {
  ++*i;
  if (*i < p.size() && p[*i] == '^') return false;
  bool any = false;
  while (*i < p.size() && p[*i] != ']') {
    char32_t first;
    if (p[*i] == '\\') {
      if (!ParseEscape(p, i, cls, &first)) return false;
      if (first == 0xFFFFFFFF) {  // a class escape: no range from it
        any = true;
        continue;
      }
    } else if (p[*i] == '[') {
      return false;  // POSIX classes and nested sets
    } else if (!ParseLiteral(p, i, &first)) {
      return false;
    }
    char32_t last = first;
    if (*i + 1 < p.size() && p[*i] == '-' && p[*i + 1] != ']') {
      ++*i;
      if (p[*i] == '\\') {
        CharClass ignored;
        if (!ParseEscape(p, i, &ignored, &last) || last == 0xFFFFFFFF) return false;
      } else if (p[*i] == '[' || !ParseLiteral(p, i, &last)) {
        return false;
      }
      if (last < first) return false;
    }
    cls->AddRange(first, last);
    any = true;
  }
  if (*i >= p.size() || !any) return false;
  ++*i;
  std::sort(cls->ranges.begin(), cls->ranges.end());
  return true;
}

// The class-run shape of a pattern, or false.
bool ParseClassRun(absl::string_view p, ClassRun* run) {
  size_t i = 0;
  if (p.substr(0, 3) == "\\s?") {
    run->space_prefix = true;
    i = 3;
  }
  if (i >= p.size()) return false;
  if (p[i] == '[') {
    if (!ParseBracket(p, &i, &run->body)) return false;
  } else if (p[i] == '\\') {
    char32_t literal;
    if (!ParseEscape(p, &i, &run->body, &literal)) return false;
    if (literal != 0xFFFFFFFF) run->body.AddRange(literal, literal);
  } else {
    return false;
  }
  const absl::string_view rest = p.substr(i);
  if (rest == "+") return true;
  if (rest == "") {
    run->max = 1;
    return true;
  }
  if (rest == "+$" && !run->space_prefix) {
    run->at_end = true;
    return true;
  }
  if (rest.size() == 5 && rest.substr(0, 3) == "{1," && rest[3] >= '1' && rest[3] <= '9' &&
      rest[4] == '}') {
    run->max = static_cast<size_t>(rest[3] - '0');
    return true;
  }
  return false;
}

}  // namespace

std::unique_ptr<PreTokenizer> MakeDeepSeekScanner(absl::string_view pattern) {
  // Published files write \r and \n as the characters themselves (JSON escapes) or as regex
  // escapes: the same pattern.
  std::string escaped;
  for (const char c : pattern) {
    if (c == '\r' || c == '\n') {
      escaped += c == '\r' ? "\\r" : "\\n";
    } else {
      escaped += c;
    }
  }
  if (escaped == kDeepSeekV3Pattern) return std::make_unique<DeepSeekV3Scanner>();
  ClassRun run;
  if (!ParseClassRun(pattern, &run)) return nullptr;
  return std::make_unique<ClassRunScanner>(std::move(run));
}

}  // namespace xval::text
