// Device helpers shared by embed.cu and embed_backward.cu: element loads widened to f32 and
// stores narrowed from f32, with the same bit-exact conversions as the CPU (kernels/convert.h).
#ifndef XVAL_CUDA_DEVICE_CONVERT_CUH_
#define XVAL_CUDA_DEVICE_CONVERT_CUH_

#include <cstdint>

#include "kernels/convert.h"

namespace xval::kernels::cuda {

// Storage tags: the kernels are templates over these, the 16-bit ones hold raw bit patterns.
struct Bf16 {
  uint16_t bits;
};
struct F16 {
  uint16_t bits;
};

__device__ __forceinline__ float ToF32(float x) { return x; }
__device__ __forceinline__ float ToF32(Bf16 x) { return Bf16ToF32(x.bits); }
__device__ __forceinline__ float ToF32(F16 x) { return F16ToF32(x.bits); }

__device__ __forceinline__ void FromF32(float x, float* p) { *p = x; }
__device__ __forceinline__ void FromF32(float x, Bf16* p) { p->bits = F32ToBf16(x); }

}  // namespace xval::kernels::cuda

#endif  // XVAL_CUDA_DEVICE_CONVERT_CUH_
