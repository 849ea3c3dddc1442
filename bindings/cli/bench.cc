// `xval bench`: tokenizers side by side on a corpus. The benchmark lives in the Python package
// (xval.bench), where the peers it runs beside xval are (sentencepiece, tokenizers, tiktoken,
// gigatoken, ...): this command runs `PYTHON -m xval.bench ARGS...` in its place, PYTHON being
// $XVAL_PYTHON, else the python3 beside this executable (a virtual environment's bin/), else
// python3 on the PATH.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "command.h"

namespace xval::cli {
namespace {

std::string PythonBesideThisExecutable() {
  char path[4096];
  const ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
  if (n <= 0) return "";
  std::string dir(path, static_cast<size_t>(n));
  dir.resize(dir.rfind('/') + 1);
  const std::string python = dir + "python3";
  return access(python.c_str(), X_OK) == 0 ? python : "";
}

}  // namespace

std::string PythonExecutable() {
  if (const char* env = std::getenv("XVAL_PYTHON"); env != nullptr && *env != '\0') return env;
  const std::string beside = PythonBesideThisExecutable();
  return beside.empty() ? "python3" : beside;
}

int RunBench(const std::vector<std::string>& args) {
  const std::string python = PythonExecutable();
  std::vector<std::string> argv_strings = {python, "-m", "xval.bench"};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_strings) argv.push_back(a.data());
  argv.push_back(nullptr);
  execvp(argv[0], argv.data());
  std::fprintf(stderr,
               "xval bench: cannot run %s (%s): the benchmark is the Python package's "
               "(pip install . puts it beside this command; XVAL_PYTHON names the Python)\n",
               python.c_str(), std::strerror(errno));
  return 1;
}

}  // namespace xval::cli
