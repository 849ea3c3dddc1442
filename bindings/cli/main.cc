// The `xval` command: a table of commands (command.h), each with its own flags and --help.
//
//   xval                      the commands, one line each (also --help)
//   xval --version            the version
//   xval COMMAND --help       the command's flags, their meaning and defaults
//   xval COMMAND [FLAGS]      runs it; errors go to stderr with exit status 1
//   xval bench ARGS...        the Python package's benchmark (bench.cc)
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "command.h"
#include "xval/version.h"

namespace xval::cli {
namespace {

std::vector<Command> Commands() {
  return {TokenizeCommand(), InspectCommand(), EncodeCommand(), GenerateCommand()};
}

void PrintCommands() {
  std::printf(
      "xval %s: numeric-aware tokenization and embedding\n\n"
      "usage: xval COMMAND [FLAGS]\n\ncommands:\n",
      XVAL_VERSION_STRING);
  for (const Command& c : Commands()) {
    std::printf("  %-10s %s\n", c.name.c_str(), c.summary.c_str());
  }
  std::printf("  %-10s %s\n", "bench",
              "tokenizers side by side on a corpus: ids against the references, speed beside "
              "the peers, compression, how numbers are cut (the Python package's xval.bench)");
  std::printf(
      "\n`xval COMMAND --help` lists a command's flags. `xval --version` prints the version.\n");
}

void PrintCommandHelp(const Command& c) {
  std::printf("usage: xval %s [FLAGS]\n\n%s\n\nflags:\n%s", c.name.c_str(), c.description.c_str(),
              FlagHelp(c.flags).c_str());
}

int Run(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    PrintCommands();
    return 0;
  }
  if (args[0] == "--version") {
    std::printf("xval %s\n", XVAL_VERSION_STRING);
    return 0;
  }
  if (args[0] == "bench") return RunBench({args.begin() + 1, args.end()});
  for (const Command& c : Commands()) {
    if (c.name != args[0]) continue;
    std::vector<std::string> rest(args.begin() + 1, args.end());
    for (const std::string& a : rest) {
      if (a == "--help" || a == "-h") {
        PrintCommandHelp(c);
        return 0;
      }
    }
    absl::StatusOr<Flags> flags = Flags::Parse(rest, c.flags);
    absl::Status status = flags.ok() ? c.run(*flags) : flags.status();
    if (!status.ok()) {
      std::fprintf(stderr, "xval %s: %s\n", c.name.c_str(), std::string(status.message()).c_str());
      if (!flags.ok()) std::fprintf(stderr, "(`xval %s --help` lists its flags)\n", c.name.c_str());
      return 1;
    }
    return 0;
  }
  std::string names;
  for (const Command& c : Commands()) absl::StrAppend(&names, names.empty() ? "" : ", ", c.name);
  std::fprintf(stderr, "xval: unknown command \"%s\" (%s; `xval --help` lists them)\n",
               args[0].c_str(), names.c_str());
  return 1;
}

}  // namespace
}  // namespace xval::cli

int main(int argc, char** argv) { return xval::cli::Run(argc, argv); }
