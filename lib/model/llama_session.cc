// The forward pass of LlamaForCausalLM (and its Mistral and Qwen2 variants) over a KV cache, as
// transformers computes it (modeling_llama.py): each layer is AttentionBlock then MlpBlock,
// each pre-normed and adding its own residual.
// The session's buffers are allocated when it is made; Forward allocates its output, and the
// matrix products and batched attention keep per-thread scratch that grows to the largest call.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <new>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "kernels/activations.h"
#include "kernels/matmul.h"
#include "model/llama_model.h"
#include "util/page_advice.h"
#include "util/status_macros.h"
#include "util/thread_pool.h"
#include "xval/embed.h"
#include "xval/encoding.h"

namespace xval::model {
namespace {

using kernels::AttendOneQuery;
using kernels::AttendOneQueryF16;
using kernels::F32ToF16Row;
using kernels::RmsNormRow;
using kernels::SiluMul;

// Activations for up to max_batch tokens run through the layers together.
struct Activations {
  Activations(const LlamaConfig& c, size_t max_batch, size_t max_seq_len)
      : x(max_batch * c.hidden_size),
        xn(max_batch * c.hidden_size),
        q(max_batch * c.num_attention_heads * c.head_dim),
        k(max_batch * c.num_key_value_heads * c.head_dim),
        v(max_batch * c.num_key_value_heads * c.head_dim),
        att(max_batch * c.num_attention_heads * c.head_dim),
        gate(max_batch * c.intermediate_size),
        up(max_batch * c.intermediate_size),
        scores(static_cast<size_t>(c.num_attention_heads) * max_seq_len),
        head_hidden(max_batch * std::max(1, c.xval_number_head_intermediate_size)) {}
  std::vector<float> x;       // (max_batch, hidden_size) the residual stream
  std::vector<float> xn;      // (max_batch, hidden_size) normed input of a block, or its output
  std::vector<float> q;       // (max_batch, num_attention_heads * head_dim)
  std::vector<float> k;       // (max_batch, num_key_value_heads * head_dim) before the cache
  std::vector<float> v;       // (max_batch, num_key_value_heads * head_dim) before the cache
  std::vector<float> att;     // (max_batch, num_attention_heads * head_dim) attention output
  std::vector<float> gate;    // (max_batch, intermediate_size)
  std::vector<float> up;      // (max_batch, intermediate_size)
  std::vector<float> scores;  // (num_attention_heads, max_seq_len) one query's weights per head
  std::vector<float> head_hidden;  // (max_batch, xval_number_head_intermediate_size or 1)
};

// RMSNorm as LlamaRMSNorm of n rows: x, out (n, dim).
void RmsNorm(const float* x, const std::vector<float>& weight, float eps, size_t n, size_t dim,
             float* out) {
  for (size_t t = 0; t < n; ++t) RmsNormRow(x + t * dim, weight.data(), eps, dim, out + t * dim);
}

class Session : public LlamaSession {
 public:
  Session(const LlamaModelImpl& model, size_t max_seq_len, size_t max_batch, WeightType kv_type)
      : model_(model),
        c_(model.config()),
        max_seq_len_(max_seq_len),
        max_batch_(max_batch),
        kv_dim_(static_cast<size_t>(c_.num_key_value_heads) * c_.head_dim),
        kv_type_(kv_type),
        k_cache_(
            util::HugePageArray(kv_type == WeightType::kF32 ? CacheFloats(max_seq_len) : 0, 0.0f)),
        v_cache_(
            util::HugePageArray(kv_type == WeightType::kF32 ? CacheFloats(max_seq_len) : 0, 0.0f)),
        k_cache16_(util::HugePageArray(kv_type == WeightType::kF16 ? CacheFloats(max_seq_len) : 0,
                                       uint16_t{0})),
        v_cache16_(util::HugePageArray(kv_type == WeightType::kF16 ? CacheFloats(max_seq_len) : 0,
                                       uint16_t{0})),
        cos_(max_seq_len * c_.head_dim),
        sin_(max_seq_len * c_.head_dim),
        act_(c_, max_batch, max_seq_len) {
    // transformers: freqs = position (f32) * inv_freq (f32); cos and sin in f32. Both tables are
    // laid out as Rope reads them: element i of a head gets the angle of its pair, and sin
    // carries the sign of the rotation (-sin for the pair's first element).
    const size_t d = c_.head_dim, half = d / 2;
    const bool adjacent = model.weights().rope_interleaved;
    const std::vector<float>& inv_freq = model.inv_freq();
    for (size_t p = 0; p < max_seq_len; ++p) {
      float* cs = cos_.data() + p * d;  // (head_dim)
      float* sn = sin_.data() + p * d;  // (head_dim)
      for (size_t i = 0; i < half; ++i) {
        const float f = static_cast<float>(p) * inv_freq[i];
        const size_t first = adjacent ? 2 * i : i, second = adjacent ? 2 * i + 1 : i + half;
        cs[first] = cs[second] = std::cos(f);
        sn[first] = -std::sin(f);
        sn[second] = std::sin(f);
      }
    }
  }

  absl::Status Forward(absl::Span<const int32_t> ids, absl::Span<const float> values,
                       bool all_positions, ForwardOutput* out) override {
    if (ids.empty()) return absl::InvalidArgumentError("Forward: no tokens");
    if (!values.empty() && values.size() != ids.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("Forward: ", values.size(), " values for ", ids.size(), " ids"));
    }
    for (size_t t = 0; t < ids.size(); ++t) {
      if (ids[t] < 0 || ids[t] >= c_.vocab_size) {
        return absl::OutOfRangeError(absl::StrCat("Forward: id ", ids[t], " at ", t,
                                                  " is outside the vocabulary (vocab_size ",
                                                  c_.vocab_size, ")"));
      }
    }
    if (ids.size() > max_seq_len_ - pos_) {
      return absl::OutOfRangeError(absl::StrCat("Forward: ", pos_, " + ", ids.size(),
                                                " tokens exceed the session's max_seq_len ",
                                                max_seq_len_));
    }
    const size_t n = ids.size();
    const size_t num_out = all_positions ? n : 1;
    const size_t vocab = c_.vocab_size;
    const bool has_head = c_.xval_number_head != NumberHeadType::kNone;
    out->num_out = num_out;
    out->logits.resize(num_out * vocab);
    out->number_values.resize(has_head ? num_out : 0);
    for (size_t begin = 0; begin < n; begin += max_batch_) {
      const size_t len = std::min(max_batch_, n - begin);
      RETURN_IF_ERROR(
          Embed(ids.subspan(begin, len), values.empty() ? values : values.subspan(begin, len)));
      for (int l = 0; l < c_.num_hidden_layers; ++l) TransformerLayer(l, len);
      pos_ += len;
      // Outputs: every row of the chunk, or only the sequence's last row.
      if (all_positions) {
        Output(0, len, out->logits.data() + begin * vocab,
               has_head ? out->number_values.data() + begin : nullptr);
      } else if (begin + len == n) {
        Output(len - 1, 1, out->logits.data(), has_head ? out->number_values.data() : nullptr);
      }
    }
    return absl::OkStatus();
  }

  size_t position() const override { return pos_; }
  size_t max_seq_len() const override { return max_seq_len_; }
  void Reset() override { pos_ = 0; }
  absl::Status Rewind(size_t position) override {
    if (position > pos_) {
      return absl::OutOfRangeError(
          absl::StrCat("Rewind: position ", position, " is past the cached ", pos_));
    }
    pos_ = position;
    return absl::OkStatus();
  }

 private:
  size_t threads() const { return model_.max_threads(); }
  kernels::Activations act() const { return model_.activations(); }

  // x = embed_tokens[ids] * values: the xVal input, through the shared embedding kernel, or for
  // a quantized table each row dequantized then scaled (f32 products, as the kernel's).
  absl::Status Embed(absl::Span<const int32_t> ids, absl::Span<const float> values) {
    const WeightMatrix& quantized = model_.weights().embed_quantized;
    if (quantized.data != nullptr) {
      const size_t hidden = c_.hidden_size;
      for (size_t t = 0; t < ids.size(); ++t) {
        float* row = act_.x.data() + t * hidden;  // (hidden_size)
        DequantizeRow(quantized, static_cast<size_t>(ids[t]), row);
        if (!values.empty() && values[t] != 1.0f) {
          for (size_t i = 0; i < hidden; ++i) row[i] *= values[t];
        }
      }
      return absl::OkStatus();
    }
    kernels::EmbedOptions options;
    options.max_threads = threads();
    options.stores = kernels::StoreMode::kNormal;  // the first layer reads it next
    return kernels::Embed(model_.weights().embed_tokens, ids, values,
                          kernels::MatrixView::F32(act_.x.data(), ids.size(), c_.hidden_size),
                          options);
  }

  size_t CacheFloats(size_t max_seq_len) const {
    return static_cast<size_t>(c_.num_hidden_layers) * max_seq_len * kv_dim_;
  }

  // The cache is head-major, so that attention reads one head's keys and values as one
  // contiguous (positions, head_dim) block rather than a head_dim piece of every row. f32, or
  // binary16 codes (kv_type_ kF16: half the memory and the bytes attention reads, as
  // llama.cpp's default cache).
  size_t CacheOffset(int layer, size_t kv_head) const {
    return (static_cast<size_t>(layer) * c_.num_key_value_heads + kv_head) * max_seq_len_ *
           c_.head_dim;
  }
  // Positions [0, rows) of one head's keys or values: (rows, head_dim).
  WeightMatrix CacheMatrix(bool values, int layer, size_t kv_head, size_t rows) const {
    const size_t off = CacheOffset(layer, kv_head), d = c_.head_dim;
    if (kv_type_ == WeightType::kF16) {
      return {WeightType::kF16, (values ? v_cache16_ : k_cache16_).data() + off, rows, d, d};
    }
    return {WeightType::kF32, (values ? v_cache_ : k_cache_).data() + off, rows, d, d};
  }
  // Stores one position's key and value of one head.
  void StoreKv(int layer, size_t kv_head, size_t pos, const float* k, const float* v) {
    const size_t off = CacheOffset(layer, kv_head) + pos * c_.head_dim, d = c_.head_dim;
    if (kv_type_ == WeightType::kF16) {
      F32ToF16Row(k, d, k_cache16_.data() + off);
      F32ToF16Row(v, d, v_cache16_.data() + off);
    } else {
      std::copy(k, k + d, k_cache_.data() + off);
      std::copy(v, v + d, v_cache_.data() + off);
    }
  }

  // Rotates the heads of one row at position p: rotate-half pairs (i, i + d/2) as
  // transformers' apply_rotary_pos_emb, or adjacent pairs (2i, 2i + 1) for GGUF's permuted
  // q/k rows.  q' = q * cos + rotate_half(q) * sin.
  void Rope(float* row, size_t num_heads, size_t p) const {
    const size_t d = c_.head_dim;
    kernels::Rope(row, num_heads, d, cos_.data() + p * d, sin_.data() + p * d,
                  model_.weights().rope_interleaved);
  }

  // One decoder layer as transformers' LlamaDecoderLayer: two pre-normed residual blocks.
  void TransformerLayer(int l, size_t n) {
    const LayerWeights& w = model_.weights().layers[l];
    AttentionBlock(l, w, n);
    MlpBlock(w, n);
  }

  // h += o_proj(Attention(RoPE(q_proj(RMSNorm(h))), RoPE(k_proj(.)), v_proj(.))) for the n new
  // rows, their keys and values appended to the cache; q/k/v biases added before RoPE (Qwen2).
  void AttentionBlock(int l, const LayerWeights& w, size_t n) {
    const size_t hidden = c_.hidden_size;
    const size_t q_dim = static_cast<size_t>(c_.num_attention_heads) * c_.head_dim;
    float* x = act_.x.data();    // (n, hidden_size)
    float* xn = act_.xn.data();  // (n, hidden_size)
    ForRows(n, [&](size_t t0, size_t t1) {
      RmsNorm(x + t0 * hidden, w.input_layernorm, c_.rms_norm_eps, t1 - t0, hidden,
              xn + t0 * hidden);
    });
    // q, k and v read the same normed input: one fused product, one parallel region.
    const MatMulTarget qkv[] = {{w.q_proj, act_.q.data(), q_dim},
                                {w.k_proj, act_.k.data(), kv_dim_},
                                {w.v_proj, act_.v.data(), kv_dim_}};
    MatMulFused(xn, hidden, n, hidden, qkv, threads(), act());
    const size_t d = c_.head_dim;
    ForRows(n, [&](size_t t0, size_t t1) {
      for (size_t t = t0; t < t1; ++t) {
        float* q = act_.q.data() + t * q_dim;    // (num_attention_heads * head_dim)
        float* k = act_.k.data() + t * kv_dim_;  // (num_key_value_heads * head_dim)
        float* v = act_.v.data() + t * kv_dim_;  // (num_key_value_heads * head_dim)
        if (c_.attention_qkv_bias) {
          for (size_t i = 0; i < q_dim; ++i) q[i] += w.q_bias[i];
          for (size_t i = 0; i < kv_dim_; ++i) k[i] += w.k_bias[i];
          for (size_t i = 0; i < kv_dim_; ++i) v[i] += w.v_bias[i];
        }
        Rope(q, c_.num_attention_heads, pos_ + t);
        Rope(k, c_.num_key_value_heads, pos_ + t);
        for (size_t h = 0; h < static_cast<size_t>(c_.num_key_value_heads); ++h) {
          StoreKv(l, h, pos_ + t, k + h * d, v + h * d);
        }
      }
    });
    Attention(l, n);
    MatMul(act_.att.data(), q_dim, n, w.o_proj, xn, hidden, threads(), act());
    AddResidual(n);
  }

  // h += down_proj(silu(gate_proj(RMSNorm(h))) * up_proj(RMSNorm(h))) for the n new rows.
  void MlpBlock(const LayerWeights& w, size_t n) {
    const size_t hidden = c_.hidden_size;
    const size_t inter = c_.intermediate_size;
    float* x = act_.x.data();    // (n, hidden_size)
    float* xn = act_.xn.data();  // (n, hidden_size)
    ForRows(n, [&](size_t t0, size_t t1) {
      RmsNorm(x + t0 * hidden, w.post_attention_layernorm, c_.rms_norm_eps, t1 - t0, hidden,
              xn + t0 * hidden);
    });
    const MatMulTarget gate_up[] = {{w.gate_proj, act_.gate.data(), inter},
                                    {w.up_proj, act_.up.data(), inter}};
    MatMulFused(xn, hidden, n, hidden, gate_up, threads(), act());
    float* g = act_.gate.data();  // (n, intermediate_size)
    const float* u = act_.up.data();
    ForRows(n, [&](size_t t0, size_t t1) {
      SiluMul(g + t0 * inter, u + t0 * inter, (t1 - t0) * inter);
    });
    MatMul(g, inter, n, w.down_proj, xn, hidden, threads(), act());
    AddResidual(n);
  }

  // x += xn for the n rows: a block's output joins the residual stream.
  void AddResidual(size_t n) {
    const size_t hidden = c_.hidden_size;
    float* x = act_.x.data();          // (n, hidden_size)
    const float* xn = act_.xn.data();  // (n, hidden_size)
    ForRows(n, [&](size_t t0, size_t t1) {
      for (size_t i = t0 * hidden; i < t1 * hidden; ++i) x[i] += xn[i];
    });
  }

  // The first cached position that the query at `position` sees in layer l: 0, or the start of
  // the sliding window (transformers: key j is seen when j > position - sliding_window).
  size_t FirstKey(int l, size_t position) const {
    if (c_.sliding_window <= 0 || !c_.sliding_layers[l]) return 0;
    const size_t window = static_cast<size_t>(c_.sliding_window);
    return position + 1 > window ? position + 1 - window : 0;
  }

  // fn(t0, t1) over the rows [0, n) of a batch: the per-token steps between the products (norms,
  // RoPE, SiLU, residual adds), on the pool when the batch is large enough to pay for a
  // parallel region; run serially they are a visible share of a prefill
  // (docs/design-measurements.md, "Prefill: per-token steps on the pool").
  template <class Fn>
  void ForRows(size_t n, Fn&& fn) {
    if (n < kParallelRows) return fn(0, n);
    const size_t workers = threads() == 0 ? util::DefaultThreadCount() : threads();
    util::ParallelFor(n, std::max<size_t>(1, n / (4 * workers)), fn, threads());
  }
  static constexpr size_t kParallelRows = 8;

  // Causal grouped-query attention of the n new rows against the cache [0, pos_ + n) (from
  // FirstKey on, in a sliding-window layer): softmax(q k^T / sqrt(head_dim)) v, query head h
  // reading key-value head h / (num_attention_heads / num_key_value_heads) (repeat_kv).
  void Attention(int l, size_t n) {
    if (n >= kBatchedAttentionRows) return BatchedAttention(l, n);
    const size_t d = c_.head_dim;
    const size_t q_dim = static_cast<size_t>(c_.num_attention_heads) * d;
    const size_t group = c_.num_attention_heads / c_.num_key_value_heads;
    const float scale = 1.0f / std::sqrt(static_cast<float>(d));
    util::ParallelFor(
        c_.num_attention_heads, 1,
        [&](size_t h_begin, size_t h_end) {
          for (size_t h = h_begin; h < h_end; ++h) {
            const size_t off = CacheOffset(l, h / group);  // the head's (positions, head_dim)
            float* scratch = act_.scores.data() + h * max_seq_len_;  // (max_seq_len)
            for (size_t t = 0; t < n; ++t) {
              const size_t first = FirstKey(l, pos_ + t);
              const size_t len = pos_ + t + 1 - first;  // causal: keys first .. pos_ + t
              const size_t at = off + first * d;
              const float* q = act_.q.data() + t * q_dim + h * d;  // (head_dim)
              float* o = act_.att.data() + t * q_dim + h * d;      // (head_dim)
              if (kv_type_ == WeightType::kF16) {
                AttendOneQueryF16(q, d, k_cache16_.data() + at, v_cache16_.data() + at, d, len,
                                  scale, scratch, o);
              } else {
                AttendOneQuery(q, d, k_cache_.data() + at, v_cache_.data() + at, d, len, scale,
                               scratch, o);
              }
            }
          }
        },
        threads());
  }

  // The same for a batch of new rows, as matrix products: per key-value head and block of up
  // to kBatchedAttentionRows queries, scores = q k^T over the keys the block's last row sees,
  // a causal softmax per row (zero past the row's own position), then out = scores v through
  // v^T, which MatMul reads as a weight matrix. The masked corner of each block is computed
  // and thrown away; the products run at the batched kernel's speed instead of one
  // matrix-vector product per query.
  static constexpr size_t kBatchedAttentionRows = 64;

  void BatchedAttention(int l, size_t n) {
    const size_t d = c_.head_dim;
    const size_t q_dim = static_cast<size_t>(c_.num_attention_heads) * d;
    const size_t group = c_.num_attention_heads / c_.num_key_value_heads;
    const size_t total = pos_ + n;  // keys in the cache after this batch
    util::ParallelFor(
        c_.num_key_value_heads, 1,
        [&](size_t kv_begin, size_t kv_end) {
          thread_local std::vector<float> vt, scores, row;
          vt.resize(d * total);                          // (head_dim, total) v^T of one head
          row.resize(d);                                 // (head_dim) one value row in f32
          scores.resize(kBatchedAttentionRows * total);  // (rows, total)
          for (size_t kvh = kv_begin; kvh < kv_end; ++kvh) {
            const WeightMatrix v_all = CacheMatrix(true, l, kvh, total);  // (total, head_dim)
            for (size_t j = 0; j < total; ++j) {
              DequantizeRow(v_all, j, row.data());
              for (size_t i = 0; i < d; ++i) vt[i * total + j] = row[i];
            }
            for (size_t h = kvh * group; h < (kvh + 1) * group; ++h) {
              for (size_t t0 = 0; t0 < n; t0 += kBatchedAttentionRows) {
                const size_t rows = std::min(kBatchedAttentionRows, n - t0);
                const size_t keys_seen = pos_ + t0 + rows;  // by the block's last row
                const WeightMatrix keys = CacheMatrix(false, l, kvh, keys_seen);
                const float* q = act_.q.data() + t0 * q_dim + h * d;  // (rows, head_dim)
                MatMul(q, q_dim, rows, keys, scores.data(), keys_seen, 1);
                for (size_t r = 0; r < rows; ++r) {
                  float* row = scores.data() + r * keys_seen;  // (keys_seen)
                  // Keys [first, own position] of the row; zero weight outside them.
                  const size_t first = FirstKey(l, pos_ + t0 + r);
                  Softmax(row + first, pos_ + t0 + r + 1 - first, keys_seen - first);
                  std::fill(row, row + first, 0.0f);
                }
                const WeightMatrix values{WeightType::kF32, vt.data(), d, keys_seen, total};
                float* o = act_.att.data() + t0 * q_dim + h * d;  // (rows, head_dim)
                MatMul(scores.data(), keys_seen, rows, values, o, q_dim, 1);
              }
            }
          }
        },
        threads());
  }

  // row[0, len) = softmax(row[0, len) / sqrt(head_dim)); row[len, width) = 0 (causal mask).
  void Softmax(float* row, size_t len, size_t width) const {
    kernels::Softmax(row, len, width, 1.0f / std::sqrt(static_cast<float>(c_.head_dim)));
  }

  // Final norm, LM head and number head for rows [first, first + count) of the chunk.
  void Output(size_t first, size_t count, float* logits, float* numbers) {
    const size_t hidden = c_.hidden_size;
    const LlamaWeights& w = model_.weights();
    float* xn = act_.xn.data();  // (count, hidden_size)
    RmsNorm(act_.x.data() + first * hidden, w.norm, c_.rms_norm_eps, count, hidden, xn);
    MatMul(xn, hidden, count, w.lm_head, logits, c_.vocab_size, threads(), act());
    if (numbers == nullptr) return;
    const NumberHeadWeights& nh = w.number_head;
    if (c_.xval_number_head == NumberHeadType::kLinear) {
      MatMul(xn, hidden, count, nh.w1, numbers, 1, threads());
      for (size_t t = 0; t < count; ++t) numbers[t] += nh.b1[0];
      return;
    }
    // MLP: Linear -> GELU (erf, nn.GELU's default) -> Linear.
    const size_t ff = nh.w1.rows;
    float* hid = act_.head_hidden.data();  // (count, ff)
    MatMul(xn, hidden, count, nh.w1, hid, ff, threads());
    for (size_t t = 0; t < count; ++t) {
      for (size_t i = 0; i < ff; ++i) {
        const float v = hid[t * ff + i] + nh.b1[i];
        hid[t * ff + i] = 0.5f * v * (1.0f + std::erf(v * static_cast<float>(M_SQRT1_2)));
      }
    }
    MatMul(hid, ff, count, nh.w2, numbers, 1, threads());
    for (size_t t = 0; t < count; ++t) numbers[t] += nh.b2;
  }

  const LlamaModelImpl& model_;
  const LlamaConfig& c_;
  const size_t max_seq_len_;
  const size_t max_batch_;
  const size_t kv_dim_;
  size_t pos_ = 0;
  const WeightType kv_type_;    // kF32 or kF16: which pair of caches below is used
  // On huge pages where the cache is large (HugePageArray): decode attention reads every cached
  // position of a layer once per token, after the layer's weights have pushed them out of the
  // caches, and on 4 KiB pages each head's keys and values cost a TLB miss per page; huge
  // pages made decode attention faster (docs/design-measurements.md, "Decode attention: KV
  // cache on huge pages").
  LargeArray<float> k_cache_;  // (num_hidden_layers, num_key_value_heads, max_seq_len, head_dim)
  LargeArray<float> v_cache_;  // (num_hidden_layers, num_key_value_heads, max_seq_len, head_dim)
  LargeArray<uint16_t> k_cache16_;   // the same shape, binary16 codes
  LargeArray<uint16_t> v_cache16_;   // the same shape, binary16 codes
  std::vector<float> cos_;           // (max_seq_len, head_dim) cos of each element's pair angle
  std::vector<float> sin_;  // (max_seq_len, head_dim) sin, negated for a pair's first element
  Activations act_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<LlamaSession>> NewLlamaSession(const LlamaModelImpl& model,
                                                              size_t max_seq_len, size_t max_batch,
                                                              WeightType kv_cache_type) {
  if (max_seq_len == 0 || max_batch == 0) {
    return absl::InvalidArgumentError("NewSession: max_seq_len and max_batch must be positive");
  }
  if (max_seq_len > (size_t{1} << 24) || max_batch > (size_t{1} << 20)) {
    return absl::InvalidArgumentError("NewSession: max_seq_len or max_batch is too large");
  }
  if (kv_cache_type != WeightType::kF32 && kv_cache_type != WeightType::kF16) {
    return absl::InvalidArgumentError(absl::StrCat(
        "NewSession: the KV cache type must be f32 or f16, not ", WeightTypeName(kv_cache_type)));
  }
  try {
    return std::unique_ptr<LlamaSession>(
        new Session(model, max_seq_len, std::min(max_batch, max_seq_len), kv_cache_type));
  } catch (const std::bad_alloc&) {
    return absl::ResourceExhaustedError(
        absl::StrCat("NewSession: no memory for a KV cache of ", max_seq_len, " positions"));
  }
}

}  // namespace xval::model
