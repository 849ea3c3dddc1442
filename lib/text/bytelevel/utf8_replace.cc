#include "text/bytelevel/utf8_replace.h"

namespace xval::text {
namespace {

// The length of the valid sequence at s[0], or the length of its maximal invalid subpart
// negated (Unicode 15, section 3.9, "U+FFFD Substitution of Maximal Subparts": the longest
// prefix that could begin a valid sequence, at least one byte).
int SequenceAt(const unsigned char* s, size_t n) {
  const unsigned char c = s[0];
  if (c < 0x80) return 1;
  int len;
  unsigned char lo = 0x80, hi = 0xBF;  // the allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;  // no surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
  } else {
    return -1;
  }
  for (int i = 1; i < len; ++i) {
    if (static_cast<size_t>(i) >= n) return -i;
    const unsigned char t = s[i];
    const bool ok = i == 1 ? (t >= lo && t <= hi) : (t >= 0x80 && t <= 0xBF);
    if (!ok) return -i;
  }
  return len;
}

}  // namespace

std::string Utf8Replace(absl::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  const auto* s = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t n = bytes.size();
  size_t valid_begin = 0;
  for (size_t i = 0; i < n;) {
    if (s[i] < 0x80) {
      ++i;
      continue;
    }
    const int len = SequenceAt(s + i, n - i);
    if (len > 0) {
      i += len;
      continue;
    }
    out.append(bytes.data() + valid_begin, i - valid_begin);
    out.append("\xEF\xBF\xBD");
    i += -len;
    valid_begin = i;
  }
  out.append(bytes.data() + valid_begin, n - valid_begin);
  return out;
}

}  // namespace xval::text
