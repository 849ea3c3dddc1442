// The flags that load a tokenizer (digit splitting, xVal numbers) and read input lines, shared
// by tokenize, inspect and generate.

#include <charconv>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "command.h"

namespace xval::cli {

using Kind = FlagSpec::Kind;

std::vector<FlagSpec> TokenizerFlags(bool with_path) {
  std::vector<FlagSpec> flags;
  if (with_path) {
    flags.push_back({"tokenizer", Kind::kString, "",
                     "a .model, tokenizer.json, .tiktoken or .gguf file, or gpt2, r50k_base, "
                     "cl100k_base, o200k_base (required)"});
    flags.push_back({"data-dir", Kind::kString, "",
                     "where named tokenizers find their .tiktoken files (default: "
                     "$XVAL_DATA_DIR/tokenizers/tiktoken)"});
    flags.push_back({"tiktoken-pattern", Kind::kString, "",
                     "the pre-tokenizer pattern of a .tiktoken file xval does not recognise "
                     "(tiktoken's pat_str)"});
    flags.push_back(
        {"tiktoken-special", Kind::kString, "", "that file's special tokens: NAME=ID,NAME=ID,..."});
  }
  std::vector<FlagSpec> rest = {
      {"digits", Kind::kString, "none", "digit splitting: none, individual, ltr<N> or rtl<N>"},
      {"numbers", Kind::kString, "none", "none, or xval: each number one [NUM] with its value"},
      {"number-mode", Kind::kString, "standard",
       "standard (xval's grammar) or paper (the xVal reference code's regex, exactly)"},
      {"transform", Kind::kString, "identity",
       "value transform: identity, or steps joined by '+': scale:S shift:B affine:S:B "
       "clip:LO:HI slog log10[:MAX:MIN] fields:KEY=S,..."},
      {"number-options", Kind::kString, "",
       "standard grammar options, comma-separated: plus, leading_dot, trailing_dot, groups, "
       "unicode, binary_minus, no_exponent"},
      {"out-of-range", Kind::kString, "",
       "numbers beyond the value's range or digit limit: text, error or saturate (default: "
       "text; saturate in paper mode)"},
      {"max-digits", Kind::kInt, "0",
       "significant digits beyond which --out-of-range applies (0: no limit)"},
      {"precision", Kind::kString, "",
       "float32 or float16 (default: float32; float16 in paper mode)"},
  };
  flags.insert(flags.end(), rest.begin(), rest.end());
  return flags;
}

absl::StatusOr<std::unique_ptr<XvalOptions>> NumberOptionsFromFlags(const Flags& flags) {
  const std::string& numbers = flags.String("numbers");
  if (numbers == "none") return nullptr;
  if (numbers != "xval") {
    return absl::InvalidArgumentError(absl::StrCat("--numbers: \"", numbers, "\" (none or xval)"));
  }
  XvalOptionNames names;
  names.mode = flags.String("number-mode");
  names.transform = flags.String("transform");
  names.number_options = flags.String("number-options");
  names.out_of_range = flags.String("out-of-range");
  names.max_digits = flags.Int("max-digits");
  names.precision = flags.String("precision");
  absl::StatusOr<XvalOptions> options = ParseXvalOptions(names);
  if (!options.ok()) {
    // The flag as the command spells it: "--out-of-range: ..." for "out_of_range: ...".
    std::string message(options.status().message());
    const size_t colon = message.find(':');
    std::string flag = message.substr(0, colon);
    for (char& c : flag) c = c == '_' ? '-' : c;
    return absl::InvalidArgumentError(absl::StrCat("--", flag, message.substr(colon)));
  }
  return std::make_unique<XvalOptions>(*std::move(options));
}

absl::StatusOr<std::unique_ptr<Tokenizer>> LoadTokenizerFromFlags(const Flags& flags,
                                                                  const std::string& path) {
  if (path.empty()) return absl::InvalidArgumentError("--tokenizer is required");
  TokenizerOptions options;
  auto digits = DigitSplit::Parse(flags.String("digits"));
  if (!digits.ok())
    return absl::InvalidArgumentError(absl::StrCat("--digits: ", digits.status().message()));
  options.digits = *digits;
  if (flags.Given("data-dir")) options.data_dir = flags.String("data-dir");
  if (flags.Given("tiktoken-pattern")) options.tiktoken_pattern = flags.String("tiktoken-pattern");
  if (flags.Given("tiktoken-special")) {
    for (absl::string_view entry :
         absl::StrSplit(flags.String("tiktoken-special"), ',', absl::SkipEmpty())) {
      const size_t eq = entry.rfind('=');
      int32_t id = -1;
      if (eq == absl::string_view::npos || eq == 0 ||
          !absl::SimpleAtoi(entry.substr(eq + 1), &id) || id < 0) {
        return absl::InvalidArgumentError(
            absl::StrCat("--tiktoken-special: \"", entry, "\" is not NAME=ID"));
      }
      options.tiktoken_special_tokens.push_back(
          AddedToken{std::string(entry.substr(0, eq)), id, /*special=*/true});
    }
  }
  auto numbers = NumberOptionsFromFlags(flags);
  if (!numbers.ok()) return numbers.status();
  // LoadBaseTokenizer: every format LoadTokenizer reads, and the xVal paper's tokenizer.json.
  if (*numbers == nullptr) return LoadBaseTokenizer(path, options);
  auto tok = LoadXvalTokenizer(path, options, **numbers);
  if (!tok.ok()) return tok.status();
  return std::unique_ptr<Tokenizer>(*std::move(tok));
}

std::string FormatFloat(float v) {
  char buf[32];
  auto result = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, result.ptr);
}

absl::Status ForFlag(const Flags& flags, const std::string& name, const absl::Status& status) {
  if (status.ok() || absl::StartsWith(status.message(), "--" + name)) return status;
  return absl::Status(status.code(), absl::StrCat(flags.Spelling(name), ": ", status.message()));
}

std::vector<FlagSpec> SpecialTokenFlags() {
  return {
      {"add-bos", FlagSpec::Kind::kBool, "false", "prepend the BOS token"},
      {"add-special-tokens", FlagSpec::Kind::kBool, "false",
       "add the special tokens the file says to add (Hugging Face's add_special_tokens, "
       "llama.cpp's add_special: BOS for Llama)"},
      {"no-parse-special", FlagSpec::Kind::kBool, "false",
       "read special-token text such as <s> or <|endoftext|> as ordinary text (tiktoken's "
       "encode_ordinary, llama.cpp's parse_special=false)"},
  };
}

EncodeOptions EncodeOptionsFromFlags(const Flags& flags) {
  EncodeOptions options;
  options.add_bos = flags.Bool("add-bos");
  options.add_special_tokens = flags.Bool("add-special-tokens");
  options.parse_special = !flags.Bool("no-parse-special");
  return options;
}

}  // namespace xval::cli
