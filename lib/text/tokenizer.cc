// LoadTokenizer (which loader reads a file) and the batch encoder shared by every tokenizer.
#include <atomic>
#include <mutex>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "text/bytelevel/bytelevel_loader.h"
#include "text/spm/spm_loader.h"
#include "text/spm/spm_tokenizer.h"
#include "util/file.h"
#include "util/status_macros.h"
#include "util/thread_pool.h"
#include "xval/tokenizer.h"

namespace xval {

absl::StatusOr<std::unique_ptr<Tokenizer>> LoadTokenizer(const std::string& path,
                                                         const TokenizerOptions& options) {
  // Byte-level BPE: a tiktoken name or rank file, or a tokenizer.json with a ByteLevel stage.
  if (text::IsTiktokenEncodingName(path) || absl::EndsWith(path, ".tiktoken")) {
    ASSIGN_OR_RETURN(auto tokenizer, text::LoadTiktoken(path, options));
    return std::unique_ptr<Tokenizer>(std::move(tokenizer));
  }
  ASSIGN_OR_RETURN(std::string data, util::ReadFile(path));
  if (text::IsByteLevelTokenizerJson(data)) {
    ASSIGN_OR_RETURN(auto tokenizer, text::LoadByteLevelTokenizerJson(data, path, options));
    return std::unique_ptr<Tokenizer>(std::move(tokenizer));
  }
  text::SpmConfig config;
  size_t first = data.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && data[first] == '{') {
    ASSIGN_OR_RETURN(config, text::SpmConfigFromLlamaTokenizerJson(data, path));
  } else if (absl::EndsWith(path, ".json")) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": JSON: does not start with '{'"));
  } else {
    ASSIGN_OR_RETURN(config, text::SpmConfigFromModelProto(data, path));
  }
  ASSIGN_OR_RETURN(auto tokenizer, text::SpmTokenizer::Create(std::move(config), options));
  return std::unique_ptr<Tokenizer>(std::move(tokenizer));
}

absl::StatusOr<std::vector<Encoding>> Tokenizer::EncodeBatch(
    absl::Span<const absl::string_view> texts, const EncodeOptions& options,
    size_t max_threads) const {
  std::vector<Encoding> results(texts.size());
  std::mutex error_mutex;
  absl::Status error;
  std::atomic<bool> failed{false};
  util::ParallelFor(texts.size(), 8, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end && !failed.load(std::memory_order_relaxed); ++i) {
      absl::StatusOr<Encoding> e = Encode(texts[i], options);
      if (!e.ok()) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (error.ok()) error = e.status();
        failed = true;
        return;
      }
      results[i] = std::move(*e);
    }
  }, max_threads);
  if (!error.ok()) return error;
  return results;
}

}  // namespace xval
