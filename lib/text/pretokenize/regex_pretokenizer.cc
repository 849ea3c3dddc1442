// The general pre-tokenizer: any pattern a tokenizer.json holds, on PCRE2 with JIT, and the
// factory that prefers the hand-written scanners.
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "absl/strings/str_cat.h"
#include "text/pretokenize/pretokenizer.h"

namespace xval::text {
namespace {

struct CodeDeleter {
  void operator()(pcre2_code* code) const { pcre2_code_free(code); }
};
struct MatchDataDeleter {
  void operator()(pcre2_match_data* data) const { pcre2_match_data_free(data); }
};

class RegexPreTokenizer : public PreTokenizer {
 public:
  explicit RegexPreTokenizer(pcre2_code* code) : code_(code) {}

  void Split(absl::string_view text, std::vector<uint32_t>* ends) const override {
    // Match data is per call: PCRE2 match data must not be shared between threads, and this
    // is the fallback path, not the fast one.
    std::unique_ptr<pcre2_match_data, MatchDataDeleter> data(
        pcre2_match_data_create_from_pattern(code_.get(), nullptr));
    if (data == nullptr) {  // out of memory: keep the text whole rather than lose it
      if (!text.empty()) ends->push_back(static_cast<uint32_t>(text.size()));
      return;
    }
    const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
    const size_t n = text.size();
    size_t covered = 0;  // every byte before this is in an emitted piece
    size_t start = 0;
    while (start < n) {
      const int rc = pcre2_match(code_.get(), subject, n, start, 0, data.get(), nullptr);
      if (rc < 0) break;  // no more matches (or a match error): the rest is one piece
      const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(data.get());
      const size_t mb = ov[0], me = ov[1];
      if (me <= mb) {  // empty match: step over one character
        start = NextChar(text, mb);
        continue;
      }
      if (mb > covered) ends->push_back(static_cast<uint32_t>(mb));
      ends->push_back(static_cast<uint32_t>(me));
      covered = start = me;
    }
    if (n > covered) ends->push_back(static_cast<uint32_t>(n));
  }

 private:
  static size_t NextChar(absl::string_view text, size_t pos) {
    ++pos;
    while (pos < text.size() && (static_cast<unsigned char>(text[pos]) & 0xC0) == 0x80) ++pos;
    return pos;
  }

  std::unique_ptr<pcre2_code, CodeDeleter> code_;
};

}  // namespace

void PreTokenizer::Refine(absl::string_view text, absl::Span<const uint32_t> ends,
                          std::vector<uint32_t>* out) const {
  uint32_t begin = 0;
  for (const uint32_t end : ends) {
    const size_t first = out->size();
    Split(text.substr(begin, end - begin), out);
    for (size_t k = first; k < out->size(); ++k) (*out)[k] += begin;
    begin = end;
  }
}

absl::StatusOr<std::unique_ptr<PreTokenizer>> MakeRegexPreTokenizer(absl::string_view pattern,
                                                                     absl::string_view source) {
  int error = 0;
  PCRE2_SIZE offset = 0;
  // UCP: \s, \d, \w and POSIX classes by Unicode properties, as in Rust's regex crate.
  // MATCH_INVALID_UTF: invalid UTF-8 in the text is never matched, never an error.
  // DOLLAR_ENDONLY: `$` is the end of the text only (tiktoken's `\s++$`).
  const uint32_t options =
      PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF | PCRE2_DOLLAR_ENDONLY;
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                   options, &error, &offset, nullptr);
  if (code == nullptr) {
    PCRE2_UCHAR message[256];
    pcre2_get_error_message(error, message, sizeof(message));
    return absl::InvalidArgumentError(absl::StrCat(source, ": pattern rejected by PCRE2 at offset ",
                                                   offset, ": ",
                                                   reinterpret_cast<const char*>(message)));
  }
  // Without JIT (an unsupported CPU) PCRE2 still matches, only slower.
  pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
  return std::unique_ptr<PreTokenizer>(new RegexPreTokenizer(code));
}

std::unique_ptr<PreTokenizer> MakeTiktokenScanner(absl::string_view pattern) {
  if (pattern == kGpt2Pattern || pattern == kGpt2OriginalPattern) return MakeGpt2Scanner();
  if (pattern == kCl100kPattern) return MakeCl100kScanner();
  if (pattern == kLlama3Pattern) return MakeLlama3Scanner();
  if (pattern == kO200kPattern) return MakeO200kScanner();
  if (pattern == kQwen2Pattern) return MakeQwen2Scanner();
  return nullptr;
}

absl::StatusOr<std::unique_ptr<PreTokenizer>> MakePreTokenizer(absl::string_view pattern,
                                                               absl::string_view source) {
  if (auto scanner = MakeTiktokenScanner(pattern)) return scanner;
  return MakeRegexPreTokenizer(pattern, source);
}

}  // namespace xval::text
