// Where one long text may be cut so that its parts encode alone to the ids of the whole
// (Tokenizer::SafeCut): before a space that follows an ASCII letter or digit and precedes an
// ASCII letter, a "spaced word start" (gigatoken's safe split point). Each tokenizer proves
// from its rules that its pieces never cross such a point; these are the checks they share,
// and the walk over a text's stretches with the options of each.
#ifndef XVAL_TEXT_SPACED_WORD_CUTS_H_
#define XVAL_TEXT_SPACED_WORD_CUTS_H_

#include <algorithm>
#include <cstring>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/string_view.h"
#include "xval/tokenizer.h"

namespace xval::text {

// False when an added token could be matched across a cut: one whose text holds a letter or
// digit followed by a space, or one with stripping or word rules that look past its text.
inline bool AddedTokensAllowCuts(const std::vector<AddedToken>& tokens) {
  for (const AddedToken& t : tokens) {
    if (t.lstrip || t.rstrip || t.single_word) return false;
    for (size_t i = 1; i < t.content.size(); ++i) {
      if (t.content[i] == ' ' &&
          absl::ascii_isalnum(static_cast<unsigned char>(t.content[i - 1]))) {
        return false;
      }
    }
  }
  return true;
}

// The first spaced word start p in [from, from + max_scan) with cuts_after(text[p - 1]), or
// npos.
template <typename CutsAfter>
size_t FindSpacedWordStart(absl::string_view text, size_t from, size_t max_scan,
                           const CutsAfter& cuts_after) {
  if (text.size() < 3) return absl::string_view::npos;
  const size_t end = std::min(text.size() - 1, from + max_scan);  // text[p + 1] must exist
  for (size_t p = std::max<size_t>(from, 1); p < end; ++p) {
    const void* space = std::memchr(text.data() + p, ' ', end - p);
    if (space == nullptr) break;
    p = static_cast<const char*>(space) - text.data();
    const auto before = static_cast<unsigned char>(text[p - 1]);
    if (absl::ascii_isalnum(before) &&
        absl::ascii_isalpha(static_cast<unsigned char>(text[p + 1])) && cuts_after(before)) {
      return p;
    }
  }
  return absl::string_view::npos;
}

// Calls fn(begin, end) for consecutive stretches of `text` that cover it, each ending at the
// first cut `tokenizer.SafeCut` allows at least `size` bytes after its start (searched `size`
// bytes at a time, so that a long run with no cut, such as Chinese text without spaces, makes
// one longer stretch rather than leave the rest of the text uncut); the last stretch is the
// rest once no more than `size` / 2 bytes would follow the search.
template <typename Fn>
void ForEachStretch(const Tokenizer& tokenizer, absl::string_view text, size_t size, const Fn& fn) {
  size_t begin = 0;
  for (size_t from = size; from < text.size() && text.size() - from > size / 2;) {
    const size_t cut = tokenizer.SafeCut(text, from, size);  // in [from, from + size)
    if (cut == absl::string_view::npos) {
      from += size;
      continue;
    }
    fn(begin, cut);
    begin = cut;
    from = cut + size;
  }
  fn(begin, text.size());
}

// The options of the stretch [begin, end) of `text` encoded alone: BOS only before the first,
// EOS only after the last, the others continuations; `options` itself for the whole text.
inline EncodeOptions StretchOptions(const Tokenizer& tokenizer, const EncodeOptions& options,
                                    size_t begin, size_t end, absl::string_view text) {
  if (begin == 0 && end == text.size()) return options;
  EncodeOptions o = tokenizer.ResolveSpecialTokens(options);
  o.add_bos &= begin == 0;
  o.add_eos &= end == text.size();
  o.continuation |= begin > 0;
  return o;
}

}  // namespace xval::text

#endif  // XVAL_TEXT_SPACED_WORD_CUTS_H_
