#include "line_stream.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace xval::cli {
namespace {
// Bytes asked of read() at a time: a file gives that much, a pipe what has arrived.
constexpr size_t kChunk = LineStream::kBatchBytes;
}  // namespace

absl::StatusOr<std::unique_ptr<LineStream>> LineStream::Open(const std::string& path) {
  if (path.empty()) return std::unique_ptr<LineStream>(new LineStream(0, false, "stdin"));
  struct stat st;
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--input: ", path, " is a directory; it takes a text file, one text a line"));
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return absl::NotFoundError(
        absl::StrCat("--input: ", path, ": cannot be opened (", std::strerror(errno), ")"));
  }
  return std::unique_ptr<LineStream>(new LineStream(fd, true, path));
}

LineStream::~LineStream() {
  if (owned_) ::close(fd_);
}

void LineStream::TakeLines(std::vector<std::string>* lines) {
  size_t taken = 0;
  while (taken < kBatchBytes) {
    const size_t newline = buffer_.find('\n', start_);
    if (newline == std::string::npos) break;
    lines->emplace_back(buffer_, start_, newline - start_);
    taken += newline + 1 - start_;
    start_ = newline + 1;
  }
}

absl::StatusOr<bool> LineStream::Next(std::vector<std::string>* lines) {
  lines->clear();
  while (true) {
    TakeLines(lines);
    if (!lines->empty()) return true;
    // No complete line: drop what was returned, then read more (or finish).
    buffer_.erase(0, start_);
    start_ = 0;
    if (eof_) {
      if (buffer_.empty()) return false;
      lines->push_back(std::move(buffer_));  // the last line, without "\n"
      buffer_.clear();
      return true;
    }
    const size_t size = buffer_.size();
    buffer_.resize(size + kChunk);
    ssize_t n;
    do {
      n = ::read(fd_, buffer_.data() + size, kChunk);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
      return absl::DataLossError(absl::StrCat("--input: ", name_, ": ", std::strerror(errno)));
    }
    buffer_.resize(size + static_cast<size_t>(n));
    eof_ = n == 0;
  }
}

}  // namespace xval::cli
