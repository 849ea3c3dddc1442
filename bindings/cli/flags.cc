#include "flags.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace xval::cli {
namespace {

std::string Normalize(std::string name) {
  std::replace(name.begin(), name.end(), '_', '-');
  return name;
}

absl::Status CheckValue(const FlagSpec& spec, const std::string& value) {
  switch (spec.kind) {
    case FlagSpec::Kind::kInt: {
      int v;
      if (!absl::SimpleAtoi(value, &v)) {
        return absl::InvalidArgumentError(
            absl::StrCat("--", spec.name, ": \"", value, "\" is not an integer"));
      }
      return absl::OkStatus();
    }
    case FlagSpec::Kind::kDouble: {
      double v;
      if (!absl::SimpleAtod(value, &v)) {
        return absl::InvalidArgumentError(
            absl::StrCat("--", spec.name, ": \"", value, "\" is not a number"));
      }
      return absl::OkStatus();
    }
    case FlagSpec::Kind::kBool:
      if (value != "true" && value != "false") {
        return absl::InvalidArgumentError(
            absl::StrCat("--", spec.name, ": \"", value, "\" is not true or false"));
      }
      return absl::OkStatus();
    case FlagSpec::Kind::kString:
      return absl::OkStatus();
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Flags> Flags::Parse(const std::vector<std::string>& args,
                                   const std::vector<FlagSpec>& specs) {
  Flags flags;
  for (const FlagSpec& spec : specs) {
    flags.values_[spec.name] = spec.kind == FlagSpec::Kind::kBool && spec.default_value.empty()
                                   ? "false"
                                   : spec.default_value;
  }
  auto find = [&](const std::string& name) -> const FlagSpec* {
    for (const FlagSpec& spec : specs) {
      if (spec.name == name) return &spec;
    }
    return nullptr;
  };
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (!absl::StartsWith(arg, "--") || arg.size() == 2) {
      return absl::InvalidArgumentError(
          absl::StrCat("unexpected argument \"", arg, "\" (flags start with --)"));
    }
    std::string name = arg.substr(2);
    std::string value;
    bool has_value = false;
    if (const size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
      has_value = true;
    }
    const std::string written = "--" + name;
    name = Normalize(name);
    const FlagSpec* spec = find(name);
    if (spec == nullptr && absl::StartsWith(name, "no-") && !has_value) {
      spec = find(name.substr(3));
      if (spec != nullptr && spec->kind == FlagSpec::Kind::kBool) {
        flags.values_[spec->name] = "false";
        flags.spelling_[spec->name] = written;
        continue;
      }
      spec = nullptr;
    }
    if (spec == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("unknown flag --", name));
    }
    if (!has_value) {
      if (spec->kind == FlagSpec::Kind::kBool) {
        value = "true";
      } else if (i + 1 < args.size()) {
        value = args[++i];
      } else {
        return absl::InvalidArgumentError(absl::StrCat("--", name, " needs a value"));
      }
    }
    if (absl::Status s = CheckValue(*spec, value); !s.ok()) return s;
    flags.values_[spec->name] = value;
    flags.spelling_[spec->name] = written;
  }
  return flags;
}

const std::string& Flags::String(const std::string& name) const { return values_.at(name); }

int Flags::Int(const std::string& name) const {
  int v = 0;
  (void)absl::SimpleAtoi(values_.at(name), &v);
  return v;
}

double Flags::Double(const std::string& name) const {
  double v = 0;
  (void)absl::SimpleAtod(values_.at(name), &v);
  return v;
}

bool Flags::Bool(const std::string& name) const { return values_.at(name) == "true"; }

bool Flags::Given(const std::string& name) const { return spelling_.count(name) != 0; }

std::string Flags::Spelling(const std::string& name) const {
  auto it = spelling_.find(name);
  return it != spelling_.end() ? it->second : "--" + name;
}

std::string FlagHelp(const std::vector<FlagSpec>& specs) {
  std::string out;
  for (const FlagSpec& spec : specs) {
    std::string left = "  --" + spec.name;
    switch (spec.kind) {
      case FlagSpec::Kind::kString:
        left += " TEXT";
        break;
      case FlagSpec::Kind::kInt:
        left += " N";
        break;
      case FlagSpec::Kind::kDouble:
        left += " X";
        break;
      case FlagSpec::Kind::kBool:
        break;
    }
    if (left.size() < 24)
      left.resize(24, ' ');
    else
      left += "\n" + std::string(24, ' ');
    std::string line = left + spec.help;
    if (!spec.default_value.empty()) absl::StrAppend(&line, " (default: ", spec.default_value, ")");
    absl::StrAppend(&out, line, "\n");
  }
  return out;
}

}  // namespace xval::cli
