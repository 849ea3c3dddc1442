// The Unigram tokenizer (unigram_tokenizer.h): normalization, then Viterbi over the pieces'
// trie, as llama.cpp's llm_tokenizer_ugm_session (itself SentencePiece's EncodeOptimized).
#include "text/unigram/unigram_tokenizer.h"

#include <algorithm>
#include <cfloat>
#include <limits>

#include "absl/strings/str_cat.h"
#include "text/spm/normalizer.h"
#include "util/scratch.h"
#include "util/status_macros.h"
#include "util/utf8.h"

namespace xval::text {
namespace {

// The unknown token scores this far below the least likely piece (llama.cpp, SentencePiece).
constexpr double kUnknownPenalty = 10.0;

bool Matched(PieceType t) {
  return t == PieceType::kNormal || t == PieceType::kUserDefined || t == PieceType::kUnused;
}

}  // namespace

struct UnigramTokenizer::Scratch {
  std::string normalized;
  std::vector<uint32_t> to_input;  // normalized byte -> input byte offset; one past the end too
  struct Best {
    int32_t token;
    uint32_t begin;  // normalized offset where the token starts
    double score;
  };
  std::vector<Best> best;
  std::vector<Best> path;
};

UnigramTokenizer::UnigramTokenizer(UnigramConfig config)
    : PieceTableTokenizer(config.bos_id, config.eos_id, config.unk_id), config_(std::move(config)) {
  std::vector<std::string> pieces;
  pieces.reserve(config_.pieces.size());
  for (const VocabPiece& p : config_.pieces) pieces.push_back(p.piece);
  table_.Init(std::move(pieces), std::move(config_.added_tokens));
}

absl::StatusOr<std::unique_ptr<UnigramTokenizer>> UnigramTokenizer::Create(UnigramConfig config) {
  const int32_t n = static_cast<int32_t>(config.pieces.size());
  if (n == 0) return absl::InvalidArgumentError(absl::StrCat(config.source, ": no pieces"));
  if (config.unk_id < 0 || config.unk_id >= n) {
    return absl::InvalidArgumentError(
        absl::StrCat(config.source, ": no unknown token (a Unigram model needs one)"));
  }
  std::unique_ptr<UnigramTokenizer> t(new UnigramTokenizer(std::move(config)));
  const auto& pieces = t->config_.pieces;
  const bool spm = t->config_.rules == UnigramConfig::Rules::kSentencePiece;
  double min_score = FLT_MAX;
  float max_score = FLT_MIN;  // sentencepiece's starting value (the smallest positive float)
  t->byte_ids_.fill(-1);
  std::vector<std::pair<absl::string_view, int32_t>> entries;
  for (int32_t id = 0; id < n; ++id) {
    const VocabPiece& p = pieces[id];
    if (p.type == PieceType::kNormal) {
      min_score = std::min<double>(min_score, p.score);
      max_score = std::max(max_score, p.score);
    }
    if (p.type == PieceType::kByte && p.piece.size() == 6 && p.piece.compare(0, 3, "<0x") == 0) {
      const int byte = std::stoi(p.piece.substr(3, 2), nullptr, 16);
      if (byte >= 0 && byte < 256 && t->byte_ids_[byte] < 0) t->byte_ids_[byte] = id;
    }
    // sentencepiece never cuts out an unused piece; llama.cpp does.
    if (!Matched(p.type) || (spm && p.type == PieceType::kUnused)) continue;
    entries.emplace_back(p.piece, id);  // of a piece given twice, its first id
  }
  t->trie_ = PieceTrie(std::move(entries));
  t->unk_score_ =
      spm ? static_cast<double>(static_cast<float>(min_score) - static_cast<float>(kUnknownPenalty))
          : min_score - kUnknownPenalty;
  t->max_score_ = max_score;
  if (t->config_.byte_fallback) {
    for (int b = 0; b < 256; ++b) {
      if (t->byte_ids_[b] < 0) {
        return absl::InvalidArgumentError(absl::StrCat(
            t->config_.source, ": byte_fallback is on but byte 0x", absl::Hex(b), " has no piece"));
      }
    }
  }
  return t;
}

void UnigramTokenizer::Normalize(absl::string_view text, Scratch& s) const {
  if (config_.rules == UnigramConfig::Rules::kSentencePiece) {
    SpmNormalizerSpec spec;
    spec.add_dummy_prefix = config_.add_dummy_prefix;
    spec.remove_extra_whitespaces = config_.remove_extra_whitespaces;
    spec.escape_whitespaces = config_.escape_whitespaces;
    spec.treat_whitespace_as_suffix = config_.treat_whitespace_as_suffix;
    spec.charsmap = config_.charsmap;
    SpmNormalize(spec, text, 0, &s.normalized, &s.to_input);
    if (s.to_input.empty()) s.to_input.push_back(static_cast<uint32_t>(text.size()));
    return;
  }
  // llama.cpp's llm_tokenizer_ugm_session::normalize: each prefix replaced as the character map
  // (or a user-defined piece, kept whole) says, spaces escaped, the dummy prefix before the
  // first non-space, and with remove_extra_whitespaces one space before every run of
  // non-spaces and none after the last.
  std::string& out = s.normalized;
  std::vector<uint32_t>& to_input = s.to_input;
  out.clear();
  to_input.clear();
  const absl::string_view space = config_.escape_whitespaces ? kSpaceSymbol : " ";
  const bool prepend = !config_.treat_whitespace_as_suffix && config_.add_dummy_prefix;
  const bool append = config_.treat_whitespace_as_suffix && config_.add_dummy_prefix;
  const bool merge = config_.remove_extra_whitespaces;
  bool space_prepended = false, in_word = false;
  auto emit = [&](absl::string_view bytes, uint32_t at) {
    out.append(bytes.data(), bytes.size());
    to_input.resize(out.size(), at);
  };
  for (size_t i = 0; i < text.size();) {
    absl::string_view piece;
    size_t consumed =
        config_.charsmap == nullptr ? 0 : config_.charsmap->LongestPrefix(text.substr(i), &piece);
    if (consumed == 0) {
      size_t len;
      const char32_t c = util::DecodeUtf8(text.data() + i, text.size() - i, &len);
      const bool invalid = c == util::kReplacementChar && len == 1;
      piece = invalid ? absl::string_view("\xEF\xBF\xBD") : text.substr(i, len);
      consumed = len;
    }
    const auto at = static_cast<uint32_t>(i);
    for (const char c : piece) {
      if (c != ' ') {
        if (!in_word) {
          in_word = true;
          if ((prepend && !space_prepended) || merge) {
            emit(space, at);
            space_prepended = true;
          }
        }
        emit(absl::string_view(&c, 1), at);
      } else {
        in_word = false;
        if (!merge) emit(space, at);
      }
    }
    i += consumed;
  }
  if (append) emit(space, static_cast<uint32_t>(text.size()));
  to_input.push_back(static_cast<uint32_t>(text.size()));
}

void UnigramTokenizer::EncodeText(absl::string_view text, uint32_t base, Scratch& s,
                                  Encoding* out) const {
  Normalize(text, s);
  const std::string& norm = s.normalized;
  const size_t n = norm.size();
  if (n == 0) return;
  using Best = Scratch::Best;
  const bool spm = config_.rules == UnigramConfig::Rules::kSentencePiece;
  s.best.assign(n + 1, Best{config_.unk_id, 0, -std::numeric_limits<double>::max()});
  s.best[0] = Best{config_.unk_id, 0, 0.0};
  for (size_t at = 0; at < n;) {
    const size_t char_len =
        std::min<size_t>(util::Utf8CharLength(static_cast<unsigned char>(norm[at])), n - at);
    const Best current = s.best[at];
    bool whole_char = false;
    int32_t node = 0;
    for (size_t end = at; end < n;) {
      node = trie_.Child(node, static_cast<unsigned char>(norm[end++]));
      if (node < 0) break;
      const int32_t token = trie_.Token(node);
      if (token < 0) continue;
      whole_char |= end - at == char_len;
      const VocabPiece& p = config_.pieces[token];
      if (spm) {
        // sentencepiece's types, exactly: the piece's score (a user-defined one's is
        // length * max_score - 0.1) plus the float sum so far, in double, compared with the
        // float stored at `end`, stored back as a float.
        const double piece_score =
            p.type == PieceType::kUserDefined
                ? static_cast<double>(static_cast<float>(end - at) * max_score_) - 0.1
                : static_cast<double>(p.score);
        const double score = piece_score + current.score;
        if (score > s.best[end].score) {
          s.best[end] = Best{token, static_cast<uint32_t>(at), static_cast<float>(score)};
        }
      } else {  // llama.cpp: in double, a user-defined piece scoring 0
        const double score = current.score + (p.type == PieceType::kUserDefined ? 0.0 : p.score);
        if (score > s.best[end].score) s.best[end] = Best{token, static_cast<uint32_t>(at), score};
      }
    }
    if (!whole_char) {
      const double score = spm ? static_cast<float>(static_cast<float>(current.score) +
                                                    static_cast<float>(unk_score_))
                               : current.score + unk_score_;
      if (score > s.best[at + char_len].score) {
        s.best[at + char_len] = Best{config_.unk_id, static_cast<uint32_t>(at), score};
      }
    }
    at += char_len;
  }
  // Back from the end; a run of unknown tokens is one (without byte fallback).
  s.path.clear();
  for (size_t end = n;;) {
    const Best& b = s.best[end];
    if (config_.byte_fallback ||
        !(b.token == config_.unk_id && !s.path.empty() && s.path.back().token == config_.unk_id)) {
      s.path.push_back(Best{b.token, b.begin, static_cast<double>(end)});
    } else {
      s.path.back().begin = b.begin;  // the merged unknown starts earlier
    }
    if (b.begin == 0) break;
    end = b.begin;
  }
  for (auto it = s.path.rbegin(); it != s.path.rend(); ++it) {
    const auto end = static_cast<size_t>(it->score);
    const Offset span{base + s.to_input[it->begin], base + s.to_input[end]};
    if (config_.byte_fallback && it->token == config_.unk_id) {
      for (size_t i = it->begin; i < end; ++i) {
        out->Append(byte_ids_[static_cast<unsigned char>(norm[i])], span);
      }
    } else {
      out->Append(it->token, span);
    }
  }
}

void UnigramTokenizer::EncodeStretch(absl::string_view text, uint32_t base, Encoding* out) const {
  util::ThreadScratch<Scratch> scratch;
  EncodeText(text, base, *scratch, out);
}

absl::StatusOr<std::string> UnigramTokenizer::Decode(absl::Span<const int32_t> ids) const {
  std::string text;
  for (const int32_t id : ids) {
    ASSIGN_OR_RETURN(std::string piece, table_.IdToPiece(id));
    if (id >= table_.num_pieces()) {
      text += piece;  // an added token
      continue;
    }
    const VocabPiece& p = config_.pieces[id];
    if (p.type == PieceType::kControl || p.type == PieceType::kUnused) continue;
    if (p.type == PieceType::kUnknown) {
      text += " \xE2\x81\x87 ";  // SentencePiece's unknown surface
      continue;
    }
    if (p.type == PieceType::kByte) {
      for (int b = 0; b < 256; ++b) {
        if (byte_ids_[b] == id) text += static_cast<char>(b);
      }
      continue;
    }
    text += p.piece;
  }
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    if (config_.escape_whitespaces &&
        text.compare(i, kSpaceSymbol.size(), kSpaceSymbol.data(), kSpaceSymbol.size()) == 0) {
      out += ' ';
      i += kSpaceSymbol.size();
    } else {
      out += text[i++];
    }
  }
  if (config_.add_dummy_prefix && !config_.treat_whitespace_as_suffix && !out.empty() &&
      out[0] == ' ') {
    out.erase(0, 1);
  }
  return out;
}

}  // namespace xval::text
