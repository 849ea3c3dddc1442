#include "text/spm/normalizer.h"

#include "util/utf8.h"

namespace xval::text {

namespace {

// sentencepiece's removal of trailing spaces: *consumed becomes the input offset of the first
// space removed.
void DropTrailingSpaces(absl::string_view space, std::string* normalized,
                        std::vector<uint32_t>* to_input, uint32_t* consumed) {
  while (normalized->size() >= space.size() &&
         absl::string_view(*normalized).substr(normalized->size() - space.size()) == space) {
    const size_t length = normalized->size() - space.size();
    *consumed = (*to_input)[length];
    normalized->resize(length);
    to_input->resize(length);
  }
}

// sentencepiece's NormalizePrefix: the longest prefix the character map replaces, else one
// UTF-8 character as it is (U+FFFD for an invalid byte). Returns the bytes consumed.
size_t NormalizePrefix(const PrecompiledCharsmap& map, absl::string_view input,
                       absl::string_view* out) {
  if (const size_t n = map.LongestPrefix(input, out); n > 0) return n;
  size_t len;
  if (!util::IsValidUtf8Char(input.data(), input.size(), &len)) {
    *out = "\xEF\xBF\xBD";
    return 1;
  }
  *out = input.substr(0, len);
  return len;
}

// Normalizer::Normalize with a character map, line for line.
void CharsmapNormalize(const SpmNormalizerSpec& spec, absl::string_view input, uint32_t base,
                       std::string* normalized, std::vector<uint32_t>* to_input) {
  const PrecompiledCharsmap& map = *spec.charsmap;
  uint32_t consumed = base;
  absl::string_view piece;
  if (spec.remove_extra_whitespaces) {  // heading spaces
    while (!input.empty()) {
      const size_t n = NormalizePrefix(map, input, &piece);
      if (piece != " ") break;
      input.remove_prefix(n);
      consumed += static_cast<uint32_t>(n);
    }
  }
  if (input.empty()) return;
  const absl::string_view space = spec.escape_whitespaces ? kSpaceSymbol : " ";
  auto add_space = [&]() {
    normalized->append(space.data(), space.size());
    to_input->insert(to_input->end(), space.size(), consumed);
  };
  if (!spec.treat_whitespace_as_suffix && spec.add_dummy_prefix) add_space();
  bool prev_space = spec.remove_extra_whitespaces;
  while (!input.empty()) {
    const size_t n = NormalizePrefix(map, input, &piece);
    while (prev_space && !piece.empty() && piece[0] == ' ') piece.remove_prefix(1);
    if (!piece.empty()) {
      for (const char c : piece) {
        if (spec.escape_whitespaces && c == ' ') {
          add_space();
        } else {
          normalized->push_back(c);
          to_input->push_back(consumed);
        }
      }
      prev_space = piece.back() == ' ';
    }
    consumed += static_cast<uint32_t>(n);
    input.remove_prefix(n);
    if (!spec.remove_extra_whitespaces) prev_space = false;
  }
  if (spec.remove_extra_whitespaces) DropTrailingSpaces(space, normalized, to_input, &consumed);
  if (spec.treat_whitespace_as_suffix && spec.add_dummy_prefix) add_space();
  to_input->push_back(consumed);
}

}  // namespace

void SpmNormalize(const SpmNormalizerSpec& spec, absl::string_view input, uint32_t base,
                  std::string* normalized, std::vector<uint32_t>* to_input) {
  if (spec.charsmap != nullptr && !spec.charsmap->empty()) {
    normalized->clear();
    to_input->clear();
    CharsmapNormalize(spec, input, base, normalized, to_input);
    return;
  }
  normalized->clear();
  to_input->clear();
  if (input.empty()) return;  // no dummy prefix for empty text, as sentencepiece
  uint32_t consumed = base;
  size_t pos = 0;
  auto is_space = [&](size_t p) { return input[p] == ' '; };
  if (spec.remove_extra_whitespaces) {
    while (pos < input.size() && is_space(pos)) ++pos, ++consumed;
  }
  if (pos == input.size()) return;  // all spaces
  normalized->reserve(input.size() + input.size() / 2 + 4);
  to_input->reserve(input.size() + input.size() / 2 + 4);

  auto add_space = [&]() {
    if (spec.escape_whitespaces) {
      normalized->append(kSpaceSymbol.data(), kSpaceSymbol.size());
      to_input->insert(to_input->end(), kSpaceSymbol.size(), consumed);
    } else {
      normalized->push_back(' ');
      to_input->push_back(consumed);
    }
  };
  if (!spec.treat_whitespace_as_suffix && spec.add_dummy_prefix) add_space();

  bool prev_space = spec.remove_extra_whitespaces;
  while (pos < input.size()) {
    const unsigned char c = static_cast<unsigned char>(input[pos]);
    if (c == ' ') {
      if (!prev_space) add_space();
      prev_space = spec.remove_extra_whitespaces;
      ++pos;
      ++consumed;
      continue;
    }
    if (c < 0x80) {
      normalized->push_back(static_cast<char>(c));
      to_input->push_back(consumed);
      ++pos;
      ++consumed;
    } else {
      size_t len;
      if (util::IsValidUtf8Char(input.data() + pos, input.size() - pos, &len)) {
        normalized->append(input.data() + pos, len);
      } else {
        normalized->append("\xEF\xBF\xBD");  // one U+FFFD for each invalid byte
        len = 1;
      }
      to_input->insert(to_input->end(), normalized->size() - to_input->size(), consumed);
      pos += len;
      consumed += static_cast<uint32_t>(len);
    }
    prev_space = false;
  }

  if (spec.remove_extra_whitespaces) {
    DropTrailingSpaces(spec.escape_whitespaces ? kSpaceSymbol : " ", normalized, to_input,
                       &consumed);
  }
  if (spec.treat_whitespace_as_suffix && spec.add_dummy_prefix) add_space();
  to_input->push_back(consumed);
}

}  // namespace xval::text
