// Shared by the file-parser fuzz targets: the input as a file (an anonymous in-memory file,
// reached by a /proc/self/fd path, so the loaders run exactly as on a file on disk) and what
// every loaded tokenizer must survive.
#ifndef XVAL_TESTS_FUZZ_FUZZ_FILES_H_
#define XVAL_TESTS_FUZZ_FUZZ_FILES_H_

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_checks.h"
#include "xval/tokenizer.h"

namespace xval::fuzz {

// The bytes as a file for the scope of the object.
class MemFile {
 public:
  MemFile(const uint8_t* data, size_t size) {
    fd_ = memfd_create("xval_fuzz", 0);
    FUZZ_CHECK(fd_ >= 0);
    size_t done = 0;
    while (done < size) {
      const ssize_t n = write(fd_, data + done, size - done);
      FUZZ_CHECK(n > 0);
      done += static_cast<size_t>(n);
    }
    path_ = "/proc/self/fd/" + std::to_string(fd_);
  }
  ~MemFile() { close(fd_); }
  const std::string& path() const { return path_; }

 private:
  int fd_ = -1;
  std::string path_;
};

// A tokenizer that loaded from fuzzed bytes must encode and decode without crashing, and every
// id it gives must be inside its vocabulary.
inline void Exercise(const Tokenizer& tok, const std::string& extra_text) {
  const std::vector<std::string> texts = {"", "Hello world 123,456.78 <s></s>", " \t\n  x",
                                          "\xff\xfe invalid \xc3", extra_text};
  for (const std::string& text : texts) {
    for (int mode = 0; mode < 3; ++mode) {
      EncodeOptions options;
      options.parse_special = mode != 1;
      options.add_special_tokens = mode == 2;
      auto e = tok.Encode(text, options);
      if (!e.ok()) continue;
      for (int32_t id : e->ids) FUZZ_CHECK(id >= 0 && id < tok.vocab_size());
      for (const Offset& o : e->offsets) FUZZ_CHECK(o.begin <= o.end && o.end <= text.size());
      (void)tok.Decode(e->ids);
    }
  }
  for (int32_t id : {0, 1, tok.vocab_size() - 1, tok.vocab_size(), -1}) {
    (void)tok.IdToPiece(id);
    const int32_t one[] = {id};
    (void)tok.Decode(one);
  }
}

}  // namespace xval::fuzz

#endif  // XVAL_TESTS_FUZZ_FUZZ_FILES_H_
