// EncodeUtf8 and Utf8Length (code points of 1, 2 or 4 bytes, as CPython keeps a str) against ICU's
// u_strToUTF8 on every Highway target: the same bytes, and no UTF-8 where ICU finds none (a lone
// surrogate, a value above U+10FFFF).
#include "text/utf8_encode.h"

#include <unicode/ustring.h>
#include <unicode/utf16.h>

#include <cstdint>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "text/bytelevel_corpus.h"
#include "util/highway_targets.h"

namespace xval::text {
namespace {

using testing::SplitMix64;

// ICU's UTF-8 of code points (each written as UTF-16 first), or nullopt-like false when it has
// none.
bool IcuUtf8(const std::vector<uint32_t>& code_points, std::string* out) {
  std::u16string utf16;
  for (uint32_t c : code_points) {
    if (c > 0x10FFFF) return false;
    if (c >= 0x10000) {
      utf16.push_back(static_cast<char16_t>(U16_LEAD(c)));
      utf16.push_back(static_cast<char16_t>(U16_TRAIL(c)));
    } else {
      utf16.push_back(static_cast<char16_t>(c));
    }
  }
  UErrorCode status = U_ZERO_ERROR;
  int32_t length = 0;
  u_strToUTF8(nullptr, 0, &length, utf16.data(), static_cast<int32_t>(utf16.size()), &status);
  if (status != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(status)) return false;
  out->assign(static_cast<size_t>(length), '\0');
  status = U_ZERO_ERROR;
  u_strToUTF8(out->data(), length, &length, utf16.data(), static_cast<int32_t>(utf16.size()),
              &status);
  return U_SUCCESS(status);
}

template <typename Unit>
bool Ours(const std::vector<uint32_t>& code_points, std::string* out) {
  std::vector<Unit> units(code_points.begin(), code_points.end());
  std::string buffer(MaxUtf8Bytes(units.size(), sizeof(Unit)), '\0');
  size_t written = 0;
  if (!EncodeUtf8(units.data(), units.size(), buffer.data(), &written)) return false;
  buffer.resize(written);
  *out = std::move(buffer);
  return true;
}

// Code points below `limit`: runs of ASCII (long enough to fill vectors, of every length so
// that vectors end everywhere) between others of every UTF-8 length the width holds; now and
// then one without a UTF-8 form when `invalid`.
std::vector<uint32_t> RandomCodePoints(SplitMix64* rng, uint32_t limit, bool invalid) {
  std::vector<uint32_t> out;
  const size_t n = rng->Next() % 300;
  while (out.size() < n) {
    const uint64_t r = rng->Next();
    switch (r % 4) {
      case 0:
      case 1:  // an ASCII run
        for (uint64_t k = 0, len = 1 + (r >> 8) % 90; k < len; ++k) {
          out.push_back(static_cast<uint32_t>(rng->Next() % 0x80));
        }
        break;
      case 2:  // one character of any length below limit, surrogates left out
        for (;;) {
          const auto c = static_cast<uint32_t>(rng->Next() % limit);
          if (c < 0xD800 || c > 0xDFFF) {
            out.push_back(c);
            break;
          }
        }
        break;
      default:  // the edges of each length
        static constexpr uint32_t kEdges[] = {0x7F,   0x80,   0xFF,   0x7FF,   0x800,
                                              0xD7FF, 0xE000, 0xFFFF, 0x10000, 0x10FFFF};
        for (uint32_t c : kEdges) {
          if (c < limit) out.push_back(c);
        }
        break;
    }
  }
  if (invalid && !out.empty() && limit > 0x100 && rng->Next() % 2 == 0) {
    const uint32_t bad = limit > 0x10000 && rng->Next() % 2 ? 0x110000 + rng->Next() % 1000
                                                            : 0xD800 + rng->Next() % 0x800;
    out[rng->Next() % out.size()] = bad;
  }
  return out;
}

template <typename Unit>
void ExpectSameAsIcu(uint32_t limit, uint64_t seed) {
  SplitMix64 rng(seed);
  size_t differ = 0, invalid = 0, length_differs = 0;
  for (int i = 0; i < 3000; ++i) {
    const std::vector<uint32_t> code_points = RandomCodePoints(&rng, limit, true);
    std::string icu, ours;
    const bool icu_ok = IcuUtf8(code_points, &icu);
    const bool ours_ok = Ours<Unit>(code_points, &ours);
    invalid += !icu_ok;
    differ += icu_ok != ours_ok || (icu_ok && icu != ours);
    if (icu_ok) {
      const std::vector<Unit> units(code_points.begin(), code_points.end());
      length_differs += Utf8Length(units.data(), units.size()) != icu.size();
    }
  }
  EXPECT_EQ(differ, 0u) << sizeof(Unit) << "-byte units on " << Utf8EncodeTargetName();
  EXPECT_EQ(length_differs, 0u) << "Utf8Length, " << sizeof(Unit) << "-byte units on "
                                << Utf8EncodeTargetName();
  if (limit > 0x100) {
    EXPECT_GT(invalid, 0u) << "the cases hold code points without UTF-8";
  }
}

TEST(Utf8EncodeTest, EveryWidthMatchesIcuOnEveryTarget) {
  for (int64_t target : util::HighwayTargets()) {
    util::PinHighwayTarget(target);
    ExpectSameAsIcu<uint8_t>(0x100, 1);
    ExpectSameAsIcu<uint16_t>(0x10000, 2);
    ExpectSameAsIcu<uint32_t>(0x110000, 3);
  }
  util::PinHighwayTarget(0);
}

TEST(Utf8EncodeTest, LongAsciiAndNothing) {
  std::string ours;
  ASSERT_TRUE(Ours<uint16_t>({}, &ours));
  EXPECT_EQ(ours, "");
  std::vector<uint32_t> ascii(100000);
  for (size_t i = 0; i < ascii.size(); ++i) ascii[i] = 32 + i % 95;
  ascii[77777] = 0xE9;  // one é deep inside
  std::string icu;
  ASSERT_TRUE(IcuUtf8(ascii, &icu));
  ASSERT_TRUE(Ours<uint32_t>(ascii, &ours));
  EXPECT_EQ(ours, icu);
}

}  // namespace
}  // namespace xval::text
