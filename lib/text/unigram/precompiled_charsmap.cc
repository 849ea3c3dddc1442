// The precompiled character map (precompiled_charsmap.h).
#include "text/unigram/precompiled_charsmap.h"

#include <cstring>

#include "absl/strings/str_cat.h"

namespace xval::text {

absl::StatusOr<PrecompiledCharsmap> PrecompiledCharsmap::Parse(std::string blob,
                                                               absl::string_view source) {
  PrecompiledCharsmap map;
  if (blob.empty()) return map;
  if (blob.size() < 4) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": precompiled character map of ", blob.size(), " bytes"));
  }
  uint32_t xcda_bytes;
  std::memcpy(&xcda_bytes, blob.data(), 4);  // little-endian, as every supported host
  if (xcda_bytes % 4 != 0 || xcda_bytes > blob.size() - 4) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": precompiled character map: its trie of ", xcda_bytes,
        " bytes does not fit in the ", blob.size(), "-byte map (truncated or corrupt)"));
  }
  map.entries_ = xcda_bytes / 4;
  map.replacements_begin_ = 4 + xcda_bytes;
  map.blob_ = std::move(blob);
  return map;
}

uint32_t PrecompiledCharsmap::Entry(size_t i) const {
  uint32_t v;
  std::memcpy(&v, blob_.data() + 4 + 4 * i, 4);
  return v;
}

size_t PrecompiledCharsmap::LongestPrefix(absl::string_view input,
                                          absl::string_view* replacement) const {
  return Match(input, replacement, /*shortest=*/false);
}

size_t PrecompiledCharsmap::ShortestPrefix(absl::string_view input,
                                           absl::string_view* replacement) const {
  return Match(input, replacement, /*shortest=*/true);
}

size_t PrecompiledCharsmap::Match(absl::string_view input, absl::string_view* replacement,
                                  bool shortest) const {
  if (entries_ == 0) return 0;
  // Darts-clone's XCDA: BASE in bits 10-30 (shifted by 8 more when bit 9 is set), LCHECK in
  // bits 0-7 and 31, LEAF in bit 8; a leaf's child holds the replacement's offset.
  auto base = [](uint32_t unit) { return (unit >> 10) << ((unit & (1u << 9)) >> 6); };
  size_t longest = 0, value = 0;
  size_t node = base(Entry(0));
  for (size_t i = 0; i < input.size(); ++i) {
    const auto c = static_cast<unsigned char>(input[i]);
    if (c == 0) break;
    node ^= c;
    if (node >= entries_) break;
    const uint32_t unit = Entry(node);
    if ((unit & ((1u << 31) | 0xFF)) != c) break;
    node ^= base(unit);
    if (node >= entries_) break;
    if ((unit >> 8) & 1) {
      longest = i + 1;
      value = Entry(node) & ((1u << 31) - 1);
      if (shortest) break;
    }
  }
  if (longest == 0) return 0;
  const size_t at = replacements_begin_ + value;
  if (at >= blob_.size()) return 0;
  const size_t end = blob_.find('\0', at);
  if (end == std::string::npos) return 0;
  *replacement = absl::string_view(blob_).substr(at, end - at);
  return longest;
}

}  // namespace xval::text
