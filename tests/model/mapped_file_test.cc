// MappedFile: the bytes of the file in place, at an address aligned to a huge page (so that a
// page cache kept in 2 MiB folios maps with 2 MiB entries), or copied to huge pages.
#include "model/mapped_file.h"

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace xval::model {
namespace {

constexpr uintptr_t kHugePage = uintptr_t{2} << 20;

// A file of `size` bytes of a pattern that differs at every offset modulo 251.
std::string WriteFile(const std::string& name, size_t size, std::vector<uint8_t>* bytes) {
  const std::string path = ::testing::TempDir() + "/" + name;
  bytes->resize(size);
  for (size_t i = 0; i < size; ++i) (*bytes)[i] = static_cast<uint8_t>(i % 251);
  FILE* f = std::fopen(path.c_str(), "wb");
  EXPECT_NE(f, nullptr);
  if (size > 0) {
    EXPECT_EQ(std::fwrite(bytes->data(), 1, size, f), size);
  }
  std::fclose(f);
  return path;
}

TEST(MappedFileTest, MapsTheFileAtAHugePageBoundary) {
  // Sizes below, at and past one huge page, and one not a multiple of the small page.
  for (const size_t size : {size_t{1}, size_t{4096}, size_t{2} << 20, (size_t{5} << 20) + 7}) {
    std::vector<uint8_t> bytes;
    const std::string path = WriteFile("mapped_" + std::to_string(size), size, &bytes);
    for (const bool copy : {false, true}) {
      auto file = MappedFile::Open(path, copy);
      ASSERT_TRUE(file.ok()) << file.status();
      ASSERT_EQ((*file)->size(), size);
      EXPECT_EQ(reinterpret_cast<uintptr_t>((*file)->data()) % kHugePage, 0u) << size;
      EXPECT_EQ(std::vector<uint8_t>((*file)->data(), (*file)->data() + size), bytes)
          << size << (copy ? " copied" : " mapped");
    }
    ::unlink(path.c_str());
  }
}

// The advice for an embedding table changes how pages are read, never what they hold: on the
// mapping and on the copy, over whole pages, a part of one, and an unaligned range.
TEST(MappedFileTest, SparseReadAdviceKeepsTheBytes) {
  std::vector<uint8_t> bytes;
  const std::string path = WriteFile("mapped_sparse", (size_t{6} << 20) + 123, &bytes);
  for (const bool copy : {false, true}) {
    auto file = MappedFile::Open(path, copy);
    ASSERT_TRUE(file.ok()) << file.status();
    const uint8_t* data = (*file)->data();
    AdviseSparseReads(data + (size_t{1} << 20), size_t{3} << 20);
    AdviseSparseReads(data + 100, 200);
    AdviseSparseReads(data + 4097, (size_t{2} << 20) + 5);
    EXPECT_EQ(std::vector<uint8_t>(data, data + bytes.size()), bytes);
  }
  ::unlink(path.c_str());
}

TEST(MappedFileTest, EmptyFileHasNoBytes) {
  std::vector<uint8_t> bytes;
  const std::string path = WriteFile("mapped_empty", 0, &bytes);
  auto file = MappedFile::Open(path);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ((*file)->size(), 0u);
  EXPECT_EQ((*file)->data(), nullptr);
  ::unlink(path.c_str());
}

TEST(MappedFileTest, MissingFileAndFolderAreErrors) {
  auto missing = MappedFile::Open(::testing::TempDir() + "/no_such_checkpoint.gguf");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("no_such_checkpoint.gguf"), std::string::npos);
  auto folder = MappedFile::Open(::testing::TempDir());
  EXPECT_EQ(folder.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(folder.status().message().find("not a regular file"), std::string::npos);
}

}  // namespace
}  // namespace xval::model
