// MegatronWriter (xval/shards.h): Megatron-LM's .bin/.idx pair, written as documents come.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "data/pack_ids.h"
#include "xval/shards.h"

namespace xval::data {
namespace {

constexpr char kIndexHeader[9] = {'M', 'M', 'I', 'D', 'I', 'D', 'X', '\0', '\0'};
constexpr size_t kIndexPreamble = 9 + 8 + 1 + 8 + 8;

uint8_t DtypeCode(uint32_t id_bytes) { return id_bytes == 2 ? 8 : 4; }  // uint16, int32

absl::Status Fail(const std::string& path, const std::string& what) {
  return absl::DataLossError(absl::StrCat(path, ": ", what, " (", std::strerror(errno), ")"));
}

}  // namespace

absl::StatusOr<std::unique_ptr<MegatronWriter>> MegatronWriter::Create(const std::string& prefix,
                                                                       uint32_t id_bytes) {
  if (id_bytes != 2 && id_bytes != 4) {
    return absl::InvalidArgumentError("Megatron datasets hold ids of 2 or 4 bytes");
  }
  std::unique_ptr<MegatronWriter> w(new MegatronWriter(prefix, id_bytes));
  w->bin_ = std::fopen((prefix + ".bin.tmp").c_str(), "wb");
  if (w->bin_ == nullptr) return Fail(prefix + ".bin", "cannot be created");
  return w;
}

MegatronWriter::~MegatronWriter() {
  if (bin_ != nullptr) std::fclose(bin_);
  if (!closed_) {
    std::remove((prefix_ + ".bin.tmp").c_str());
    std::remove((prefix_ + ".idx.tmp").c_str());
  }
}

absl::Status MegatronWriter::Append(const BatchEncoding& batch, size_t first, size_t last) {
  if (closed_) return absl::FailedPreconditionError(absl::StrCat(prefix_, ": already closed"));
  if (first > last || last > batch.num_texts()) {
    return absl::OutOfRangeError("MegatronWriter::Append: documents outside the batch");
  }
  const size_t begin = batch.row_splits[first], end = batch.row_splits[last];
  if (absl::Status s = PackIds(batch, begin, end, id_bytes_, &buffer_); !s.ok()) return s;
  if (!buffer_.empty() && std::fwrite(buffer_.data(), 1, buffer_.size(), bin_) != buffer_.size()) {
    return Fail(prefix_ + ".bin", "cannot be written");
  }
  for (size_t d = first; d < last; ++d) {
    const size_t n = batch.row_splits[d + 1] - batch.row_splits[d];
    if (n > 0x7FFFFFFF) return absl::OutOfRangeError("a document beyond 2^31 tokens");
    lengths_.push_back(static_cast<int32_t>(n));
  }
  tokens_ += end - begin;
  return absl::OkStatus();
}

absl::Status MegatronWriter::Close() {
  if (closed_) return absl::OkStatus();
  if (std::fflush(bin_) != 0 || ::fsync(fileno(bin_)) != 0) {
    return Fail(prefix_ + ".bin", "cannot be written");
  }
  std::fclose(bin_);
  bin_ = nullptr;
  const std::string idx = prefix_ + ".idx.tmp";
  std::ofstream out(idx, std::ios::binary);
  const uint64_t version = 1, n = lengths_.size(), document_count = n + 1;
  const uint8_t code = DtypeCode(id_bytes_);
  out.write(kIndexHeader, sizeof(kIndexHeader));
  out.write(reinterpret_cast<const char*>(&version), 8);
  out.write(reinterpret_cast<const char*>(&code), 1);
  out.write(reinterpret_cast<const char*>(&n), 8);
  out.write(reinterpret_cast<const char*>(&document_count), 8);
  out.write(reinterpret_cast<const char*>(lengths_.data()),
            static_cast<std::streamsize>(n * sizeof(int32_t)));
  int64_t pointer = 0;
  for (const int32_t length : lengths_) {  // each sequence's byte offset in .bin
    out.write(reinterpret_cast<const char*>(&pointer), 8);
    pointer += static_cast<int64_t>(length) * id_bytes_;
  }
  for (int64_t d = 0; d <= static_cast<int64_t>(n); ++d) {  // a document per sequence
    out.write(reinterpret_cast<const char*>(&d), 8);
  }
  out.close();
  if (!out) return Fail(prefix_ + ".idx", "cannot be written");
  if (std::rename((prefix_ + ".bin.tmp").c_str(), (prefix_ + ".bin").c_str()) != 0 ||
      std::rename(idx.c_str(), (prefix_ + ".idx").c_str()) != 0) {
    return Fail(prefix_, "cannot be renamed");
  }
  closed_ = true;
  return absl::OkStatus();
}

absl::Status CheckMegatronPair(const std::string& prefix, uint64_t documents, uint64_t tokens,
                               uint32_t id_bytes) {
  struct stat bin, idx;
  if (::stat((prefix + ".bin").c_str(), &bin) != 0 ||
      ::stat((prefix + ".idx").c_str(), &idx) != 0) {
    return absl::NotFoundError(absl::StrCat(prefix, ".bin/.idx: missing"));
  }
  const uint64_t want_idx = kIndexPreamble + documents * (4 + 8) + (documents + 1) * 8;
  if (static_cast<uint64_t>(bin.st_size) != tokens * id_bytes ||
      static_cast<uint64_t>(idx.st_size) != want_idx) {
    return absl::InvalidArgumentError(absl::StrCat(prefix, ".bin/.idx: not the sizes recorded"));
  }
  return absl::OkStatus();
}

}  // namespace xval::data
