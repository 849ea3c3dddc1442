// XvalTokenizer's encoders: the standard one (numbers found in the text as it is) and the
// paper one (the reference code's tokenize_fnc: spaces deleted, commas between adjacent
// numbers deleted, offsets mapped back to the original text).
#include <string>
#include <typeinfo>
#include <vector>

#include "text/numbers/number_scanner.h"
#include "text/numbers/xval_number.h"
#include "text/spm/spm_tokenizer.h"
#include "util/scratch.h"
#include "util/status_macros.h"

namespace xval {

absl::Status XvalTokenizer::EncodeStandard(absl::string_view text, const EncodeOptions& options,
                                           uint32_t base, Encoding* out) const {
  // Scratch leased for this call: a base that is itself an xVal tokenizer leases its own.
  util::ThreadScratch<std::vector<Number>> numbers_scratch;
  std::vector<Number>& numbers = *numbers_scratch;
  numbers.clear();
  RETURN_IF_ERROR(Collect(text, &numbers));
  // The text becomes segments: stretches of text for the base tokenizer, and numbers.
  util::ThreadScratch<std::vector<text::EncodeSegment>> segments_scratch;
  std::vector<text::EncodeSegment>& segments = *segments_scratch;
  segments.clear();
  bool first = true;
  // The text [b, e) before a number (or the end): through the base tokenizer, BOS with the
  // first stretch, EOS with the last, and no dummy prefix after a number (continuation).
  auto encode_plain = [&](size_t b, size_t e, bool last, bool parse_special) {
    EncodeOptions o = options;
    o.add_bos = first && options.add_bos;
    o.add_eos = last && options.add_eos;
    o.continuation = first ? options.continuation : true;
    o.parse_special = parse_special;
    if (b == e && !o.add_bos && !o.add_eos) return;
    first = false;
    segments.push_back(
        text::EncodeSegment{static_cast<uint32_t>(b), static_cast<uint32_t>(e), o, -1, 1.0f});
  };
  // A literal "[NUM]" in the text is text, not a number with value 1: it goes through the
  // base without special-token matching, so that only numbers carry the [NUM] id.
  // The text is searched for the literal once, not once per stretch: `literal_at` is its first
  // occurrence at or after the stretch's start (npos when none), found again only when passed.
  const absl::string_view literal = options_.num_token;
  constexpr size_t kNone = absl::string_view::npos;
  size_t literal_at = options.parse_special ? text.find(literal) : kNone;
  auto encode_text = [&](size_t b, size_t e, bool last) {
    while (true) {
      if (literal_at != kNone && literal_at < b) literal_at = text.find(literal, b);
      // Later occurrences start later, so when this one ends past e none fits in [b, e).
      if (literal_at == kNone || literal_at + literal.size() > e) break;
      const size_t at = literal_at;
      encode_plain(b, at, false, true);
      b = at + literal.size();
      encode_plain(at, b, false, false);
    }
    encode_plain(b, e, last, options.parse_special);
  };
  // A stretch between two numbers of a text without the literal: what encode_text makes of it,
  // written directly (the common case, once per number).
  EncodeOptions middle = options;
  middle.add_bos = middle.add_eos = false;
  middle.continuation = true;
  segments.reserve(2 * numbers.size() + 2);
  size_t cursor = 0;
  for (const Number& n : numbers) {
    if (n.kind != ValueKind::kValue) continue;  // kept as text: part of the next stretch
    if (first || literal_at != kNone) {
      encode_text(cursor, n.span.begin, false);
    } else if (cursor < n.span.begin) {
      segments.push_back(text::EncodeSegment{static_cast<uint32_t>(cursor), n.span.begin, middle,
                                             -1, 1.0f});
    }
    first = false;
    segments.push_back(text::EncodeSegment{n.span.begin, n.span.end, {}, num_id_, n.value});
    cursor = n.span.end;
  }
  encode_text(cursor, text.size(), true);
  // A SentencePiece base takes them all in one call (the per-call work once per text, not
  // twice per number); any other base, a call per stretch.
  // (typeid, not dynamic_cast: an exact type test is a pointer comparison, and this runs once
  // per text.)
  const Tokenizer& base_tokenizer = *base_;
  if (typeid(base_tokenizer) == typeid(text::SpmTokenizer)) {
    return static_cast<const text::SpmTokenizer&>(base_tokenizer)
        .EncodeSegments(text, segments, base, out);
  }
  for (const text::EncodeSegment& s : segments) {
    if (s.token >= 0) {
      out->Append(s.token, Offset{base + s.begin, base + s.end}, s.value);
      continue;
    }
    RETURN_IF_ERROR(
        base_->EncodeInto(text.substr(s.begin, s.end - s.begin), s.options, base + s.begin, out));
  }
  return absl::OkStatus();
}

absl::Status XvalTokenizer::EncodePaper(absl::string_view text, const EncodeOptions& options,
                                        uint32_t base, Encoding* out) const {
  // sample.replace(" ", ""): the compact text, and where each of its bytes came from.
  util::ThreadScratch<std::string> compact_scratch;
  util::ThreadScratch<std::vector<uint32_t>> to_text_scratch;
  std::string& compact = *compact_scratch;
  std::vector<uint32_t>& to_text = *to_text_scratch;
  text::DeleteSpaces(text, &compact, &to_text);
  util::ThreadScratch<std::vector<Number>> numbers_scratch;
  std::vector<Number>& numbers = *numbers_scratch;
  numbers.clear();
  RETURN_IF_ERROR(Collect(compact, &numbers));

  util::ThreadScratch<Encoding> piece_scratch;
  Encoding& piece = *piece_scratch;
  bool first = true;
  auto encode_text = [&](size_t b, size_t e, bool last) -> absl::Status {
    EncodeOptions o = options;
    o.add_bos = first && options.add_bos;
    o.add_eos = last && options.add_eos;
    o.continuation = first ? options.continuation : true;
    if (b == e && !o.add_bos && !o.add_eos) return absl::OkStatus();
    piece.Clear();
    RETURN_IF_ERROR(base_->EncodeInto(absl::string_view(compact).substr(b, e - b), o, 0, &piece));
    for (size_t i = 0; i < piece.size(); ++i) {
      const Offset o = piece.offsets[i];
      // Back to the original bytes: a span keeps its first byte and its last byte's end.
      const uint32_t begin = to_text[b + o.begin];
      const uint32_t end = o.end > o.begin ? to_text[b + o.end - 1] + 1 : begin;
      out->Append(piece.ids[i], Offset{base + begin, base + end}, piece.values[i]);
    }
    return absl::OkStatus();
  };
  size_t cursor = 0;
  const Number* previous = nullptr;
  for (const Number& n : numbers) {
    if (n.kind != ValueKind::kValue) continue;
    // compress_matrix: "¬,¬" -> "¬¬" (applied twice, which removes every comma of a chain).
    const bool merged_comma = previous != nullptr && n.span.begin == previous->span.end + 1 &&
                              compact[previous->span.end] == ',';
    if (!merged_comma) RETURN_IF_ERROR(encode_text(cursor, n.span.begin, false));
    first = false;
    out->Append(num_id_,
                Offset{base + to_text[n.span.begin], base + to_text[n.span.end - 1] + 1},
                n.value);
    cursor = n.span.end;
    previous = &n;
  }
  return encode_text(cursor, compact.size(), true);
}

}  // namespace xval
