#include "text/spm/normalizer.h"

#include "util/utf8.h"

namespace xval::text {

void SpmNormalize(const SpmNormalizerSpec& spec, absl::string_view input, uint32_t base,
                  std::string* normalized, std::vector<uint32_t>* to_input) {
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
    const absl::string_view space = spec.escape_whitespaces ? kSpaceSymbol : " ";
    while (normalized->size() >= space.size() &&
           absl::string_view(*normalized).substr(normalized->size() - space.size()) == space) {
      const size_t length = normalized->size() - space.size();
      consumed = (*to_input)[length];
      normalized->resize(length);
      to_input->resize(length);
    }
  }
  if (spec.treat_whitespace_as_suffix && spec.add_dummy_prefix) add_space();
  to_input->push_back(consumed);
}

}  // namespace xval::text
