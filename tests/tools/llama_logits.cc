// The logits llama.cpp computes for a token sequence: the reference for xval's forward pass on
// quantized GGUF files (make_tiny_llama.py --quantized drives it). Built by
// build_llama_quantize.sh against the llama.cpp of the llama-cpp-python 0.3.36 sdist.
//
//   llama_logits MODEL.gguf < ids > logits
//
// Input: token ids separated by white space. Output: the logits of every position, raw
// little-endian float32, (n_tokens, n_vocab), from one batch on one CPU thread.
#include <cstdio>
#include <iostream>
#include <vector>

#include "llama.h"

static void Quiet(ggml_log_level, const char*, void*) {}

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s MODEL.gguf < ids > logits\n", argv[0]);
    return 2;
  }
  llama_log_set(Quiet, nullptr);
  llama_backend_init();
  llama_model* model = llama_model_load_from_file(argv[1], llama_model_default_params());
  if (model == nullptr) {
    std::fprintf(stderr, "cannot load %s\n", argv[1]);
    return 1;
  }
  std::vector<llama_token> ids;
  for (llama_token id; std::cin >> id;) ids.push_back(id);
  llama_context_params cp = llama_context_default_params();
  cp.n_ctx = static_cast<uint32_t>(ids.size());
  cp.n_batch = cp.n_ubatch = static_cast<uint32_t>(ids.size());
  cp.n_threads = cp.n_threads_batch = 1;
  llama_context* ctx = llama_init_from_model(model, cp);
  if (ctx == nullptr || ids.empty()) {
    std::fprintf(stderr, "cannot make a context for %zu tokens\n", ids.size());
    return 1;
  }
  llama_batch batch = llama_batch_init(static_cast<int32_t>(ids.size()), 0, 1);
  for (size_t i = 0; i < ids.size(); ++i) {
    batch.token[i] = ids[i];
    batch.pos[i] = static_cast<llama_pos>(i);
    batch.n_seq_id[i] = 1;
    batch.seq_id[i][0] = 0;
    batch.logits[i] = 1;
  }
  batch.n_tokens = static_cast<int32_t>(ids.size());
  if (llama_decode(ctx, batch) != 0) {
    std::fprintf(stderr, "llama_decode failed\n");
    return 1;
  }
  const int n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(model));
  for (size_t i = 0; i < ids.size(); ++i) {
    std::fwrite(llama_get_logits_ith(ctx, static_cast<int32_t>(i)), sizeof(float), n_vocab, stdout);
  }
  llama_batch_free(batch);
  llama_free(ctx);
  llama_model_free(model);
  return 0;
}
