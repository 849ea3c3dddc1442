// The scalar f32 -> f16 rounding (lib/kernels/convert.h) against its definition: every binary16
// value round-trips, every midpoint between neighbours goes to the even one, values between
// round to the nearer, and the edges (overflow to infinity, subnormals, NaN) as IEEE 754 says.
#include "kernels/convert.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>

#include "gtest/gtest.h"

namespace xval::kernels {
namespace {

bool IsNan16(uint16_t h) { return (h & 0x7C00u) == 0x7C00u && (h & 0x3FFu) != 0; }

TEST(ConvertTest, EveryF16ValueRoundTrips) {
  for (uint32_t h = 0; h <= 0xFFFFu; ++h) {
    const uint16_t back = F32ToF16(F16ToF32(static_cast<uint16_t>(h)));
    if (IsNan16(static_cast<uint16_t>(h))) {
      EXPECT_TRUE(IsNan16(back)) << std::hex << h;
    } else {
      EXPECT_EQ(back, h) << std::hex << h;
    }
  }
}

// Between two neighbouring finite positive codes: the midpoint goes to the even code, and points
// a quarter of the way from either end go to that end. Midpoints are exact in binary32.
TEST(ConvertTest, RoundsToNearestTiesToEven) {
  for (uint32_t h = 0; h < 0x7BFFu; ++h) {
    const double lo = F16ToF32(static_cast<uint16_t>(h)),
                 hi = F16ToF32(static_cast<uint16_t>(h + 1));
    const uint16_t even = (h % 2 == 0) ? static_cast<uint16_t>(h) : static_cast<uint16_t>(h + 1);
    const float mid = static_cast<float>((lo + hi) / 2);
    ASSERT_EQ(static_cast<double>(mid), (lo + hi) / 2);
    EXPECT_EQ(F32ToF16(mid), even) << std::hex << h;
    EXPECT_EQ(F32ToF16(-mid), even | 0x8000u) << std::hex << h;
    EXPECT_EQ(F32ToF16(static_cast<float>(lo + (hi - lo) / 4)), h) << std::hex << h;
    EXPECT_EQ(F32ToF16(static_cast<float>(hi - (hi - lo) / 4)), h + 1) << std::hex << h;
  }
}

TEST(ConvertTest, EdgesAsIeee) {
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(F32ToF16(65504.0f), 0x7BFFu);   // the largest finite
  EXPECT_EQ(F32ToF16(65519.99f), 0x7BFFu);  // below the midpoint to 65536
  EXPECT_EQ(F32ToF16(65520.0f), 0x7C00u);   // the midpoint rounds to even: infinity
  EXPECT_EQ(F32ToF16(1e10f), 0x7C00u);
  EXPECT_EQ(F32ToF16(-1e10f), 0xFC00u);
  EXPECT_EQ(F32ToF16(inf), 0x7C00u);
  EXPECT_EQ(F32ToF16(-inf), 0xFC00u);
  EXPECT_EQ(F32ToF16(0.0f), 0x0000u);
  EXPECT_EQ(F32ToF16(-0.0f), 0x8000u);
  EXPECT_EQ(F32ToF16(std::ldexp(1.0f, -24)), 0x0001u);  // the smallest subnormal
  EXPECT_EQ(F32ToF16(std::ldexp(1.0f, -25)), 0x0000u);  // half of it: ties to even, zero
  EXPECT_EQ(F32ToF16(std::ldexp(1.5f, -25)), 0x0001u);
  EXPECT_EQ(F32ToF16(std::ldexp(1.0f, -40)), 0x0000u);
  EXPECT_EQ(F32ToF16(std::ldexp(1023.5f, -24)), 0x0400u);  // rounds up into the normals
  EXPECT_TRUE(IsNan16(F32ToF16(std::nanf(""))));
  EXPECT_TRUE(IsNan16(F32ToF16(F32FromBits(0x7F800001u))));  // payload only in the low bits
}

TEST(ConvertTest, RandomFloatsRoundToANearestCode) {
  std::mt19937 rng(17);
  std::uniform_real_distribution<float> exponent(-30.0f, 17.0f), mantissa(-1.0f, 1.0f);
  for (int i = 0; i < 200000; ++i) {
    const float f = mantissa(rng) * std::exp2(exponent(rng));
    const uint16_t h = F32ToF16(f);
    if (std::abs(f) >= 65520.0f) {
      EXPECT_EQ(h & 0x7FFFu, 0x7C00u) << f;
      continue;
    }
    const double got = F16ToF32(h);
    // Neighbours of the result are no nearer to f.
    const uint16_t up = static_cast<uint16_t>(h + 1), down = static_cast<uint16_t>(h - 1);
    if ((h & 0x7FFFu) < 0x7BFFu) {
      EXPECT_LE(std::abs(got - f), std::abs(F16ToF32(up) - f)) << f;
    }
    if ((h & 0x7FFFu) > 0) {
      EXPECT_LE(std::abs(got - f), std::abs(F16ToF32(down) - f)) << f;
    }
  }
}

}  // namespace
}  // namespace xval::kernels
