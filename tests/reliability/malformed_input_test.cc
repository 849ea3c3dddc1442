// Malformed files of every format the library reads (issue 16), as a table: each case mutates a
// real file (the Llama 2 .model and tokenizer.json, the xVal paper's tokenizer.json, a byte-level
// tokenizer.json, cl100k's .tiktoken, and the tiny checkpoints' GGUF, safetensors and
// config.json) and must give an error Status naming the file and the field, never a crash, and
// no single allocation larger than a small multiple of the file's size (allocations are
// counted by the operator new below): sizes read from a file are checked against the file
// before anything is sized from them. The cases of each format family are in
// malformed_tokenizer_cases.cc and malformed_model_cases.cc.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <new>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"
#include "malformed_cases.h"
#include "support/corpus.h"
#include "util/file.h"
#include "xval/model.h"
#include "xval/tokenizer.h"
#include "xval/xval_tokenizer.h"

// The largest single allocation since the last reset, over every thread.
namespace {
std::atomic<size_t> largest_allocation{0};
void Note(size_t n) {
  size_t seen = largest_allocation.load(std::memory_order_relaxed);
  while (n > seen && !largest_allocation.compare_exchange_weak(seen, n)) {
  }
}
}  // namespace

// GCC pairs the sized deletes below with its own new and warns; these are the only ones.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

void* operator new(size_t n) {
  Note(n);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void* operator new[](size_t n) {
  Note(n);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void* operator new(size_t n, std::align_val_t align) {
  Note(n);
  const size_t a = static_cast<size_t>(align);
  if (void* p = std::aligned_alloc(a, (n + a - 1) / a * a)) return p;
  throw std::bad_alloc();
}
void* operator new[](size_t n, std::align_val_t align) { return operator new(n, align); }
// The nothrow forms (simdjson's padded_string uses them) must come from malloc too, or the
// deletes above would free what the runtime's own new allocated.
void* operator new(size_t n, const std::nothrow_t&) noexcept {
  Note(n);
  return std::malloc(n == 0 ? 1 : n);
}
void* operator new[](size_t n, const std::nothrow_t&) noexcept {
  Note(n);
  return std::malloc(n == 0 ? 1 : n);
}
void* operator new(size_t n, std::align_val_t align, const std::nothrow_t&) noexcept {
  Note(n);
  const size_t a = static_cast<size_t>(align);
  return std::aligned_alloc(a, (n + a - 1) / a * a);
}
void* operator new[](size_t n, std::align_val_t align, const std::nothrow_t& tag) noexcept {
  return operator new(n, align, tag);
}
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }

namespace xval::malformed {
namespace {

std::vector<Case> AllCases() {
  std::vector<Case> all;
  for (auto make :
       {SpmModelCases, LlamaJsonCases, ByteLevelJsonCases, PipelineJsonCases, PaperJsonCases,
        TiktokenCases, GgufCases, SafetensorsCases, ShardIndexCases, ConfigCases}) {
    std::vector<Case> cases = make();
    all.insert(all.end(), cases.begin(), cases.end());
  }
  return all;
}

absl::Status Load(const Case& c, const std::string& path, const std::string& dir) {
  switch (c.loader) {
    case Loader::kTokenizer:
      return LoadTokenizer(path).status();
    case Loader::kBaseTokenizer:
      return LoadBaseTokenizer(path).status();
    case Loader::kModelFile:
      return model::LlamaModel::Load(path).status();
    case Loader::kModelDir:
      return model::LlamaModel::Load(dir).status();
  }
  return absl::OkStatus();
}

TEST(MalformedInput, EveryCaseIsAClearError) {
  const std::vector<Case> cases = AllCases();
  std::map<std::string, int> by_format;
  for (const Case& c : cases) ++by_format[c.format];
  std::string counts;
  for (const auto& [format, n] : by_format) absl::StrAppend(&counts, format, "=", n, " ");
  RecordProperty("cases_by_format", counts);
  std::printf("%zu cases: %s\n", cases.size(), counts.c_str());
  EXPECT_GE(cases.size(), 150u);
  const std::string root = ::testing::TempDir() + "/xval_malformed";
  for (size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    SCOPED_TRACE(absl::StrCat(c.format, "/", c.name));
    const std::string dir = absl::StrCat(root, "/", i);
    fs::remove_all(dir);
    fs::create_directories(dir);
    const std::string path = dir + "/" + c.file_name;
    Write(path, c.bytes);
    size_t total = c.bytes.size();
    for (const auto& [name, content] : c.beside) {
      Write(dir + "/" + name, content);
      total += content.size();
    }
    largest_allocation = 0;
    const absl::Status s = Load(c, path, dir);
    const size_t largest = largest_allocation.load();
    if (s.ok()) {
      ADD_FAILURE() << "accepted";
      continue;
    }
    EXPECT_NE(s.message().find(path), absl::string_view::npos)
        << "the error does not name the file: " << s;
    if (!c.expect.empty()) {
      EXPECT_NE(s.message().find(c.expect), absl::string_view::npos)
          << s << "\nexpected: " << c.expect;
    }
    // Tables built from a valid part of the file may be a few times its size (hash maps of
    // pieces); nothing may be sized from a count the file cannot hold.
    EXPECT_LE(largest, 16 * total + (4 << 20)) << s;
    fs::remove_all(dir);
  }
}

}  // namespace
}  // namespace xval::malformed
