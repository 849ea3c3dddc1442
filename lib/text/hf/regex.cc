#include "text/hf/regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "absl/strings/str_cat.h"

namespace xval::text::hf {

struct Regex::Code {
  pcre2_code* code = nullptr;
  ~Code() { pcre2_code_free(code); }
};

absl::StatusOr<std::string> TranslateOniguruma(absl::string_view pattern) {
  std::string out;
  out.reserve(pattern.size());
  bool in_class = false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      const char e = pattern[i + 1];
      ++i;
      if (e == 'h') {  // Oniguruma: a hexadecimal digit
        out += in_class ? "0-9a-fA-F" : "[0-9a-fA-F]";
      } else if (e == 'H') {
        if (in_class) {
          return absl::UnimplementedError(
              "\\H (not a hexadecimal digit) inside a character class is not supported");
        }
        out += "[^0-9a-fA-F]";
      } else {
        out.push_back('\\');
        out.push_back(e);
      }
      continue;
    }
    if (c == '[' && !in_class) {
      in_class = true;
      out.push_back(c);
      // A ']' or '^]' right after the '[' is a literal.
      if (i + 1 < pattern.size() && pattern[i + 1] == '^') out.push_back(pattern[++i]);
      if (i + 1 < pattern.size() && pattern[i + 1] == ']') out += "\\]", ++i;
      continue;
    }
    if (c == '[' && in_class && i + 1 < pattern.size() && pattern[i + 1] == ':') {
      const size_t close = pattern.find(":]", i + 2);  // a POSIX class [:alpha:]
      if (close != absl::string_view::npos) {
        out.append(pattern.data() + i, close + 2 - i);
        i = close + 1;
        continue;
      }
    }
    if (c == '[' && in_class) {
      return absl::UnimplementedError("nested character classes are not supported");
    }
    if (c == ']' && in_class) in_class = false;
    out.push_back(c);
  }
  return out;
}

namespace {

// `multiline`: `^` and `$` at the start and end of every line (after and before each "\n"), as
// in Oniguruma's Ruby syntax, which tokenizers uses.
pcre2_code* Compile(absl::string_view pattern, bool multiline, int* error, PCRE2_SIZE* offset) {
  // UCP: \s, \d, \w and POSIX classes by Unicode properties, as Oniguruma's UTF-8 encoding has
  // them. MATCH_INVALID_UTF: invalid UTF-8 in the text is never matched, never an error.
  uint32_t options = PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF;
  if (multiline) options |= PCRE2_MULTILINE | PCRE2_ALT_CIRCUMFLEX;
  struct ContextDeleter {
    void operator()(pcre2_compile_context* c) const { pcre2_compile_context_free(c); }
  };
  std::unique_ptr<pcre2_compile_context, ContextDeleter> context(
      pcre2_compile_context_create(nullptr));
  if (context != nullptr) pcre2_set_newline(context.get(), PCRE2_NEWLINE_LF);
  return pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), options, error,
                       offset, context.get());
}

}  // namespace

absl::StatusOr<Regex> Regex::FromPcre2(absl::string_view pattern, absl::string_view source) {
  return FromPcre2Lines(pattern, source, /*multiline=*/false);
}

absl::StatusOr<Regex> Regex::FromPcre2Lines(absl::string_view pattern, absl::string_view source,
                                            bool multiline) {
  int error = 0;
  PCRE2_SIZE offset = 0;
  auto code = std::make_shared<Code>();
  code->code = Compile(pattern, multiline, &error, &offset);
  if (code->code == nullptr) {
    PCRE2_UCHAR message[256];
    pcre2_get_error_message(error, message, sizeof(message));
    return absl::InvalidArgumentError(absl::StrCat(source, ": pattern rejected by PCRE2 at offset ",
                                                   offset, ": ",
                                                   reinterpret_cast<const char*>(message)));
  }
  pcre2_jit_compile(code->code, PCRE2_JIT_COMPLETE);  // without JIT it still matches
  return Regex(std::move(code));
}

absl::StatusOr<Regex> Regex::FromOniguruma(absl::string_view pattern, absl::string_view source) {
  absl::StatusOr<std::string> translated = TranslateOniguruma(pattern);
  if (!translated.ok()) {
    return absl::UnimplementedError(absl::StrCat(source, ": ", translated.status().message()));
  }
  return FromPcre2Lines(*translated, source, /*multiline=*/true);
}

absl::StatusOr<Regex> Regex::Literal(absl::string_view text, absl::string_view source) {
  // \Q...\E quotes everything but "\E" itself.
  std::string pattern;
  for (const char c : text) {
    if (std::ispunct(static_cast<unsigned char>(c))) pattern.push_back('\\');
    pattern.push_back(c);
  }
  return FromPcre2(pattern, source);
}

void Regex::FindAll(absl::string_view text, std::vector<std::pair<size_t, size_t>>* matches) const {
  struct DataDeleter {
    void operator()(pcre2_match_data* d) const { pcre2_match_data_free(d); }
  };
  std::unique_ptr<pcre2_match_data, DataDeleter> data(
      pcre2_match_data_create_from_pattern(code_->code, nullptr));
  if (data == nullptr) return;
  const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
  size_t start = 0;
  size_t last_match_end = std::string::npos;
  while (start <= text.size()) {
    const int rc = pcre2_match(code_->code, subject, text.size(), start, 0, data.get(), nullptr);
    if (rc < 0) break;
    const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(data.get());
    const size_t b = ov[0], e = ov[1];
    if (b == e && b == last_match_end) {  // Oniguruma steps one character on
      if (start >= text.size()) break;
      ++start;
      while (start < text.size() && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) {
        ++start;
      }
      continue;
    }
    matches->emplace_back(b, e);
    last_match_end = e;
    start = e;
    if (b == e && start >= text.size()) break;
  }
}

}  // namespace xval::text::hf
