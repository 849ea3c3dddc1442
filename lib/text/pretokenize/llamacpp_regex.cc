// llama.cpp's std::regex pre-tokenizer on PCRE2 (llamacpp_regex.h).
#define PCRE2_CODE_UNIT_WIDTH 8
#include "text/pretokenize/llamacpp_regex.h"

#include <pcre2.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "util/scratch.h"
#include "util/utf8.h"

namespace xval::text {
namespace {

struct FlagRange {
  char32_t first;
  uint16_t flags;
};
constexpr FlagRange kFlagRanges[] = {
#include "text/pretokenize/llamacpp_unicode_flags.inc"
};

constexpr uint16_t kUndefined = 0x1, kNumber = 0x2, kLetter = 0x4, kMark = 0x10,
                   kPunctuation = 0x20, kSymbol = 0x40, kWhitespace = 0x100;

const uint16_t* FlagTable() {
  static const std::unique_ptr<uint16_t[]> table = [] {
    auto t = std::make_unique<uint16_t[]>(0x110000);
    constexpr size_t n = sizeof(kFlagRanges) / sizeof(kFlagRanges[0]);
    for (size_t i = 0; i < n; ++i) {
      const char32_t end = i + 1 < n ? kFlagRanges[i + 1].first : 0x110000;
      for (char32_t c = kFlagRanges[i].first; c < end; ++c) t[c] = kFlagRanges[i].flags;
    }
    return t;
  }();
  return table.get();
}

// The byte a collapsed code point becomes, and the ASCII characters of each class
// (unicode.cpp k_ucat_cpt and k_ucat_map).
struct Category {
  const char* name;
  uint16_t flag;
  char32_t collapsed;
  const char* ascii;  // in character-class syntax
};
constexpr Category kCategories[] = {
    {"\\p{N}", kNumber, 0xD1, "0-9"},
    {"\\p{L}", kLetter, 0xD2, "A-Za-z"},
    {"\\p{P}", kPunctuation, 0xD3, "!-#%-*,-/:-;?-@\\[-\\]_\\{\\}"},
    {"\\p{M}", kMark, 0xD4, ""},
    {"\\p{S}", kSymbol, 0xD5, "\\$\\+<-\\>\\^`\\|\\~"},
    // llama.cpp reads every letter subcategory as \p{L}.
    {"\\p{Lu}", kLetter, 0xD2, "A-Za-z"},
    {"\\p{Ll}", kLetter, 0xD2, "A-Za-z"},
    {"\\p{Lt}", kLetter, 0xD2, "A-Za-z"},
    {"\\p{Lm}", kLetter, 0xD2, "A-Za-z"},
    {"\\p{Lo}", kLetter, 0xD2, "A-Za-z"},
};
constexpr char32_t kCollapsedOther = 0xD0;
constexpr char32_t kWhitespaceStandIn = 0x0B;  // a vertical tab: ASCII \s

bool UsesCategories(absl::string_view pattern) {
  for (const Category& c : kCategories) {
    if (absl::StrContains(pattern, c.name)) return true;
  }
  return false;
}

// unicode.cpp's rewrite of a pattern for the collapsed text: each \p{X} becomes the collapsed
// byte plus the ASCII members of X, bracketed unless already inside a class.
std::string CollapsePattern(absl::string_view p) {
  std::string out;
  bool inside = false;
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i] == '[' && (i == 0 || p[i - 1] != '\\')) {
      out += '[';
      inside = true;
      continue;
    }
    if (inside && p[i] == ']' && p[i - 1] != '\\') {
      out += ']';
      inside = false;
      continue;
    }
    if (p[i] == '\\' && i + 3 < p.size() && p[i + 1] == 'p' && p[i + 2] == '{') {
      const size_t close = p.find('}', i + 3);
      if (close != absl::string_view::npos && close <= i + 10) {
        const absl::string_view name = p.substr(i, close - i + 1);
        const Category* cat = nullptr;
        for (const Category& c : kCategories) {
          if (name == c.name) cat = &c;
        }
        if (cat != nullptr) {
          if (!inside) out += '[';
          absl::StrAppend(&out, "\\x{", absl::Hex(cat->collapsed), "}", cat->ascii);
          if (!inside) out += ']';
          i = close;
          continue;
        }
      }
    }
    out += p[i];
  }
  return out;
}

struct CodeDeleter {
  void operator()(pcre2_code* code) const { pcre2_code_free(code); }
};
struct MatchDataDeleter {
  void operator()(pcre2_match_data* data) const { pcre2_match_data_free(data); }
};

class LlamaCppRegex : public PreTokenizer {
 public:
  LlamaCppRegex(pcre2_code* code, bool collapse) : code_(code), collapse_(collapse) {}

  void Split(absl::string_view text, std::vector<uint32_t>* ends) const override {
    if (text.empty()) return;
    // The text as the regex sees it (UTF-8 of the mapped code points), and for each of its
    // code points the input offset it came from.
    struct Scratch {
      std::string mapped;
      std::vector<uint32_t> to_input;  // mapped byte offset -> input byte offset
    };
    util::ThreadScratch<Scratch> scratch;
    std::string& mapped = scratch->mapped;
    std::vector<uint32_t>& to_input = scratch->to_input;
    mapped.clear();
    to_input.clear();
    const uint16_t* flags = FlagTable();
    for (size_t i = 0, len; i < text.size(); i += len) {
      char32_t cp = util::DecodeUtf8(text.data() + i, text.size() - i, &len);
      if (cp >= 0x80) {
        const bool invalid = cp == util::kReplacementChar && len == 1;
        const uint16_t f = invalid ? kUndefined : flags[cp];
        if (f & kWhitespace) {
          cp = kWhitespaceStandIn;
        } else if (collapse_) {
          cp = kCollapsedOther;
          for (const Category& c : kCategories) {
            if ((f & 0xFF) == c.flag) {
              cp = c.collapsed;
              break;
            }
          }
        }
      }
      util::AppendUtf8(cp, &mapped);
      to_input.resize(mapped.size(), static_cast<uint32_t>(i));
    }
    to_input.push_back(static_cast<uint32_t>(text.size()));

    std::unique_ptr<pcre2_match_data, MatchDataDeleter> data(
        pcre2_match_data_create_from_pattern(code_.get(), nullptr));
    if (data == nullptr) {  // out of memory: keep the text whole rather than lose it
      ends->push_back(static_cast<uint32_t>(text.size()));
      return;
    }
    const auto* subject = reinterpret_cast<PCRE2_SPTR>(mapped.data());
    const size_t n = mapped.size();
    size_t covered = 0, start = 0;
    // std::regex_iterator: each match, the text between matches as pieces of their own.
    while (start < n) {
      // `mapped` is valid UTF-8 (it was written by AppendUtf8): without NO_UTF_CHECK, PCRE2
      // would check the whole subject again at every match, quadratic in a long text.
      const int rc =
          pcre2_match(code_.get(), subject, n, start, PCRE2_NO_UTF_CHECK, data.get(), nullptr);
      if (rc < 0) break;
      const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(data.get());
      const size_t mb = ov[0], me = ov[1];
      if (me <= mb) {  // empty match: step over one character
        start = mb + 1;
        while (start < n && (static_cast<unsigned char>(mapped[start]) & 0xC0) == 0x80) ++start;
        continue;
      }
      if (mb > covered) ends->push_back(to_input[mb]);
      ends->push_back(to_input[me]);
      covered = start = me;
    }
    if (n > covered) ends->push_back(static_cast<uint32_t>(text.size()));
  }

 private:
  std::unique_ptr<pcre2_code, CodeDeleter> code_;
  bool collapse_;
};

}  // namespace

uint16_t LlamaCppCodepointFlags(char32_t cp) {
  return cp < 0x110000 ? FlagTable()[cp] : kUndefined;
}

absl::StatusOr<std::unique_ptr<PreTokenizer>> MakeLlamaCppRegex(absl::string_view pattern,
                                                                absl::string_view source) {
  const bool collapse = UsesCategories(pattern);
  std::string regex(pattern);
  if (collapse) {
    for (const char c : pattern) {
      if (static_cast<unsigned char>(c) >= 0x80) {
        return absl::InvalidArgumentError(absl::StrCat(
            source, ": pre-tokenizer pattern \"", pattern,
            "\" mixes Unicode categories and non-ASCII characters (llama.cpp refuses it too)"));
      }
    }
    regex = CollapsePattern(pattern);
  }
  int error = 0;
  PCRE2_SIZE offset = 0;
  // UTF without UCP: \s, \d, \w are ASCII, as std::regex's are in the C locale.
  // DOLLAR_ENDONLY: ECMAScript's `$` is the end of the text only.
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(regex.data()), regex.size(),
                                   PCRE2_UTF | PCRE2_DOLLAR_ENDONLY, &error, &offset, nullptr);
  if (code == nullptr) {
    PCRE2_UCHAR message[256];
    pcre2_get_error_message(error, message, sizeof(message));
    return absl::InvalidArgumentError(absl::StrCat(source, ": pre-tokenizer pattern \"", pattern,
                                                   "\" rejected at offset ", offset, ": ",
                                                   reinterpret_cast<const char*>(message)));
  }
  pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
  return std::unique_ptr<PreTokenizer>(new LlamaCppRegex(code, collapse));
}

}  // namespace xval::text
