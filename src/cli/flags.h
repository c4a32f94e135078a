// A small "--name value" / "--name=value" flag reader for the subcommands.
// Hand-written: the few flags we have do not justify a dependency.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"

namespace rtcstream {

// Parses `args` into name -> value. Every flag takes a value; `allowed` lists the
// known names (without "--"). Unknown flags, missing values and positional
// arguments are errors.
Status ParseFlags(const std::vector<std::string>& args, const std::set<std::string>& allowed,
                  std::map<std::string, std::string>* flags);

}  // namespace rtcstream
