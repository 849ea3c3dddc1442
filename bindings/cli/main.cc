// The `xval` command.
//
//   xval tokenize --tokenizer PATH|NAME [--data-dir DIR] [--digits individual|ltr3|rtl3]
//                 [--add-bos] [--output ids|pieces|json] [--input FILE]
//     Each line of the input (stdin by default), without its newline, is one text; prints one
//     line per text: ids separated by spaces, or pieces likewise, or
//     {"ids":[...],"values":[...],"offsets":[[begin,end],...]}.
//   xval tokenize ... --numbers xval [--number-mode standard|paper] [--transform SPEC]
//                 [--number-options plus,leading_dot,trailing_dot,groups,unicode,binary_minus,
//                  no_exponent] [--out-of-range text|error|saturate] [--max-digits N]
//                 [--precision float32|float16] [--stats]
//     xVal: every number becomes one [NUM] whose value is in the json output's "values";
//     --stats prints one JSON object instead of the encodings: numbers found, tokens with and
//     without xVal, numbers that survive float32 exactly.
//   xval inspect --tokenizer PATH [--input FILE] [...same options]
//     Prints each text with its ids and pieces, then a summary (tokens, bytes per token).
//
// Errors go to stderr with exit status 1.
#include <charconv>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "xval/tokenizer.h"
#include "xval/xval_tokenizer.h"

ABSL_FLAG(std::string, tokenizer, "",
          "a .model, tokenizer.json or .tiktoken file, or gpt2, r50k_base, cl100k_base, o200k_base");
ABSL_FLAG(std::string, data_dir, "",
          "where named tokenizers find their .tiktoken files (default: $XVAL_DATA_DIR)");
ABSL_FLAG(std::string, digits, "none", "digit splitting: none, individual, ltr<N> or rtl<N>");
ABSL_FLAG(bool, add_bos, false, "prepend the BOS token");
ABSL_FLAG(std::string, output, "ids", "ids, pieces or json");
ABSL_FLAG(std::string, input, "", "read texts from this file instead of stdin");
ABSL_FLAG(std::string, numbers, "none", "none, or xval: each number one [NUM] with its value");
ABSL_FLAG(std::string, number_mode, "standard",
          "standard (xval's grammar) or paper (the xVal reference code, exactly)");
ABSL_FLAG(std::string, transform, "identity",
          "value transform: identity, or steps joined by '+': scale:S shift:B affine:S:B "
          "clip:LO:HI slog fields:KEY=S,...");
ABSL_FLAG(std::string, number_options, "",
          "standard grammar options, comma-separated: plus, leading_dot, trailing_dot, groups, "
          "unicode, binary_minus, no_exponent");
ABSL_FLAG(std::string, out_of_range, "",
          "numbers beyond the value's range or digit limit: text, error or saturate "
          "(default: text; saturate in paper mode)");
ABSL_FLAG(int, max_digits, 0, "significant digits beyond which --out-of-range applies (0: none)");
ABSL_FLAG(std::string, precision, "", "float32 or float16 (default: float32; float16 in paper mode)");
ABSL_FLAG(bool, stats, false, "print xVal statistics as one JSON object instead of encodings");

namespace xval {
namespace {

absl::StatusOr<std::vector<std::string>> ReadLines(const std::string& path) {
  std::vector<std::string> lines;
  std::string line;
  if (path.empty()) {
    while (std::getline(std::cin, line)) lines.push_back(line);
    return lines;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot be opened"));
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

// The shortest decimal that reads back as the same float.
std::string FormatFloat(float v) {
  char buf[32];
  auto result = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, result.ptr);
}

absl::StatusOr<std::string> FormatEncoding(const Tokenizer& tok, const Encoding& e,
                                           const std::string& output) {
  if (output == "ids") return absl::StrJoin(e.ids, " ");
  if (output == "pieces") {
    std::vector<std::string> pieces;
    for (int32_t id : e.ids) {
      auto p = tok.IdToPiece(id);
      if (!p.ok()) return p.status();
      pieces.push_back(*std::move(p));
    }
    return absl::StrJoin(pieces, " ");
  }
  if (output == "json") {
    std::string s = absl::StrCat("{\"ids\":[", absl::StrJoin(e.ids, ","), "],\"values\":[");
    for (size_t i = 0; i < e.values.size(); ++i) {
      absl::StrAppend(&s, i ? "," : "", FormatFloat(e.values[i]));
    }
    s += "],\"offsets\":[";
    for (size_t i = 0; i < e.offsets.size(); ++i) {
      absl::StrAppend(&s, i ? "," : "", "[", e.offsets[i].begin, ",", e.offsets[i].end, "]");
    }
    return s + "]}";
  }
  return absl::InvalidArgumentError(
      absl::StrCat("--output: unknown format \"", output, "\" (ids, pieces or json)"));
}

absl::StatusOr<XvalOptions> XvalOptionsFromFlags() {
  const std::string mode = absl::GetFlag(FLAGS_number_mode);
  XvalOptions o;
  if (mode == "paper") {
    o = XvalOptions::Paper();
  } else if (mode != "standard") {
    return absl::InvalidArgumentError(
        absl::StrCat("--number-mode: \"", mode, "\" (standard or paper)"));
  }
  auto transform = ValueTransform::Parse(absl::GetFlag(FLAGS_transform));
  if (!transform.ok()) return transform.status();
  o.transform = *std::move(transform);
  for (absl::string_view opt : absl::StrSplit(absl::GetFlag(FLAGS_number_options), ',',
                                              absl::SkipEmpty())) {
    NumberGrammar& g = o.numbers.grammar;
    if (mode == "paper") return absl::InvalidArgumentError("--number-options: standard mode only");
    if (opt == "plus") g.plus_sign = true;
    else if (opt == "leading_dot") g.leading_dot = true;
    else if (opt == "trailing_dot") g.trailing_dot = true;
    else if (opt == "groups") g.group_separators = true;
    else if (opt == "unicode") g.unicode_digits = true;
    else if (opt == "binary_minus") g.binary_minus_as_sign = true;
    else if (opt == "no_exponent") g.exponent = false;
    else return absl::InvalidArgumentError(absl::StrCat("--number-options: unknown \"", opt, "\""));
  }
  const std::string policy = absl::GetFlag(FLAGS_out_of_range);
  if (policy == "text") o.out_of_range = OutOfRangePolicy::kText;
  else if (policy == "error") o.out_of_range = OutOfRangePolicy::kError;
  else if (policy == "saturate") o.out_of_range = OutOfRangePolicy::kSaturate;
  else if (!policy.empty()) return absl::InvalidArgumentError("--out-of-range: text, error or saturate");
  o.max_significant_digits = absl::GetFlag(FLAGS_max_digits);
  const std::string precision = absl::GetFlag(FLAGS_precision);
  if (precision == "float32") o.precision = ValuePrecision::kFloat32;
  else if (precision == "float16") o.precision = ValuePrecision::kFloat16;
  else if (!precision.empty()) return absl::InvalidArgumentError("--precision: float32 or float16");
  return o;
}

absl::StatusOr<std::unique_ptr<Tokenizer>> LoadFromFlags() {
  const std::string path = absl::GetFlag(FLAGS_tokenizer);
  if (path.empty()) return absl::InvalidArgumentError("--tokenizer is required");
  TokenizerOptions options;
  auto digits = DigitSplit::Parse(absl::GetFlag(FLAGS_digits));
  if (!digits.ok()) return digits.status();
  options.digits = *digits;
  options.data_dir = absl::GetFlag(FLAGS_data_dir);
  const std::string numbers = absl::GetFlag(FLAGS_numbers);
  if (numbers == "none") return LoadTokenizer(path, options);
  if (numbers != "xval") {
    return absl::InvalidArgumentError(absl::StrCat("--numbers: \"", numbers, "\" (none or xval)"));
  }
  auto xval_options = XvalOptionsFromFlags();
  if (!xval_options.ok()) return xval_options.status();
  auto tok = LoadXvalTokenizer(path, options, *xval_options);
  if (!tok.ok()) return tok.status();
  return std::unique_ptr<Tokenizer>(*std::move(tok));
}

// --stats: what xVal does to these texts, as one JSON object.
absl::Status PrintStats(const XvalTokenizer& tok, absl::Span<const absl::string_view> texts,
                        const EncodeOptions& options) {
  auto with = tok.EncodeBatchFlat(texts, options);
  if (!with.ok()) return with.status();
  auto without = tok.base().EncodeBatchFlat(texts, options);
  if (!without.ok()) return without.status();
  size_t bytes = 0, found = 0, as_num = 0, exact = 0;
  std::vector<NumberValue> values;
  for (absl::string_view text : texts) {
    bytes += text.size();
    values.clear();
    absl::Status s = tok.FindValues(text, &values);
    if (!s.ok()) return s;
    for (const NumberValue& v : values) {
      ++found;
      if (!v.as_num) continue;
      ++as_num;
      exact += RoundTripsThroughFloat32(text.substr(v.span.begin, v.span.end - v.span.begin));
    }
  }
  const double b = bytes ? static_cast<double>(bytes) : 1.0;
  std::printf("{\"texts\":%zu,\"bytes\":%zu,\"numbers\":%zu,\"numbers_as_num\":%zu,"
              "\"numbers_exact_float32\":%zu,\"share_exact_float32\":%.4f,"
              "\"tokens_xval\":%zu,\"tokens_base\":%zu,"
              "\"tokens_per_byte_xval\":%.4f,\"tokens_per_byte_base\":%.4f}\n",
              texts.size(), bytes, found, as_num, exact,
              as_num ? static_cast<double>(exact) / as_num : 0.0, with->ids.size(),
              without->ids.size(), with->ids.size() / b, without->ids.size() / b);
  return absl::OkStatus();
}

absl::Status Tokenize() {
  auto tok = LoadFromFlags();
  if (!tok.ok()) return tok.status();
  auto lines = ReadLines(absl::GetFlag(FLAGS_input));
  if (!lines.ok()) return lines.status();
  std::vector<absl::string_view> texts(lines->begin(), lines->end());
  EncodeOptions options;
  options.add_bos = absl::GetFlag(FLAGS_add_bos);
  if (absl::GetFlag(FLAGS_stats)) {
    const auto* xval_tok = dynamic_cast<const XvalTokenizer*>(tok->get());
    if (xval_tok == nullptr) return absl::InvalidArgumentError("--stats needs --numbers xval");
    return PrintStats(*xval_tok, texts, options);
  }
  auto encodings = (*tok)->EncodeBatch(texts, options);
  if (!encodings.ok()) return encodings.status();
  const std::string output = absl::GetFlag(FLAGS_output);
  std::string out;
  for (const Encoding& e : *encodings) {
    auto line = FormatEncoding(**tok, e, output);
    if (!line.ok()) return line.status();
    absl::StrAppend(&out, *line, "\n");
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return absl::OkStatus();
}

absl::Status Inspect() {
  auto tok = LoadFromFlags();
  if (!tok.ok()) return tok.status();
  auto lines = ReadLines(absl::GetFlag(FLAGS_input));
  if (!lines.ok()) return lines.status();
  EncodeOptions options;
  options.add_bos = absl::GetFlag(FLAGS_add_bos);
  size_t bytes = 0, tokens = 0, digit_tokens = 0;
  double seconds = 0;
  for (const std::string& line : *lines) {
    const auto start = std::chrono::steady_clock::now();
    auto e = (*tok)->Encode(line, options);
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!e.ok()) return e.status();
    auto ids = FormatEncoding(**tok, *e, "ids");
    auto pieces = FormatEncoding(**tok, *e, "pieces");
    if (!pieces.ok()) return pieces.status();
    std::printf("text:   %s\nids:    %s\npieces: %s\n\n", line.c_str(), ids->c_str(),
                pieces->c_str());
    bytes += line.size();
    tokens += e->size();
    for (int32_t id : e->ids) {
      auto p = (*tok)->IdToPiece(id);
      if (p.ok() && p->find_first_of("0123456789") != std::string::npos) ++digit_tokens;
    }
  }
  std::printf("summary: %zu texts, %zu bytes, %zu tokens (%zu of them digits), "
              "%.2f bytes/token, vocabulary of %d, %.0f us to encode\n",
              lines->size(), bytes, tokens, digit_tokens,
              tokens ? static_cast<double>(bytes) / tokens : 0.0, (*tok)->vocab_size(),
              seconds * 1e6);
  return absl::OkStatus();
}

}  // namespace
}  // namespace xval

namespace xval {
// generate.cc; `numbers` is null without --numbers xval.
absl::Status RunGenerate(const XvalOptions* numbers);

absl::Status Generate() {
  const std::string numbers = absl::GetFlag(FLAGS_numbers);
  if (numbers == "none") return RunGenerate(nullptr);
  if (numbers != "xval") {
    return absl::InvalidArgumentError(absl::StrCat("--numbers: \"", numbers, "\" (none or xval)"));
  }
  auto options = XvalOptionsFromFlags();
  if (!options.ok()) return options.status();
  return RunGenerate(&*options);
}
}  // namespace xval

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "xval tokenize|inspect --tokenizer PATH [--digits ...] [--add_bos] [--output ...] "
      "[--input FILE] [--numbers xval [--number-mode ...] [--transform ...] [--stats]]");
  // Accept --add-bos as well as --add_bos (absl flags use underscores).
  std::vector<char*> args(argv, argv + argc);
  std::vector<std::string> renamed;
  renamed.reserve(argc);
  for (char*& a : args) {
    std::string s = a;
    if (s.rfind("--", 0) == 0) {
      const size_t eq = s.find('=');
      for (size_t i = 2; i < std::min(eq, s.size()); ++i) {
        if (s[i] == '-') s[i] = '_';
      }
      renamed.push_back(s);
      a = renamed.back().data();
    }
  }
  std::vector<char*> positional = absl::ParseCommandLine(static_cast<int>(args.size()), args.data());
  if (positional.size() != 2) {
    std::fprintf(stderr, "usage: %s\n", absl::ProgramUsageMessage().data());
    return 1;
  }
  const std::string command = positional[1];
  absl::Status status;
  if (command == "tokenize") {
    status = xval::Tokenize();
  } else if (command == "inspect") {
    status = xval::Inspect();
  } else if (command == "generate") {
    status = xval::Generate();
  } else {
    status = absl::InvalidArgumentError(absl::StrCat("unknown command \"", command,
                                                     "\" (tokenize or inspect)"));
  }
  if (!status.ok()) {
    std::fprintf(stderr, "xval: %s\n", std::string(status.message()).c_str());
    return 1;
  }
  return 0;
}
