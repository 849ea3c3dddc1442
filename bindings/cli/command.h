// The `xval` command's table of commands: each declares its flags once (flags.h), and main.cc
// parses, dispatches and prints --help from the table.
#ifndef XVAL_BINDINGS_CLI_COMMAND_H_
#define XVAL_BINDINGS_CLI_COMMAND_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "flags.h"
#include "xval/tokenizer.h"
#include "xval/xval_tokenizer.h"

namespace xval::cli {

struct Command {
  std::string name;
  std::string summary;      // one line, for `xval --help`
  std::string description;  // a paragraph, for `xval NAME --help`
  std::vector<FlagSpec> flags;
  absl::Status (*run)(const Flags& flags) = nullptr;
};

Command TokenizeCommand();  // tokenize.cc
Command InspectCommand();   // tokenize.cc
Command GenerateCommand();  // generate.cc
Command EncodeCommand();    // encode.cc
// `xval bench ARGS...`: runs the Python package's benchmark (python3 -m xval.bench), which
// parses its own flags (bench.cc). Returns only when it could not be started.
int RunBench(const std::vector<std::string>& args);
// The Python that runs the package's parts of commands: $XVAL_PYTHON, else the python3 beside
// this executable (a virtual environment's bin/), else python3 on the PATH (bench.cc).
std::string PythonExecutable();

// The flags that choose and configure a tokenizer, shared by the commands that load one
// (tokenizer_flags.cc). with_path: include --tokenizer (generate finds it beside the model).
std::vector<FlagSpec> TokenizerFlags(bool with_path);
// The xVal options of --numbers xval and its flags; null without --numbers xval.
absl::StatusOr<std::unique_ptr<XvalOptions>> NumberOptionsFromFlags(const Flags& flags);
// --add-bos, --add-special-tokens and --no-parse-special, shared by the commands that encode,
// and the EncodeOptions they give.
std::vector<FlagSpec> SpecialTokenFlags();
EncodeOptions EncodeOptionsFromFlags(const Flags& flags);
// Loads --tokenizer with the flags' digit and number options.
absl::StatusOr<std::unique_ptr<Tokenizer>> LoadTokenizerFromFlags(const Flags& flags,
                                                                  const std::string& path);
// The shortest decimal that reads back as the same float (values in JSON and --print-ids).
std::string FormatFloat(float v);
// `status` with the flag it concerns in front of its message ("--tokenizer: x.gguf: a GGUF
// file ..."), the flag spelled as the user wrote it.
absl::Status ForFlag(const Flags& flags, const std::string& name, const absl::Status& status);

}  // namespace xval::cli

#endif  // XVAL_BINDINGS_CLI_COMMAND_H_
