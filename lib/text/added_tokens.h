// Finds added tokens in raw text before the model runs, leftmost-longest, as Hugging Face
// tokenizers' AddedVocabulary does (its Aho-Corasick automaton uses MatchKind::LeftmostLongest).
#ifndef XVAL_TEXT_ADDED_TOKENS_H_
#define XVAL_TEXT_ADDED_TOKENS_H_

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "text/byte_pair_scan.h"
#include "xval/tokenizer.h"

namespace xval::text {

// Tokenizer::AddTokens for a tokenizer whose added tokens are `added`: a content the tokenizer
// already knows keeps its id, a new one gets the next free id (vocab_size() grows as `added`
// does), and a content already added is not added twice.
absl::Status AppendAddedTokens(absl::Span<const AddedToken> tokens, const Tokenizer& tokenizer,
                               std::vector<AddedToken>* added);

// The tokens of `tokens` that are not special: those matched when parse_special is off.
std::vector<AddedToken> NonSpecial(const std::vector<AddedToken>& tokens);

class AddedTokenMatcher {
 public:
  explicit AddedTokenMatcher(const std::vector<AddedToken>& tokens);

  bool empty() const { return tokens_.empty(); }

  // False when no token can match in `text`: none of the byte pairs (or bytes) the tokens
  // start with is in it. One vector search, where a tokenizer's batch of short lines would
  // otherwise search each line for "<" and then, in the third of math lines that hold one,
  // again for "<|".
  bool MayMatchIn(absl::string_view text) const {
    if (tokens_.empty() || text.empty()) return false;
    if (pairs_.count > 0) {
      return FindBytePair(reinterpret_cast<const unsigned char*>(text.data()), text.size(), 0,
                          pairs_) < text.size();
    }
    for (size_t k = 0; k < num_scanned_; ++k) {
      if (std::memchr(text.data(), scanned_[k], text.size()) != nullptr) return true;
    }
    return num_scanned_ == 0;
  }

  // Calls on_text(begin, end) for each stretch of ordinary text (never empty) and
  // on_token(token, begin, end) for each match, in order. Whitespace a token strips (lstrip,
  // rstrip) is in neither.
  template <typename OnText, typename OnToken>
  void Split(absl::string_view text, OnText on_text, OnToken on_token) const {
    size_t text_begin = 0;
    // Where a match can start next: when the tokens start with a few two-byte pairs (tiktoken's
    // and Llama 3's "<|"), the next place of one (FindBytePair); else, when they start with a
    // few bytes, memchr's vector loop finds each one's next place, searched again only once
    // passed; else every byte is a candidate.
    const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
    const size_t num_scanned = pairs_.count > 0 ? 0 : num_scanned_;
    size_t next[kMaxScanned];
    auto find = [&](size_t k, size_t from) {
      const void* p = std::memchr(text.data() + from, scanned_[k], text.size() - from);
      return p == nullptr ? text.size()
                          : static_cast<size_t>(static_cast<const char*>(p) - text.data());
    };
    for (size_t k = 0; k < num_scanned; ++k) next[k] = find(k, 0);
    for (size_t pos = 0; pos < text.size();) {
      if (pairs_.count > 0) {
        pos = FindBytePair(bytes, text.size(), pos, pairs_);
        if (pos >= text.size()) break;
      } else if (num_scanned > 0) {
        size_t candidate = text.size();
        for (size_t k = 0; k < num_scanned; ++k) {
          if (next[k] < pos) next[k] = find(k, pos);
          candidate = std::min(candidate, next[k]);
        }
        if (candidate >= text.size()) break;
        pos = candidate;
      }
      const AddedToken* match = nullptr;
      if (first_byte_[static_cast<unsigned char>(text[pos])]) match = LongestAt(text, pos);
      if (match == nullptr) {
        ++pos;
        continue;
      }
      if (match->single_word && !SingleWordAt(text, pos, pos + match->content.size())) {
        pos += match->content.size();  // Hugging Face's search moves past a discarded match
        continue;
      }
      size_t text_end = pos;
      if (match->lstrip) text_end = SpaceRunStart(text, text_begin, text_end, match->ascii_strip);
      if (text_end > text_begin) on_text(text_begin, text_end);
      on_token(*match, pos, pos + match->content.size());
      pos += match->content.size();
      if (match->rstrip) pos = SpaceRunEnd(text, pos, match->ascii_strip);
      text_begin = pos;
    }
    if (text.size() > text_begin) on_text(text_begin, text.size());
  }

 private:
  // lstrip and rstrip take tokenizers' \s, Unicode White_Space (or ASCII whitespace only). The
  // start of the whitespace that ends text[begin, end), and the end of the whitespace that
  // starts text[pos, ...).
  static size_t SpaceRunStart(absl::string_view text, size_t begin, size_t end, bool ascii);
  static size_t SpaceRunEnd(absl::string_view text, size_t pos, bool ascii);
  const AddedToken* LongestAt(absl::string_view text, size_t pos) const;
  // No word character (alphanumeric or '_') just before `begin` nor just after `end`.
  static bool SingleWordAt(absl::string_view text, size_t begin, size_t end);

  std::vector<AddedToken> tokens_;
  // Content -> index in tokens_, and the distinct lengths, longest first: the longest match at
  // a position is one hash lookup per length (vocabularies with thousands of added tokens have
  // a few dozen lengths).
  absl::flat_hash_map<std::string, size_t> by_content_;
  std::vector<size_t> lengths_;
  std::array<bool, 256> first_byte_{};
  std::array<uint16_t, 256> longest_by_first_byte_{};  // saturates at 65535
  // The bytes tokens start with, when there are at most kMaxScanned of them (else none).
  static constexpr size_t kMaxScanned = 4;
  std::array<unsigned char, kMaxScanned> scanned_{};
  size_t num_scanned_ = 0;
  // The first two bytes of every token, when each has two or more and there are at most
  // BytePairs::kMax pairs (else none: count 0).
  BytePairs pairs_;
  std::vector<bool> starts_ = std::vector<bool>(256 * 256);  // [first * 256 + second byte]
};

}  // namespace xval::text

#endif  // XVAL_TEXT_ADDED_TOKENS_H_
