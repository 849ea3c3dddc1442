// Private interface between the public embedding entry points and their per-target kernels
// (embed.cc, embed_backward.cc), also used by the tests to confirm which target ran.
#ifndef XVAL_KERNELS_EMBED_INTERNAL_H_
#define XVAL_KERNELS_EMBED_INTERNAL_H_

#include <cstddef>
#include <cstdint>

#include "xval/embed.h"

namespace xval::kernels {

// A validated forward call, as the per-target kernels see it.
struct EmbedArgs {
  ConstMatrixView table;  // (vocab, hidden)
  const int32_t* ids;     // (num_tokens), each in [0, vocab)
  const float* values;    // (num_tokens), or nullptr for no scaling
  MatrixView out;         // (num_tokens, hidden)
  bool streaming;         // non-temporal stores
};

// A validated backward call. d_table.data is nullptr or d_values nullptr when not wanted.
struct EmbedBackwardArgs {
  ConstMatrixView table;  // (vocab, hidden)
  const int32_t* ids;     // (num_tokens), each in [0, vocab)
  const float* values;    // (num_tokens), or nullptr for a scale of 1
  ConstMatrixView d_out;  // (num_tokens, hidden) f32 or bf16
  MatrixView d_table;     // (vocab, hidden) f32, accumulated
  float* d_values;        // (num_tokens)
  // The scatter-add's schedule: token indices stably sorted by id (num_tokens), and the start
  // of each run of equal ids in it (num_runs + 1 entries, the last being num_tokens).
  const uint32_t* order;
  const size_t* run_starts;
};

// A validated float64 call (embed_f64.cc): every pointer covers its shape; ids are in range; values
// may be null (a scale of 1); d_table or d_values null when that gradient is not wanted.
struct F64Args {
  const double* table;  // (vocab, hidden)
  size_t hidden;
  const int32_t* ids;     // (num_tokens)
  const double* values;   // (num_tokens) or null
  double* out;            // (num_tokens, hidden): forward output
  const double* d_out;    // (num_tokens, hidden): backward input
  double* d_table;        // (vocab, hidden): accumulated
  double* d_values;       // (num_tokens)
  const uint32_t* order;  // the scatter-add schedule (id_runs.h)
  const size_t* run_starts;
};

// The Highway target the dynamic dispatch picks now for the forward and backward kernels
// (tests check it follows hwy::SetSupportedTargetsForTest).
const char* EmbedDispatchedTargetName();
const char* EmbedBackwardDispatchedTargetName();

}  // namespace xval::kernels

#endif  // XVAL_KERNELS_EMBED_INTERNAL_H_
