// The command's flags: each command declares its list (name, default, meaning), which both
// parses its arguments and prints its --help, so the two cannot disagree.
//
// Syntax: --name VALUE or --name=VALUE; a boolean flag alone is true, --no-name false. Names
// may be written with '-' or '_' (--add-bos, --add_bos).
#ifndef XVAL_BINDINGS_CLI_FLAGS_H_
#define XVAL_BINDINGS_CLI_FLAGS_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace xval::cli {

struct FlagSpec {
  enum class Kind { kString, kInt, kDouble, kBool };
  std::string name;  // without "--", words joined by '-'
  Kind kind = Kind::kString;
  std::string default_value;  // as it would be typed; "" for none
  std::string help;
};

// The values of one command's flags, defaults filled in.
class Flags {
 public:
  // Parses `args` (after the command's name) against `specs`. Positional arguments are an
  // error, as are unknown flags, missing values and values of the wrong type.
  static absl::StatusOr<Flags> Parse(const std::vector<std::string>& args,
                                     const std::vector<FlagSpec>& specs);

  const std::string& String(const std::string& name) const;
  int Int(const std::string& name) const;
  double Double(const std::string& name) const;
  bool Bool(const std::string& name) const;
  // True when the flag was given on the command line (not its default).
  bool Given(const std::string& name) const;
  // The flag as the user wrote it ("--kv_cache"), for messages; "--name" when not given.
  std::string Spelling(const std::string& name) const;

 private:
  std::map<std::string, std::string> values_;
  std::map<std::string, std::string> spelling_;  // of the flags given
};

// "  --name VALUE   help (default: X)" lines for --help.
std::string FlagHelp(const std::vector<FlagSpec>& specs);

}  // namespace xval::cli

#endif  // XVAL_BINDINGS_CLI_FLAGS_H_
