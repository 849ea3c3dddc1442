#include "text/spm/spm_tokenizer.h"

#include <atomic>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "text/spaced_word_cuts.h"
#include "util/status_macros.h"

namespace xval::text {
namespace {

std::atomic<uint64_t> next_instance_id{1};

}  // namespace

SpmTokenizer::SpmTokenizer(SpmConfig config, const TokenizerOptions& options)
    : config_(std::move(config)),
      options_(options),
      matcher_(config_.added_tokens),
      plain_matcher_(NonSpecial(config_.added_tokens)),
      user_defined_(config_.user_defined),
      instance_id_(next_instance_id.fetch_add(1)) {
  IndexAddedTokenStarts();
  boundary_ = config_.normalizer.escape_whitespaces ? std::string(kSpaceSymbol) : " ";
  joined_to_boundary_ = config_.vocab.CharsJoinedToBoundary(boundary_);
  for (const std::string& c : joined_to_boundary_) {
    if (c.size() == 1 && static_cast<unsigned char>(c[0]) < 128) {
      ascii_joined_to_boundary_[static_cast<unsigned char>(c[0])] = true;
    }
  }
  // Words can be cut in the raw text (and cached by their raw bytes) when the normalizer maps
  // each character on its own: no extra-whitespace removal, no user-defined pieces, no
  // character map.
  raw_words_ = config_.normalizer.escape_whitespaces &&
               !config_.normalizer.remove_extra_whitespaces && user_defined_.empty() &&
               config_.normalizer.charsmap == nullptr;
  cuttable_ = raw_words_ && config_.added_tokens.empty();
  if (raw_words_) {
    std::vector<bool> joined(256 * 256);
    for (int32_t id = 0; id < config_.vocab.size(); ++id) {
      const VocabPiece& p = config_.vocab.piece(id);
      if (p.type != PieceType::kNormal && p.type != PieceType::kUserDefined &&
          p.type != PieceType::kUnused) {
        continue;
      }
      for (size_t i = 1; i < p.piece.size(); ++i) {
        joined[static_cast<unsigned char>(p.piece[i - 1]) * 256 +
               static_cast<unsigned char>(p.piece[i])] = true;
      }
    }
    // ASCII digits and punctuation (printable, not a letter, not a space).
    auto cuttable = [](int c) {
      return c > ' ' && c < 0x7F && !((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
    };
    const bool cut_inside = !options_.digits.enabled();
    unit_starts_.assign(256 * 256, 0);
    for (int a = 0; a < 256; ++a) {
      for (int b = 0; b < 256; ++b) {
        uint8_t& v = unit_starts_[a * 256 + b];
        if (b == ' ' && a != ' ') {
          v = a == 0x81 ? kLookAround : 1;  // 0x81 may end a "▁" (then no word starts)
        } else if (b == 0xE2 && a != ' ') {
          v = kLookAround;  // 0xE2 may start a "▁"
        } else if (cut_inside && a > ' ' && a < 0x7F && b > ' ' && b < 0x7F) {
          v = !joined[a * 256 + b] && (cuttable(a) || cuttable(b));
        }
      }
    }
  }
}

absl::StatusOr<std::unique_ptr<SpmTokenizer>> SpmTokenizer::Create(
    SpmConfig config, const TokenizerOptions& options) {
  if (config.normalizer.treat_whitespace_as_suffix) {
    return absl::UnimplementedError(
        absl::StrCat(config.source, ": treat_whitespace_as_suffix is not supported"));
  }
  for (int32_t id = 0; id < config.vocab.size(); ++id) {
    if (config.vocab.piece(id).type == PieceType::kUnused) {
      return absl::UnimplementedError(absl::StrCat(config.source, ": piece ", id,
                                                   " is of type UNUSED, which is not supported"));
    }
  }
  if (config.byte_fallback && !config.vocab.has_byte_pieces()) {
    return absl::InvalidArgumentError(absl::StrCat(
        config.source, ": byte_fallback is on but the vocabulary has no <0xXX> pieces"));
  }
  if (config.byte_fallback && config.unk_id < 0) {
    // A byte without its <0xXX> piece falls back to the unknown piece; with neither, there
    // is no id to give (fuzzing found -1 in the output).
    for (int b = 0; b < 256; ++b) {
      if (config.vocab.byte_id(static_cast<uint8_t>(b)) < 0) {
        return absl::InvalidArgumentError(absl::StrCat(
            config.source, ": byte_fallback without an unknown piece needs all 256 byte pieces; ",
            absl::StrFormat("<0x%02X>", b), " is missing"));
      }
    }
  }
  if (!config.byte_fallback && config.unk_id < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(config.source, ": the vocabulary has no unknown piece and no byte fallback"));
  }
  return std::unique_ptr<SpmTokenizer>(new SpmTokenizer(std::move(config), options));
}

int32_t SpmTokenizer::vocab_size() const {
  int32_t n = config_.vocab.size();
  for (const AddedToken& t : config_.added_tokens) n = std::max(n, t.id + 1);
  return n;
}

absl::StatusOr<std::string> SpmTokenizer::IdToPiece(int32_t id) const {
  if (id >= 0 && id < config_.vocab.size()) return config_.vocab.piece(id).piece;
  for (const AddedToken& t : config_.added_tokens) {
    if (t.id == id) return t.content;
  }
  return absl::OutOfRangeError(
      absl::StrCat("id ", id, " is outside the vocabulary (size ", vocab_size(), ")"));
}

absl::StatusOr<int32_t> SpmTokenizer::PieceToId(absl::string_view piece) const {
  for (const AddedToken& t : config_.added_tokens) {
    if (t.content == piece) return t.id;
  }
  const int32_t id = config_.vocab.Find(piece);
  if (id < 0) return absl::NotFoundError(absl::StrCat("no piece \"", piece, "\""));
  return id;
}

absl::Status SpmTokenizer::AddTokens(absl::Span<const AddedToken> tokens) {
  RETURN_IF_ERROR(AppendAddedTokens(tokens, *this, &config_.added_tokens));
  // A new key for the per-thread caches: none of their words may outlive a vocabulary change.
  instance_id_ = next_instance_id.fetch_add(1);
  matcher_ = AddedTokenMatcher(config_.added_tokens);
  plain_matcher_ = AddedTokenMatcher(NonSpecial(config_.added_tokens));
  IndexAddedTokenStarts();
  cuttable_ = raw_words_ && config_.added_tokens.empty();
  return absl::OkStatus();
}

size_t SpmTokenizer::SafeCut(absl::string_view text, size_t from, size_t max_scan) const {
  if (!cuttable_) return absl::string_view::npos;
  return FindSpacedWordStart(text, from, max_scan,
                             [this](unsigned char c) { return !ascii_joined_to_boundary_[c]; });
}

void SpmTokenizer::IndexAddedTokenStarts() {
  added_starts_.clear();
  added_start_table_.fill(false);
  for (const AddedToken& t : config_.added_tokens) {
    if (t.content.empty()) continue;
    const auto c = static_cast<unsigned char>(t.content[0]);
    if (!added_start_table_[c]) added_starts_.push_back(c);
    added_start_table_[c] = true;
  }
}

bool SpmTokenizer::MayHoldAddedToken(absl::string_view text) const {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t i = 0;
  if (added_starts_.size() <= 2) {
    // Eight bytes at a time: a byte equal to b leaves a zero byte in v ^ b, found with the
    // exact zero-byte test (no carry crosses bytes). One start byte stands in for a missing
    // second.
    constexpr uint64_t kOnes = 0x0101010101010101ULL;
    constexpr uint64_t kLow7 = kOnes * 0x7F;
    auto zero_bytes = [](uint64_t x) { return ~(((x & kLow7) + kLow7) | x | kLow7); };
    if (added_starts_.empty()) return false;
    const uint64_t b1 = kOnes * added_starts_[0];
    const uint64_t b2 = kOnes * added_starts_.back();
    auto any_at = [&](size_t at) {
      uint64_t v;
      std::memcpy(&v, s + at, 8);
      return (zero_bytes(v ^ b1) | zero_bytes(v ^ b2)) != 0;
    };
    for (; i + 8 <= n; i += 8) {
      if (any_at(i)) return true;
    }
    // The last bytes as the last eight, overlapping ones already looked at.
    if (i < n && n >= 8) return any_at(n - 8);
  }
  for (; i < n; ++i) {
    if (added_start_table_[s[i]]) return true;
  }
  return false;
}

absl::Status SpmTokenizer::EncodeInto(absl::string_view text, const EncodeOptions& options,
                                      uint32_t base, Encoding* out) const {
  return EncodeWith(text, ResolveSpecialTokens(options), base, State(), out);
}

absl::Status SpmTokenizer::EncodeSegments(absl::string_view text,
                                          absl::Span<const EncodeSegment> segments, uint32_t base,
                                          Encoding* out) const {
  ThreadState& state = State();
  // One look over the whole text rather than one per segment: segments are parts of it, so
  // when it holds no byte that starts an added token, neither do they.
  const bool text_may_hold = MayHoldAddedToken(text);
  for (const EncodeSegment& s : segments) {
    if (s.token >= 0) {
      out->Append(s.token, Offset{base + s.begin, base + s.end}, s.value);
      continue;
    }
    const absl::string_view piece = text.substr(s.begin, s.end - s.begin);
    if (raw_words_ && !s.options.add_bos && !s.options.add_eos &&
        ((s.options.parse_special ? matcher_ : plain_matcher_).empty() ||
         !text_may_hold || !MayHoldAddedToken(piece))) {
      // Most segments: what EncodeWith and EncodeText come to for them, without the calls.
      EncodeRawText(piece, base + s.begin, PrefixFor(piece, s.begin == 0, s.options), state, out);
      continue;
    }
    const absl::Status status =
        EncodeWith(text.substr(s.begin, s.end - s.begin), s.options, base + s.begin, state, out);
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

absl::Status SpmTokenizer::EncodeWith(absl::string_view text, const EncodeOptions& options,
                                      uint32_t base, ThreadState& state, Encoding* out) const {
  if (options.add_bos && config_.bos_id < 0) {
    return absl::InvalidArgumentError("the vocabulary has no BOS");
  }
  if (options.add_eos && config_.eos_id < 0) {
    return absl::InvalidArgumentError("the vocabulary has no EOS");
  }
  if (options.add_bos) out->Append(config_.bos_id, Offset{base, base});
  // Each stretch of text between added tokens is normalized on its own, with its own dummy
  // prefix (Hugging Face's legacy Llama behaviour), unless it continues an earlier text or
  // Metaspace's rules say otherwise (PrefixFor).
  const AddedTokenMatcher& matcher = options.parse_special ? matcher_ : plain_matcher_;
  if (matcher.empty()) {
    EncodeText(text, base, PrefixFor(text, true, options), state, out);
  } else if (!MayHoldAddedToken(text)) {
    // What Split does with a text where nothing matches (most texts, and most of xVal's
    // stretches between numbers), without its byte-by-byte look.
    if (!text.empty()) EncodeText(text, base, PrefixFor(text, true, options), state, out);
  } else {
    matcher.Split(
        text,
        [&](size_t b, size_t e) {
          const absl::string_view piece = text.substr(b, e - b);
          EncodeText(piece, base + static_cast<uint32_t>(b), PrefixFor(piece, b == 0, options),
                     state, out);
        },
        [&](const AddedToken& t, size_t b, size_t e) {
          out->Append(t.id,
                      Offset{base + static_cast<uint32_t>(b), base + static_cast<uint32_t>(e)});
        });
  }
  if (options.add_eos) {
    const uint32_t end = base + static_cast<uint32_t>(text.size());
    out->Append(config_.eos_id, Offset{end, end});
  }
  return absl::OkStatus();
}

}  // namespace xval::text
