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
    : config_(std::move(config)),
      matcher_(config_.added_tokens),
      plain_matcher_(NonSpecial(config_.added_tokens)) {}

absl::StatusOr<std::unique_ptr<WordPieceTokenizer>> WordPieceTokenizer::Create(
    WordPieceConfig config) {
  const auto n = static_cast<int32_t>(config.tokens.size());
  if (config.unk_id < 0 || config.unk_id >= n) {
    return absl::InvalidArgumentError(
        absl::StrCat(config.source, ": no unknown token (WordPiece needs one)"));
  }
  config.control.resize(n, false);
  std::unique_ptr<WordPieceTokenizer> t(new WordPieceTokenizer(std::move(config)));
  t->ids_.reserve(n);
  for (int32_t id = 0; id < n; ++id) {
    const std::string& token = t->config_.tokens[id];
    t->ids_.emplace(token, id);  // the first id of a text wins
    t->max_token_bytes_ = std::max(t->max_token_bytes_, token.size());
  }
  t->added_base_ = n;
  return t;
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
        auto it = ids_.find(absl::string_view(word).substr(i, j - i));
        if (it == ids_.end()) continue;
        out->Append(it->second, Offset{base + at[i], base + at[j]});
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

absl::Status WordPieceTokenizer::EncodeInto(absl::string_view text, const EncodeOptions& requested,
                                            uint32_t base, Encoding* out) const {
  const EncodeOptions options = ResolveSpecialTokens(requested);
  if (options.add_bos && config_.bos_id < 0) {
    return absl::InvalidArgumentError("the vocabulary has no BOS ([CLS])");
  }
  if (options.add_eos && config_.eos_id < 0) {
    return absl::InvalidArgumentError("the vocabulary has no EOS ([SEP])");
  }
  util::ThreadScratch<Scratch> scratch;
  if (options.add_bos) out->Append(config_.bos_id, Offset{base, base});
  const AddedTokenMatcher& matcher = options.parse_special ? matcher_ : plain_matcher_;
  matcher.Split(
      text,
      [&](size_t b, size_t e) {
        EncodeText(text.substr(b, e - b), base + static_cast<uint32_t>(b), *scratch, out);
      },
      [&](const AddedToken& t, size_t b, size_t e) {
        out->Append(t.id, Offset{base + static_cast<uint32_t>(b), base + static_cast<uint32_t>(e)});
      });
  if (options.add_eos) {
    const uint32_t end = base + static_cast<uint32_t>(text.size());
    out->Append(config_.eos_id, Offset{end, end});
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> WordPieceTokenizer::Decode(absl::Span<const int32_t> ids) const {
  std::string out;
  for (const int32_t id : ids) {
    ASSIGN_OR_RETURN(std::string piece, IdToPiece(id));
    if (id < added_base_ && config_.control[id]) continue;
    if (absl::string_view(piece).substr(0, kWordStart.size()) == kWordStart) {
      if (!out.empty()) out += ' ';
      out.append(piece, kWordStart.size(), std::string::npos);
    } else {
      out += piece;
    }
  }
  return out;
}

int32_t WordPieceTokenizer::vocab_size() const {
  int32_t n = added_base_;
  for (const AddedToken& t : config_.added_tokens) n = std::max(n, t.id + 1);
  return n;
}

absl::StatusOr<std::string> WordPieceTokenizer::IdToPiece(int32_t id) const {
  if (id < 0 || id >= vocab_size()) {
    return absl::OutOfRangeError(
        absl::StrCat("id ", id, " is outside the vocabulary (", vocab_size(), " tokens)"));
  }
  if (id < added_base_) return config_.tokens[id];
  for (const AddedToken& t : config_.added_tokens) {
    if (t.id == id) return t.content;
  }
  return absl::OutOfRangeError(absl::StrCat("id ", id, " is not a token"));
}

absl::StatusOr<int32_t> WordPieceTokenizer::PieceToId(absl::string_view piece) const {
  auto it = ids_.find(piece);
  if (it != ids_.end()) return it->second;
  for (const AddedToken& t : config_.added_tokens) {
    if (t.content == piece) return t.id;
  }
  return absl::NotFoundError(absl::StrCat("no piece \"", piece, "\""));
}

absl::Status WordPieceTokenizer::AddTokens(absl::Span<const AddedToken> tokens) {
  RETURN_IF_ERROR(AppendAddedTokens(tokens, *this, &config_.added_tokens));
  matcher_ = AddedTokenMatcher(config_.added_tokens);
  plain_matcher_ = AddedTokenMatcher(NonSpecial(config_.added_tokens));
  return absl::OkStatus();
}

}  // namespace xval::text
