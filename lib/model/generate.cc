// Autoregressive generation with xVal numbers fed back: when the sampled token is [NUM], its
// value is the number head's output at the position that predicted it, and the next input is
// the [NUM] embedding scaled by that value (as lucidrains' x-transformers xval.py generates).
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "util/status_macros.h"
#include "xval/model.h"

namespace xval::model {

absl::StatusOr<Generated> Generate(LlamaSession* session, absl::Span<const int32_t> prompt_ids,
                                   absl::Span<const float> prompt_values, int32_t num_token_id,
                                   int32_t eos_id, const GenerateOptions& options,
                                   const std::function<bool(int32_t, float)>& on_token) {
  if (prompt_ids.empty()) return absl::InvalidArgumentError("Generate: empty prompt");
  Generated result;
  Sampler sampler(options.sampling);
  ForwardOutput out;
  RETURN_IF_ERROR(session->Forward(prompt_ids, prompt_values, /*all_positions=*/false, &out));
  for (size_t step = 0; step < options.max_new_tokens; ++step) {
    const int32_t id = sampler.Sample(out.logits);
    float value = 1.0f;
    if (id == num_token_id && num_token_id >= 0) {
      if (out.number_values.empty()) {
        return absl::FailedPreconditionError(
            "Generate: the model emitted [NUM] but has no number head (xval_number_head)");
      }
      value = out.number_values[0];
    }
    result.ids.push_back(id);
    result.values.push_back(value);
    if (on_token && !on_token(id, value)) break;
    if (options.stop_at_eos && id == eos_id) break;
    if (step + 1 == options.max_new_tokens) break;
    if (session->position() >= session->max_seq_len()) break;
    const int32_t next_id[1] = {id};
    const float next_value[1] = {value};
    RETURN_IF_ERROR(session->Forward(next_id, next_value, /*all_positions=*/false, &out));
  }
  return result;
}

}  // namespace xval::model
