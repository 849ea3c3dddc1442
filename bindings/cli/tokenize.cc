// `xval tokenize` and `xval inspect`: encode each input line and print ids, pieces or JSON, or
// each line with its tokens and a summary.
#include <charconv>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "command.h"
#include "line_stream.h"

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

// --stats: what xVal does to the texts, counted batch by batch, printed as one JSON object.
struct XvalStats {
  size_t texts = 0, bytes = 0, found = 0, as_num = 0, exact = 0, tokens_xval = 0, tokens_base = 0;

  absl::Status Add(const XvalTokenizer& tok, absl::Span<const absl::string_view> batch,
                   const EncodeOptions& options) {
    auto with = tok.EncodeBatchFlat(batch, options);
    if (!with.ok()) return with.status();
    auto without = tok.base().EncodeBatchFlat(batch, options);
    if (!without.ok()) return without.status();
    tokens_xval += with->ids.size();
    tokens_base += without->ids.size();
    std::vector<NumberValue> values;
    for (absl::string_view text : batch) {
      ++texts;
      bytes += text.size();
      values.clear();
      if (absl::Status s = tok.FindValues(text, &values); !s.ok()) return s;
      for (const NumberValue& v : values) {
        ++found;
        if (!v.as_num) continue;
        ++as_num;
        exact += RoundTripsThroughFloat32(text.substr(v.span.begin, v.span.end - v.span.begin));
      }
    }
    return absl::OkStatus();
  }

  void Print() const {
    const double b = bytes ? static_cast<double>(bytes) : 1.0;
    std::printf(
        "{\"texts\":%zu,\"bytes\":%zu,\"numbers\":%zu,\"numbers_as_num\":%zu,"
        "\"numbers_exact_float32\":%zu,\"share_exact_float32\":%.4f,"
        "\"tokens_xval\":%zu,\"tokens_base\":%zu,"
        "\"tokens_per_byte_xval\":%.4f,\"tokens_per_byte_base\":%.4f}\n",
        texts, bytes, found, as_num, exact, as_num ? static_cast<double>(exact) / as_num : 0.0,
        tokens_xval, tokens_base, tokens_xval / b, tokens_base / b);
  }
};

// Each text's ids separated by spaces, a line per text (FormatEncoding's "ids", without an
// intermediate string per line).
void AppendIdLines(const BatchEncoding& batch, std::string* out) {
  const size_t start = out->size();
  out->resize(start + batch.ids.size() * 12 + batch.num_texts());  // 11 chars an int32, a space
  char* p = out->data() + start;
  for (size_t t = 0; t < batch.num_texts(); ++t) {
    for (size_t i = batch.row_splits[t]; i < batch.row_splits[t + 1]; ++i) {
      if (i != batch.row_splits[t]) *p++ = ' ';
      p = std::to_chars(p, p + 11, batch.ids[i]).ptr;
    }
    *p++ = '\n';
  }
  out->resize(p - out->data());
}

// Encodes the input batch by batch as it arrives (line_stream.h), each batch on every core, and
// prints each batch's lines as soon as it is done.
absl::Status Tokenize(const Flags& flags) {
  auto tok = LoadTokenizerFromFlags(flags, flags.String("tokenizer"));
  if (!tok.ok()) return ForFlag(flags, "tokenizer", tok.status());
  const EncodeOptions options = EncodeOptionsFromFlags(flags);
  const XvalTokenizer* xval_tok = nullptr;
  if (flags.Bool("stats")) {
    xval_tok = dynamic_cast<const XvalTokenizer*>(tok->get());
    if (xval_tok == nullptr) return absl::InvalidArgumentError("--stats needs --numbers xval");
  }
  const std::string& output = flags.String("output");
  if (auto checked = FormatEncoding(**tok, Encoding(), output); !checked.ok()) {
    return checked.status();  // a bad --output, named before any input is read
  }
  auto input = LineStream::Open(flags.String("input"));
  if (!input.ok()) return input.status();
  XvalStats stats;
  std::vector<std::string> lines;
  std::string out;
  while (true) {
    absl::StatusOr<bool> more = (*input)->Next(&lines);
    if (!more.ok()) return more.status();
    if (!*more) break;
    const std::vector<absl::string_view> texts(lines.begin(), lines.end());
    if (xval_tok != nullptr) {
      if (absl::Status s = stats.Add(*xval_tok, texts, options); !s.ok()) return s;
      continue;
    }
    out.clear();
    if (output == "ids") {  // the common case: ids alone, written without a string per line
      EncodeOptions ids_only = options;
      ids_only.ids_only = true;
      auto batch = (*tok)->EncodeBatchFlat(texts, ids_only);
      if (!batch.ok()) return batch.status();
      AppendIdLines(*batch, &out);
      std::fwrite(out.data(), 1, out.size(), stdout);
      std::fflush(stdout);
      continue;
    }
    auto encodings = (*tok)->EncodeBatch(texts, options);
    if (!encodings.ok()) return encodings.status();
    for (const Encoding& e : *encodings) {
      auto line = FormatEncoding(**tok, e, output);
      if (!line.ok()) return line.status();
      absl::StrAppend(&out, *line, "\n");
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    std::fflush(stdout);
  }
  if (xval_tok != nullptr) stats.Print();
  return absl::OkStatus();
}

absl::Status Inspect(const Flags& flags) {
  auto tok = LoadTokenizerFromFlags(flags, flags.String("tokenizer"));
  if (!tok.ok()) return ForFlag(flags, "tokenizer", tok.status());
  auto input = LineStream::Open(flags.String("input"));
  if (!input.ok()) return input.status();
  const EncodeOptions options = EncodeOptionsFromFlags(flags);
  size_t texts = 0, bytes = 0, tokens = 0, digit_tokens = 0;
  double seconds = 0;
  std::vector<std::string> lines;
  while (true) {
    absl::StatusOr<bool> more = (*input)->Next(&lines);
    if (!more.ok()) return more.status();
    if (!*more) break;
    for (const std::string& line : lines) {
      const auto start = std::chrono::steady_clock::now();
      auto e = (*tok)->Encode(line, options);
      seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (!e.ok()) return e.status();
      auto ids = FormatEncoding(**tok, *e, "ids");
      auto pieces = FormatEncoding(**tok, *e, "pieces");
      if (!pieces.ok()) return pieces.status();
      std::printf("text:   %s\nids:    %s\npieces: %s\n\n", line.c_str(), ids->c_str(),
                  pieces->c_str());
      ++texts;
      bytes += line.size();
      tokens += e->size();
      for (int32_t id : e->ids) {
        auto p = (*tok)->IdToPiece(id);
        if (p.ok() && p->find_first_of("0123456789") != std::string::npos) ++digit_tokens;
      }
    }
    std::fflush(stdout);
  }
  std::printf(
      "summary: %zu texts, %zu bytes, %zu tokens (%zu of them digits), "
      "%.2f bytes/token, vocabulary of %d, %.0f us to encode\n",
      texts, bytes, tokens, digit_tokens, tokens ? static_cast<double>(bytes) / tokens : 0.0,
      (*tok)->vocab_size(), seconds * 1e6);
  return absl::OkStatus();
}

std::vector<FlagSpec> LineFlags() {
  std::vector<FlagSpec> flags = TokenizerFlags(/*with_path=*/true);
  flags.push_back({"input", Kind::kString, "", "read texts from this file (default: stdin)"});
  const std::vector<FlagSpec> special = SpecialTokenFlags();
  flags.insert(flags.end(), special.begin(), special.end());
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
