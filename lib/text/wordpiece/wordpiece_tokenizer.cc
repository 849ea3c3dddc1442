// WordPiece (wordpiece_tokenizer.h), as llama.cpp's llm_tokenizer_wpm_session.
#include "text/wordpiece/wordpiece_tokenizer.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "text/pretokenize/llamacpp_regex.h"
#include "util/scratch.h"
#include "util/status_macros.h"
#include "util/utf8.h"

namespace xval::text {
namespace {

struct Lower {
  char32_t from, to;
};
constexpr Lower kLowercase[] = {
#define XVAL_LLAMACPP_LOWERCASE
#include "text/wordpiece/llamacpp_unicode_maps.inc"
#undef XVAL_LLAMACPP_LOWERCASE
};
struct NfdRange {
  char32_t first, last, base;
};
constexpr NfdRange kNfd[] = {
#define XVAL_LLAMACPP_NFD
#include "text/wordpiece/llamacpp_unicode_maps.inc"
#undef XVAL_LLAMACPP_NFD
};

// llama.cpp's unicode_cpt_flags bits.
constexpr uint16_t kMarkFlag = 0x10, kPunctuationFlag = 0x20, kSymbolFlag = 0x40,
                   kControlFlag = 0x80, kWhitespaceFlag = 0x100;

char32_t ToLower(char32_t c) {
  const Lower* it = std::lower_bound(std::begin(kLowercase), std::end(kLowercase), c,
                                     [](const Lower& l, char32_t v) { return l.from < v; });
  return it != std::end(kLowercase) && it->from == c ? it->to : c;
}

char32_t NfdBase(char32_t c) {
  const NfdRange* it = std::upper_bound(std::begin(kNfd), std::end(kNfd), c,
                                        [](char32_t v, const NfdRange& r) { return v < r.first; });
  if (it == std::begin(kNfd)) return c;
  --it;
  return it->first <= c && c <= it->last ? it->base : c;
}

bool IsChinese(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0x20000 && c <= 0x2A6DF) || (c >= 0x2A700 && c <= 0x2B73F) ||
         (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B920 && c <= 0x2CEAF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

constexpr absl::string_view kWordStart = "\xE2\x96\x81";  // "▁"

}  // namespace

struct WordPieceTokenizer::Scratch {
  std::string word;               // "▁" + the word's normalized bytes
  std::vector<uint32_t> word_at;  // word byte -> input offset; one past the end too
};

WordPieceTokenizer::WordPieceTokenizer(WordPieceConfig config)
    : PieceTableTokenizer(config.bos_id, config.eos_id, config.unk_id), config_(std::move(config)) {
  for (const std::string& t : config_.tokens)
    max_token_bytes_ = std::max(max_token_bytes_, t.size());
  table_.Init(std::move(config_.tokens), std::move(config_.added_tokens));
}

absl::StatusOr<std::unique_ptr<WordPieceTokenizer>> WordPieceTokenizer::Create(
    WordPieceConfig config) {
  const auto n = static_cast<int32_t>(config.tokens.size());
  if (config.unk_id < 0 || config.unk_id >= n) {
    return absl::InvalidArgumentError(
        absl::StrCat(config.source, ": no unknown token (WordPiece needs one)"));
  }
  config.control.resize(n, false);
  return std::unique_ptr<WordPieceTokenizer>(new WordPieceTokenizer(std::move(config)));
}

void WordPieceTokenizer::EncodeText(absl::string_view text, uint32_t base, Scratch& s,
                                    Encoding* out) const {
  std::string& word = s.word;
  std::vector<uint32_t>& at = s.word_at;
  // Covers the word greedily, longest piece first from the left; all or nothing.
  auto finish_word = [&](uint32_t end) {
    if (word.size() == kWordStart.size()) return;
    at.push_back(end);
    const size_t first = out->size();
    const size_t n = word.size();
    bool covered = true;
    for (size_t i = 0; i < n && covered;) {
      covered = false;
      for (size_t j = std::min(n, i + max_token_bytes_ + 1); j > i; --j) {
        const int32_t id = table_.Find(absl::string_view(word).substr(i, j - i));
        if (id < 0) continue;
        out->Append(id, Offset{base + at[i], base + at[j]});
        i = j;
        covered = true;
        break;
      }
    }
    if (!covered) {
      out->ids.resize(first);
      out->values.resize(first);
      out->offsets.resize(first);
      out->Append(config_.unk_id, Offset{base + at[kWordStart.size()], base + end});
    }
  };
  auto start_word = [&](uint32_t begin) {
    word.assign(kWordStart.data(), kWordStart.size());
    at.assign(kWordStart.size(), begin);
  };
  start_word(0);
  for (size_t i = 0, len; i < text.size(); i += len) {
    char32_t c = util::DecodeUtf8(text.data() + i, text.size() - i, &len);
    const auto here = static_cast<uint32_t>(i);
    if (config_.strip_accents) c = NfdBase(c);
    const uint16_t flags = LlamaCppCodepointFlags(c);
    if (flags & kWhitespaceFlag) {
      finish_word(here);
      start_word(here + static_cast<uint32_t>(len));
      continue;
    }
    if (c == 0 || c == util::kReplacementChar || (flags & kControlFlag)) continue;
    if (config_.strip_accents && (flags & kMarkFlag)) continue;
    const char32_t mapped = config_.lowercase ? ToLower(c) : c;
    const bool alone =
        (flags & kPunctuationFlag) || (c < 0x7F && (flags & kSymbolFlag)) || IsChinese(c);
    if (alone) {
      finish_word(here);
      start_word(here);
    }
    util::AppendUtf8(mapped, &word);
    at.resize(word.size(), here);
    if (alone) {
      finish_word(here + static_cast<uint32_t>(len));
      start_word(here + static_cast<uint32_t>(len));
    }
  }
  finish_word(static_cast<uint32_t>(text.size()));
}

void WordPieceTokenizer::EncodeStretch(absl::string_view text, uint32_t base, Encoding* out) const {
  util::ThreadScratch<Scratch> scratch;
  EncodeText(text, base, *scratch, out);
}

absl::StatusOr<std::string> WordPieceTokenizer::Decode(absl::Span<const int32_t> ids) const {
  std::string out;
  for (const int32_t id : ids) {
    ASSIGN_OR_RETURN(std::string piece, IdToPiece(id));
    if (id < table_.num_pieces() && config_.control[id]) continue;
    if (absl::string_view(piece).substr(0, kWordStart.size()) == kWordStart) {
      if (!out.empty()) out += ' ';
      out.append(piece, kWordStart.size(), std::string::npos);
    } else {
      out += piece;
    }
  }
  return out;
}

}  // namespace xval::text
