#include "cli/flags.h"

namespace rtcstream {

Status ParseFlags(const std::vector<std::string>& args, const std::set<std::string>& allowed,
                  std::map<std::string, std::string>* flags) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.size() < 3 || arg.compare(0, 2, "--") != 0) {
      return Status::InvalidArgument("unexpected argument \"" + arg + "\"");
    }
    std::string name = arg.substr(2);
    std::string value;
    const size_t eq = name.find('=');
    if (eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    } else {
      if (i + 1 >= args.size()) return Status::InvalidArgument("--" + name + " needs a value");
      value = args[++i];
    }
    if (allowed.count(name) == 0) return Status::InvalidArgument("unknown flag --" + name);
    (*flags)[name] = value;
  }
  return Status::OK();
}

}  // namespace rtcstream
