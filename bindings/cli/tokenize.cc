// `xval tokenize` and `xval inspect`: encode each input line and print ids, pieces or JSON, or
// each line with its tokens and a summary.
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "command.h"

namespace xval::cli {
namespace {

using Kind = FlagSpec::Kind;

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
  std::printf(
      "{\"texts\":%zu,\"bytes\":%zu,\"numbers\":%zu,\"numbers_as_num\":%zu,"
      "\"numbers_exact_float32\":%zu,\"share_exact_float32\":%.4f,"
      "\"tokens_xval\":%zu,\"tokens_base\":%zu,"
      "\"tokens_per_byte_xval\":%.4f,\"tokens_per_byte_base\":%.4f}\n",
      texts.size(), bytes, found, as_num, exact, as_num ? static_cast<double>(exact) / as_num : 0.0,
      with->ids.size(), without->ids.size(), with->ids.size() / b, without->ids.size() / b);
  return absl::OkStatus();
}

EncodeOptions EncodeOptionsFromFlags(const Flags& flags) {
  EncodeOptions options;
  options.add_bos = flags.Bool("add-bos");
  options.add_special_tokens = flags.Bool("add-special-tokens");
  options.parse_special = !flags.Bool("no-parse-special");
  return options;
}

absl::Status Tokenize(const Flags& flags) {
  auto tok = LoadTokenizerFromFlags(flags, flags.String("tokenizer"));
  if (!tok.ok()) return ForFlag(flags, "tokenizer", tok.status());
  auto lines = ReadInputLines(flags.String("input"));
  if (!lines.ok()) return lines.status();
  std::vector<absl::string_view> texts(lines->begin(), lines->end());
  const EncodeOptions options = EncodeOptionsFromFlags(flags);
  if (flags.Bool("stats")) {
    const auto* xval_tok = dynamic_cast<const XvalTokenizer*>(tok->get());
    if (xval_tok == nullptr) return absl::InvalidArgumentError("--stats needs --numbers xval");
    return PrintStats(*xval_tok, texts, options);
  }
  auto encodings = (*tok)->EncodeBatch(texts, options);
  if (!encodings.ok()) return encodings.status();
  const std::string& output = flags.String("output");
  std::string out;
  for (const Encoding& e : *encodings) {
    auto line = FormatEncoding(**tok, e, output);
    if (!line.ok()) return line.status();
    absl::StrAppend(&out, *line, "\n");
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return absl::OkStatus();
}

absl::Status Inspect(const Flags& flags) {
  auto tok = LoadTokenizerFromFlags(flags, flags.String("tokenizer"));
  if (!tok.ok()) return ForFlag(flags, "tokenizer", tok.status());
  auto lines = ReadInputLines(flags.String("input"));
  if (!lines.ok()) return lines.status();
  const EncodeOptions options = EncodeOptionsFromFlags(flags);
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
  std::printf(
      "summary: %zu texts, %zu bytes, %zu tokens (%zu of them digits), "
      "%.2f bytes/token, vocabulary of %d, %.0f us to encode\n",
      lines->size(), bytes, tokens, digit_tokens,
      tokens ? static_cast<double>(bytes) / tokens : 0.0, (*tok)->vocab_size(), seconds * 1e6);
  return absl::OkStatus();
}

std::vector<FlagSpec> LineFlags() {
  std::vector<FlagSpec> flags = TokenizerFlags(/*with_path=*/true);
  flags.push_back({"input", Kind::kString, "", "read texts from this file (default: stdin)"});
  flags.push_back({"add-bos", Kind::kBool, "false", "prepend the BOS token"});
  flags.push_back({"add-special-tokens", Kind::kBool, "false",
                   "add the special tokens the file says to add (Hugging Face's "
                   "add_special_tokens, llama.cpp's add_special: BOS for Llama)"});
  flags.push_back({"no-parse-special", Kind::kBool, "false",
                   "read special-token text such as <s> or <|endoftext|> as ordinary text "
                   "(tiktoken's encode_ordinary, llama.cpp's parse_special=false)"});
  return flags;
}

}  // namespace

Command TokenizeCommand() {
  Command c;
  c.name = "tokenize";
  c.summary = "encode each input line; print ids, pieces or JSON (ids, values, offsets)";
  c.description =
      "Each line of the input, without its newline, is one text; prints one line per text:\n"
      "ids separated by spaces, pieces likewise, or {\"ids\":[...],\"values\":[...],\n"
      "\"offsets\":[[begin,end],...]}. With --numbers xval every number becomes one [NUM]\n"
      "whose value is in \"values\"; --stats prints one JSON object instead: numbers found,\n"
      "tokens with and without xVal, numbers that survive float32 exactly.";
  c.flags = LineFlags();
  c.flags.push_back({"output", Kind::kString, "ids", "ids, pieces or json"});
  c.flags.push_back({"stats", Kind::kBool, "false",
                     "print xVal statistics as one JSON object instead of encodings"});
  c.run = Tokenize;
  return c;
}

Command InspectCommand() {
  Command c;
  c.name = "inspect";
  c.summary = "print each input line with its ids and pieces, then a summary";
  c.description =
      "Prints each text with its ids and pieces, then a summary: texts, bytes, tokens (and\n"
      "how many hold digits), bytes per token, the vocabulary size and the time to encode.";
  c.flags = LineFlags();
  c.run = Inspect;
  return c;
}

}  // namespace xval::cli
