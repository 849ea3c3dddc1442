// Token shards: the files `xval encode` writes, for a trainer to memory-map.
//
// One shard file ("shard-00000.xvt"), little-endian, every section starting at a multiple of
// 64 bytes (docs/shards.md):
//
//   offset  0  char[8]  magic "XVALTOK1"
//           8  uint32   version (1)
//          12  uint32   id_bytes: 2 (uint16 ids) or 4 (uint32 ids)
//          16  uint32   flags: bit 0 set when a values section is present (xVal)
//          20  uint32   reserved (0)
//          24  uint64   documents
//          32  uint64   tokens
//          40  uint64   ids_offset:    tokens ids of id_bytes each
//          48  uint64   bounds_offset: documents + 1 uint64; document d is tokens
//                                      [bounds[d], bounds[d + 1])
//          56  uint64   values_offset: tokens float32 (0 when absent)
//
// A dataset is a folder of shards and a manifest.json that lists them in order.
#ifndef XVAL_SHARDS_H_
#define XVAL_SHARDS_H_

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "xval/encoding.h"

namespace xval::data {

inline constexpr char kShardMagic[8] = {'X', 'V', 'A', 'L', 'T', 'O', 'K', '1'};
inline constexpr uint32_t kShardVersion = 1;

// Where `xval encode` puts a shard's documents: ShardWriter (this format) or MegatronWriter.
class TokenSink {
 public:
  virtual ~TokenSink() = default;
  // Appends the documents [first, last) of `batch`.
  virtual absl::Status Append(const BatchEncoding& batch, size_t first, size_t last) = 0;
  // Finishes the files; before it they are not under their names.
  virtual absl::Status Close() = 0;
  virtual uint64_t documents() const = 0;
  virtual uint64_t tokens() const = 0;
};

// Writes one shard as batches come, holding only the document bounds in memory: ids go to the
// file at once, values to a side file that Close copies in. The file appears under its name only
// when Close succeeds (it is written as NAME.tmp and renamed), so a shard is never seen half.
class ShardWriter : public TokenSink {
 public:
  // id_bytes: 2 when every id fits in uint16, else 4. with_values: write the values section.
  static absl::StatusOr<std::unique_ptr<ShardWriter>> Create(const std::string& path,
                                                             uint32_t id_bytes, bool with_values);
  ~ShardWriter();  // without Close: the partial file is removed
  ShardWriter(const ShardWriter&) = delete;
  ShardWriter& operator=(const ShardWriter&) = delete;

  // Appends the documents [first, last) of `batch` (values used when with_values).
  absl::Status Append(const BatchEncoding& batch, size_t first, size_t last) override;
  absl::Status Close() override;

  uint64_t documents() const override { return bounds_.size() - 1; }
  uint64_t tokens() const override { return bounds_.back(); }

 private:
  ShardWriter(std::string path, uint32_t id_bytes, bool with_values)
      : path_(std::move(path)), id_bytes_(id_bytes), with_values_(with_values) {}
  absl::Status Fail(const std::string& what);

  std::string path_;
  uint32_t id_bytes_;
  bool with_values_;
  std::FILE* file_ = nullptr;    // path_ + ".tmp"
  std::FILE* values_ = nullptr;  // path_ + ".values.tmp"
  std::vector<uint64_t> bounds_{0};
  std::vector<char> buffer_;
  bool closed_ = false;
};

// Megatron-LM's indexed dataset (megatron/core/datasets/indexed_dataset.py), which Megatron and
// NeMo train from: PREFIX.bin holds the ids (uint16, or int32 for larger vocabularies), PREFIX.idx
// the header b"MMIDIDX\0\0", version 1 (uint64), the dtype code (uint8: 8 uint16, 4 int32), the
// sequence and document counts (uint64), each sequence's length (int32), byte offset (int64),
// and the document indices (int64, a document per sequence: 0, 1, ..., n). No values: xVal
// tokenizers use ShardWriter. Both files appear under their names when Close succeeds.
class MegatronWriter : public TokenSink {
 public:
  static absl::StatusOr<std::unique_ptr<MegatronWriter>> Create(const std::string& prefix,
                                                                uint32_t id_bytes);
  ~MegatronWriter() override;
  absl::Status Append(const BatchEncoding& batch, size_t first, size_t last) override;
  absl::Status Close() override;
  uint64_t documents() const override { return lengths_.size(); }
  uint64_t tokens() const override { return tokens_; }

 private:
  MegatronWriter(std::string prefix, uint32_t id_bytes)
      : prefix_(std::move(prefix)), id_bytes_(id_bytes) {}
  std::string prefix_;
  uint32_t id_bytes_;
  std::FILE* bin_ = nullptr;  // prefix_ + ".bin.tmp"
  std::vector<int32_t> lengths_;
  uint64_t tokens_ = 0;
  std::vector<char> buffer_;
  bool closed_ = false;
};

// The documents and tokens of a Megatron pair written by MegatronWriter, checked against the
// sizes of both files (a resumed `xval encode` trusts a pair only then).
absl::Status CheckMegatronPair(const std::string& prefix, uint64_t documents, uint64_t tokens,
                               uint32_t id_bytes);

// A shard file memory-mapped read-only: documents' ids (as uint32) and values without copies of
// the file. Thread-safe for reading.
class ShardReader {
 public:
  static absl::StatusOr<std::unique_ptr<ShardReader>> Open(const std::string& path);
  ~ShardReader();
  ShardReader(const ShardReader&) = delete;
  ShardReader& operator=(const ShardReader&) = delete;

  uint64_t documents() const { return documents_; }
  uint64_t tokens() const { return tokens_; }
  uint32_t id_bytes() const { return id_bytes_; }
  bool has_values() const { return values_ != nullptr; }
  // Document d's tokens: [bounds()[d], bounds()[d + 1]).
  absl::Span<const uint64_t> bounds() const { return {bounds_, documents_ + 1}; }
  uint32_t id(uint64_t token) const {
    return id_bytes_ == 2 ? reinterpret_cast<const uint16_t*>(ids_)[token]
                          : reinterpret_cast<const uint32_t*>(ids_)[token];
  }
  // The ids of document d (OutOfRange past the end), and its values (empty without values).
  absl::StatusOr<std::vector<uint32_t>> DocumentIds(uint64_t d) const;
  absl::StatusOr<absl::Span<const float>> DocumentValues(uint64_t d) const;

 private:
  ShardReader() = default;
  void* map_ = nullptr;
  size_t size_ = 0;
  uint64_t documents_ = 0, tokens_ = 0;
  uint32_t id_bytes_ = 4;
  const void* ids_ = nullptr;
  const uint64_t* bounds_ = nullptr;
  const float* values_ = nullptr;
};

}  // namespace xval::data

#endif  // XVAL_SHARDS_H_
