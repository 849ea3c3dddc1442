// The C ABI's embedding kernel and model functions (xval/xval.h).
#include <algorithm>
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bindings/c/c_api_internal.h"
#include "xval/embed.h"

using xval::c_api::CheckCapacity;
using xval::c_api::Fail;
using xval::c_api::Guard;
using xval::c_api::NullArgument;
using xval::c_api::Return;

namespace xval::c_api {

absl::StatusOr<xval::kernels::DType> DTypeOf(const xval_dtype& dtype, const char* what) {
  const long raw = xval::c_api::RawEnum(dtype);
  switch (raw) {
    case XVAL_F32:
      return xval::kernels::DType::kF32;
    case XVAL_BF16:
      return xval::kernels::DType::kBF16;
    case XVAL_F16:
      return xval::kernels::DType::kF16;
    default:
      break;
  }
  return absl::InvalidArgumentError(absl::StrCat(what, ": unknown dtype ", raw));
}

}  // namespace xval::c_api

using xval::c_api::DTypeOf;

extern "C" {

xval_status xval_embed(const void* table, xval_dtype table_dtype, size_t vocab, size_t hidden,
                       const int32_t* ids, const float* values, size_t n_ids, void* out,
                       xval_dtype out_dtype, size_t max_threads) {
  return Guard(__func__, [&] {
    auto in_type = DTypeOf(table_dtype, "xval_embed: table_dtype");
    if (!in_type.ok()) return Fail(in_type.status());
    auto out_type = DTypeOf(out_dtype, "xval_embed: out_dtype");
    if (!out_type.ok()) return Fail(out_type.status());
    if (ids == nullptr && n_ids != 0) return NullArgument(__func__, "ids");
    // (vocab, hidden) and (n_ids, hidden), dense; the kernel checks the rest (null data, ids
    // outside the table, overlap).
    const xval::kernels::ConstMatrixView table_view{table, *in_type, vocab, hidden, hidden};
    const xval::kernels::MatrixView out_view{out, *out_type, n_ids, hidden, hidden};
    xval::kernels::EmbedOptions options;
    options.max_threads = max_threads;
    return Return(xval::kernels::Embed(
        table_view, absl::MakeConstSpan(ids, n_ids),
        values != nullptr ? absl::MakeConstSpan(values, n_ids) : absl::Span<const float>(),
        out_view, options));
  });
}

xval_status xval_model_load(const char* path, size_t max_threads, xval_model** out) {
  return Guard(__func__, [&] {
    if (path == nullptr) return NullArgument(__func__, "path");
    if (out == nullptr) return NullArgument(__func__, "out");
    *out = nullptr;
    xval::model::LoadOptions options;
    options.max_threads = max_threads;
    auto model = xval::model::LlamaModel::Load(path, options);
    if (!model.ok()) return Fail(model.status());
    *out = new xval_model{*std::move(model)};
    return XVAL_OK;
  });
}

void xval_model_free(xval_model* model) { delete model; }

void xval_model_get_info(const xval_model* model, xval_model_info* info) {
  if (model == nullptr || info == nullptr) return;
  const xval::model::LlamaConfig& c = model->model->config();
  info->vocab_size = c.vocab_size;
  info->hidden_size = c.hidden_size;
  info->num_hidden_layers = c.num_hidden_layers;
  info->bos_token_id = c.bos_token_id;
  info->eos_token_id = c.eos_token_id;
  info->num_token_id = c.xval_num_token_id;
  info->has_number_head = c.xval_number_head != xval::model::NumberHeadType::kNone;
}

xval_status xval_session_new(const xval_model* model, size_t max_seq_len, xval_session** out) {
  return Guard(__func__, [&] {
    if (model == nullptr) return NullArgument(__func__, "model");
    if (out == nullptr) return NullArgument(__func__, "out");
    *out = nullptr;
    auto session = model->model->NewSession(max_seq_len);
    if (!session.ok()) return Fail(session.status());
    auto handle = std::make_unique<xval_session>();
    handle->session = *std::move(session);
    handle->model = model->model.get();
    *out = handle.release();
    return XVAL_OK;
  });
}

void xval_session_free(xval_session* session) { delete session; }

void xval_session_reset(xval_session* session) {
  if (session != nullptr) session->session->Reset();
}

size_t xval_session_position(const xval_session* session) {
  return session != nullptr ? session->session->position() : 0;
}

xval_status xval_session_forward(xval_session* session, const int32_t* ids, const float* values,
                                 size_t n_ids, int all_positions, float* logits,
                                 size_t logits_capacity, size_t* n_logits, float* number_values) {
  return Guard(__func__, [&] {
    if (session == nullptr) return NullArgument(__func__, "session");
    if (ids == nullptr && n_ids != 0) return NullArgument(__func__, "ids");
    if (n_ids == 0) return Fail(absl::InvalidArgumentError("xval_session_forward: no ids"));
    const size_t vocab = static_cast<size_t>(session->model->config().vocab_size);
    const size_t needed = (all_positions ? n_ids : 1) * vocab;
    if (n_logits != nullptr) *n_logits = needed;
    // Checked before running, so that a short buffer leaves the session unchanged.
    if (xval_status s = CheckCapacity(__func__, needed, logits_capacity); s != XVAL_OK) return s;
    if (logits == nullptr) return NullArgument(__func__, "logits");
    std::vector<float> ones;
    if (values == nullptr) ones.assign(n_ids, 1.0f);
    xval::model::ForwardOutput& out = session->out;
    absl::Status status = session->session->Forward(
        absl::MakeConstSpan(ids, n_ids),
        absl::MakeConstSpan(values != nullptr ? values : ones.data(), n_ids), all_positions != 0,
        &out);
    if (!status.ok()) return Fail(status);
    std::copy(out.logits.begin(), out.logits.end(), logits);
    if (number_values != nullptr) {
      std::copy(out.number_values.begin(), out.number_values.end(), number_values);
    }
    return XVAL_OK;
  });
}

void xval_generate_options_init(xval_generate_options* options) {
  if (options == nullptr) return;
  std::memset(options, 0, sizeof(*options));
  options->max_new_tokens = 64;
  options->top_p = 1.0f;
  options->stop_at_eos = 1;
}

xval_status xval_generate(xval_session* session, const int32_t* prompt_ids,
                          const float* prompt_values, size_t n_prompt,
                          const xval_generate_options* options, xval_token_callback on_token,
                          void* user_data, size_t* n_generated) {
  return Guard(__func__, [&] {
    if (session == nullptr) return NullArgument(__func__, "session");
    if (prompt_ids == nullptr && n_prompt != 0) return NullArgument(__func__, "prompt_ids");
    xval_generate_options defaults;
    xval_generate_options_init(&defaults);
    const xval_generate_options& o = options != nullptr ? *options : defaults;
    xval::model::GenerateOptions generate;
    generate.max_new_tokens = o.max_new_tokens;
    generate.sampling.temperature = o.temperature;
    generate.sampling.top_k = o.top_k;
    generate.sampling.top_p = o.top_p;
    generate.sampling.seed = o.seed;
    generate.stop_at_eos = o.stop_at_eos != 0;
    std::vector<float> ones;
    if (prompt_values == nullptr) ones.assign(n_prompt, 1.0f);
    const xval::model::LlamaConfig& c = session->model->config();
    std::function<bool(int32_t, float)> callback;
    if (on_token != nullptr) {
      callback = [&](int32_t id, float value) { return on_token(id, value, user_data) != 0; };
    }
    auto generated = xval::model::Generate(
        session->session.get(), absl::MakeConstSpan(prompt_ids, n_prompt),
        absl::MakeConstSpan(prompt_values != nullptr ? prompt_values : ones.data(), n_prompt),
        c.xval_num_token_id, c.eos_token_id, generate, callback);
    if (!generated.ok()) return Fail(generated.status());
    if (n_generated != nullptr) *n_generated = generated->ids.size();
    return XVAL_OK;
  });
}

}  // extern "C"
