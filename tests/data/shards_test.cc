// ShardWriter and ShardReader: documents written in several appends read back as written, with
// 16- and 32-bit ids and values; a file that is not a whole shard is refused, never read past.
#include "xval/shards.h"

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace xval::data {
namespace {

// Three documents: [5, 6, 7], [], [65535, 0].
BatchEncoding Batch() {
  BatchEncoding b;
  for (const int32_t id : {5, 6, 7, 65535, 0}) b.ids.push_back(id);
  for (const float v : {1.0f, 2.5f, 1.0f, -3.0f, 1.0f}) b.values.push_back(v);
  b.row_splits = {0, 3, 3, 5};
  return b;
}

std::string TempPath(const std::string& name) { return ::testing::TempDir() + "/" + name; }

bool Exists(const std::string& path) { return std::ifstream(path).good(); }

TEST(Shards, WrittenInPiecesReadBackWhole) {
  for (const uint32_t id_bytes : {2u, 4u}) {
    for (const bool values : {false, true}) {
      const std::string path = TempPath("s" + std::to_string(id_bytes) + (values ? "v" : ""));
      auto w = ShardWriter::Create(path, id_bytes, values);
      ASSERT_TRUE(w.ok()) << w.status();
      const BatchEncoding b = Batch();
      ASSERT_TRUE((*w)->Append(b, 0, 1).ok());
      ASSERT_TRUE((*w)->Append(b, 1, 3).ok());
      ASSERT_TRUE((*w)->Append(b, 0, 1).ok());
      EXPECT_FALSE(Exists(path));  // not under its name before Close
      ASSERT_TRUE((*w)->Close().ok());
      auto r = ShardReader::Open(path);
      ASSERT_TRUE(r.ok()) << r.status();
      EXPECT_EQ((*r)->documents(), 4u);
      EXPECT_EQ((*r)->tokens(), 8u);
      EXPECT_EQ((*r)->id_bytes(), id_bytes);
      EXPECT_EQ((*r)->has_values(), values);
      const std::vector<std::vector<uint32_t>> want = {{5, 6, 7}, {}, {65535, 0}, {5, 6, 7}};
      for (uint64_t d = 0; d < 4; ++d) {
        auto ids = (*r)->DocumentIds(d);
        ASSERT_TRUE(ids.ok());
        EXPECT_EQ(*ids, want[d]) << d;
      }
      auto v = (*r)->DocumentValues(0);
      ASSERT_TRUE(v.ok());
      if (values) {
        EXPECT_EQ(std::vector<float>(v->begin(), v->end()), (std::vector<float>{1.0f, 2.5f, 1.0f}));
      } else {
        EXPECT_TRUE(v->empty());
      }
      EXPECT_EQ((*r)->DocumentIds(4).status().code(), absl::StatusCode::kOutOfRange);
      std::remove(path.c_str());
    }
  }
}

TEST(Shards, AnIdBeyondSixteenBitsIsRefusedAndNothingIsLeft) {
  const std::string path = TempPath("wide");
  {
    auto w = ShardWriter::Create(path, 2, false);
    ASSERT_TRUE(w.ok());
    BatchEncoding b = Batch();
    b.ids[0] = 70000;
    EXPECT_EQ((*w)->Append(b, 0, 1).code(), absl::StatusCode::kOutOfRange);
  }  // destroyed without Close
  EXPECT_FALSE(Exists(path));
  EXPECT_FALSE(Exists(path + ".tmp"));
}

TEST(Shards, FilesThatAreNotWholeShardsAreRefused) {
  const std::string path = TempPath("whole");
  auto w = ShardWriter::Create(path, 4, true);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Append(Batch(), 0, 3).ok());
  ASSERT_TRUE((*w)->Close().ok());
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  auto write = [&](const std::string& name, const std::string& content) {
    std::ofstream(TempPath(name), std::ios::binary) << content;
    return ShardReader::Open(TempPath(name)).status();
  };
  EXPECT_EQ(write("short", bytes.substr(0, 40)).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(write("cut", bytes.substr(0, bytes.size() - 8)).code(),
            absl::StatusCode::kInvalidArgument);
  std::string magic = bytes;
  magic[0] = 'Y';
  EXPECT_EQ(write("magic", magic).code(), absl::StatusCode::kInvalidArgument);
  std::string tokens = bytes;
  tokens[32] = 100;  // more tokens than the bounds say
  EXPECT_EQ(write("tokens", tokens).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ShardReader::Open(TempPath("absent")).status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace xval::data
