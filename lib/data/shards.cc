// ShardWriter and ShardReader (xval/shards.h): the token shard file.
#include "xval/shards.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "data/pack_ids.h"

namespace xval::data {
namespace {

constexpr size_t kHeaderBytes = 64;
constexpr size_t kAlign = 64;

uint64_t AlignUp(uint64_t n) { return (n + kAlign - 1) / kAlign * kAlign; }

struct Header {
  char magic[8];
  uint32_t version, id_bytes, flags, reserved;
  uint64_t documents, tokens, ids_offset, bounds_offset, values_offset;
};
static_assert(sizeof(Header) == kHeaderBytes, "the header is 64 bytes");

bool WriteAll(std::FILE* f, const void* data, size_t n) {
  return n == 0 || std::fwrite(data, 1, n, f) == n;
}

bool Pad(std::FILE* f, uint64_t from, uint64_t to) {
  static const char zeros[kAlign] = {};
  return WriteAll(f, zeros, to - from);
}

}  // namespace

absl::StatusOr<std::unique_ptr<ShardWriter>> ShardWriter::Create(const std::string& path,
                                                                 uint32_t id_bytes,
                                                                 bool with_values) {
  if (id_bytes != 2 && id_bytes != 4) {
    return absl::InvalidArgumentError("shards hold ids of 2 or 4 bytes");
  }
  std::unique_ptr<ShardWriter> w(new ShardWriter(path, id_bytes, with_values));
  w->file_ = std::fopen((path + ".tmp").c_str(), "wb");
  if (w->file_ == nullptr) return w->Fail("cannot be created");
  if (with_values) {
    w->values_ = std::fopen((path + ".values.tmp").c_str(), "wb+");
    if (w->values_ == nullptr) return w->Fail("cannot create its values file");
  }
  const Header blank{};
  if (!WriteAll(w->file_, &blank, sizeof(blank))) return w->Fail("cannot be written");
  return w;
}

ShardWriter::~ShardWriter() {
  if (file_ != nullptr) std::fclose(file_);
  if (values_ != nullptr) std::fclose(values_);
  if (!closed_) std::remove((path_ + ".tmp").c_str());
  if (with_values_) std::remove((path_ + ".values.tmp").c_str());
}

absl::Status ShardWriter::Fail(const std::string& what) {
  return absl::DataLossError(absl::StrCat(path_, ": ", what, " (", std::strerror(errno), ")"));
}

absl::Status ShardWriter::Append(const BatchEncoding& batch, size_t first, size_t last) {
  if (closed_) return absl::FailedPreconditionError(absl::StrCat(path_, ": already closed"));
  if (first > last || last > batch.num_texts()) {
    return absl::OutOfRangeError("ShardWriter::Append: documents outside the batch");
  }
  const size_t begin = batch.row_splits[first], end = batch.row_splits[last];
  if (absl::Status s = PackIds(batch, begin, end, id_bytes_, &buffer_); !s.ok()) return s;
  if (!WriteAll(file_, buffer_.data(), buffer_.size())) return Fail("cannot be written");
  if (with_values_) {
    if (batch.values.size() < end) {
      return absl::InvalidArgumentError("ShardWriter::Append: the batch has no values");
    }
    if (!WriteAll(values_, batch.values.data() + begin, (end - begin) * sizeof(float))) {
      return Fail("cannot write its values");
    }
  }
  for (size_t d = first; d < last; ++d) {
    bounds_.push_back(bounds_.back() + (batch.row_splits[d + 1] - batch.row_splits[d]));
  }
  return absl::OkStatus();
}

absl::Status ShardWriter::Close() {
  if (closed_) return absl::OkStatus();
  Header h{};
  std::memcpy(h.magic, kShardMagic, sizeof(h.magic));
  h.version = kShardVersion;
  h.id_bytes = id_bytes_;
  h.flags = with_values_ ? 1u : 0u;
  h.documents = documents();
  h.tokens = tokens();
  h.ids_offset = kHeaderBytes;
  uint64_t at = h.ids_offset + h.tokens * id_bytes_;
  h.bounds_offset = AlignUp(at);
  if (!Pad(file_, at, h.bounds_offset) ||
      !WriteAll(file_, bounds_.data(), bounds_.size() * sizeof(uint64_t))) {
    return Fail("cannot be written");
  }
  at = h.bounds_offset + bounds_.size() * sizeof(uint64_t);
  if (with_values_) {
    h.values_offset = AlignUp(at);
    if (!Pad(file_, at, h.values_offset)) return Fail("cannot be written");
    if (std::fflush(values_) != 0 || std::fseek(values_, 0, SEEK_SET) != 0) {
      return Fail("cannot read its values back");
    }
    char chunk[1 << 16];
    size_t n;
    while ((n = std::fread(chunk, 1, sizeof(chunk), values_)) > 0) {
      if (!WriteAll(file_, chunk, n)) return Fail("cannot be written");
    }
  }
  if (std::fseek(file_, 0, SEEK_SET) != 0 || !WriteAll(file_, &h, sizeof(h)) ||
      std::fflush(file_) != 0 || ::fsync(fileno(file_)) != 0) {
    return Fail("cannot be written");
  }
  std::fclose(file_);
  file_ = nullptr;
  if (std::rename((path_ + ".tmp").c_str(), path_.c_str()) != 0) return Fail("cannot be renamed");
  closed_ = true;
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<ShardReader>> ShardReader::Open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return absl::NotFoundError(absl::StrCat(path, ": cannot be opened"));
  struct stat st;
  if (::fstat(fd, &st) != 0 || static_cast<size_t>(st.st_size) < kHeaderBytes) {
    ::close(fd);
    return absl::InvalidArgumentError(absl::StrCat(path, ": not a shard (too short)"));
  }
  std::unique_ptr<ShardReader> r(new ShardReader());
  r->size_ = static_cast<size_t>(st.st_size);
  r->map_ = ::mmap(nullptr, r->size_, PROT_READ, MAP_SHARED, fd, 0);
  ::close(fd);
  if (r->map_ == MAP_FAILED) {
    r->map_ = nullptr;
    return absl::InvalidArgumentError(absl::StrCat(path, ": cannot be mapped"));
  }
  Header h;
  std::memcpy(&h, r->map_, sizeof(h));
  auto bad = [&](const std::string& why) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": not a valid shard (", why, ")"));
  };
  if (std::memcmp(h.magic, kShardMagic, sizeof(h.magic)) != 0) return bad("no XVALTOK1 magic");
  if (h.version != kShardVersion) return bad(absl::StrCat("version ", h.version));
  if (h.id_bytes != 2 && h.id_bytes != 4) return bad(absl::StrCat("id_bytes ", h.id_bytes));
  const bool values = (h.flags & 1u) != 0;
  // Every section inside the file (sizes checked before they are multiplied past 2^64).
  if (h.tokens > r->size_ || h.documents > r->size_ ||
      h.ids_offset + h.tokens * h.id_bytes > r->size_ || h.bounds_offset % 8 != 0 ||
      h.bounds_offset + (h.documents + 1) * 8 > r->size_ ||
      (values && (h.values_offset % 4 != 0 || h.values_offset + h.tokens * 4 > r->size_))) {
    return bad("a section past the end of the file");
  }
  const auto* base = static_cast<const char*>(r->map_);
  r->documents_ = h.documents;
  r->tokens_ = h.tokens;
  r->id_bytes_ = h.id_bytes;
  r->ids_ = base + h.ids_offset;
  r->bounds_ = reinterpret_cast<const uint64_t*>(base + h.bounds_offset);
  r->values_ = values ? reinterpret_cast<const float*>(base + h.values_offset) : nullptr;
  if (r->bounds_[0] != 0 || r->bounds_[h.documents] != h.tokens) return bad("document bounds");
  for (uint64_t d = 0; d < h.documents; ++d) {
    if (r->bounds_[d] > r->bounds_[d + 1]) return bad("document bounds out of order");
  }
  return r;
}

ShardReader::~ShardReader() {
  if (map_ != nullptr) ::munmap(map_, size_);
}

absl::StatusOr<std::vector<uint32_t>> ShardReader::DocumentIds(uint64_t d) const {
  if (d >= documents_) {
    return absl::OutOfRangeError(absl::StrCat("document ", d, " of ", documents_));
  }
  std::vector<uint32_t> ids;
  ids.reserve(bounds_[d + 1] - bounds_[d]);
  for (uint64_t t = bounds_[d]; t < bounds_[d + 1]; ++t) ids.push_back(id(t));
  return ids;
}

absl::StatusOr<absl::Span<const float>> ShardReader::DocumentValues(uint64_t d) const {
  if (d >= documents_) {
    return absl::OutOfRangeError(absl::StrCat("document ", d, " of ", documents_));
  }
  if (values_ == nullptr) return absl::Span<const float>();
  return absl::Span<const float>(values_ + bounds_[d], bounds_[d + 1] - bounds_[d]);
}

}  // namespace xval::data
