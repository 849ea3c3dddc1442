// The input lines of `xval tokenize` and `xval inspect`, read in batches as they arrive: from a
// file, a batch of about kBatchBytes at a time; from a pipe or a terminal, whatever lines have
// arrived, so that each is encoded and printed without waiting for the rest of the input.
// Lines are split as std::getline splits them: at "\n" (kept out of the line; "\r" stays), a
// last line without "\n" is a line, an input ending in "\n" has no empty last line. Memory:
// one batch and one chunk of input, whatever the input's size.
#ifndef XVAL_BINDINGS_CLI_LINE_STREAM_H_
#define XVAL_BINDINGS_CLI_LINE_STREAM_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace xval::cli {

class LineStream {
 public:
  static constexpr size_t kBatchBytes = 2 << 20;

  // `path` empty: standard input. Errors name --input.
  static absl::StatusOr<std::unique_ptr<LineStream>> Open(const std::string& path);
  // An open descriptor (a pipe), not closed by the stream; `name` is for errors.
  static std::unique_ptr<LineStream> FromFd(int fd, const std::string& name) {
    return std::unique_ptr<LineStream>(new LineStream(fd, false, name));
  }
  ~LineStream();
  LineStream(const LineStream&) = delete;
  LineStream& operator=(const LineStream&) = delete;

  // Replaces *lines with the next batch: at least one line, the complete lines read so far up
  // to about kBatchBytes. False at the end of the input.
  absl::StatusOr<bool> Next(std::vector<std::string>* lines);

 private:
  LineStream(int fd, bool owned, std::string name) : fd_(fd), owned_(owned), name_(name) {}
  // Moves the complete lines of buffer_ from start_ into *lines, up to kBatchBytes.
  void TakeLines(std::vector<std::string>* lines);

  int fd_;
  bool owned_;
  std::string name_;
  std::string buffer_;  // read, not yet returned from start_ on
  size_t start_ = 0;
  bool eof_ = false;
};

}  // namespace xval::cli

#endif  // XVAL_BINDINGS_CLI_LINE_STREAM_H_
