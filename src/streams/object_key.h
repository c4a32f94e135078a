// Object keys of data stream files, from a template such as
//   "{prefix}{window_start}_{window_end}{ext}"                      (the default)
//   "{prefix}dt={yyyy}-{mm}-{dd}/hour={hh}/{window_start}{ext}"     (Hive-style partitions)
// Keys are deterministic per (project, window), so a retried upload overwrites
// the same object.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "common/time_util.h"

namespace rtcstream {

// The default key template: the seed's "filename prefix" followed by the window.
inline constexpr std::string_view kDefaultKeyTemplate = "{prefix}{window_start}_{window_end}{ext}";

// The values a key template can use.
struct ObjectKeyVars {
  std::string prefix;        // {prefix}
  std::string project;       // {project}
  EpochMs window_start = 0;  // {window_start}, {yyyy} {mm} {dd} {hh}
  EpochMs window_end = 0;    // {window_end}
  std::string ext;           // {ext}: ".json", ".ndjson.gz", ...
};

// Checks that every {name} is known, that the template starts with {prefix}
// (so that every key lies under the prefix, which is what a least-privilege
// bucket policy grants), and that the key names its window ({window_start} or
// {window_end}), so that two windows never share a key.
Status ValidateKeyTemplate(std::string_view key_template);

// Renders a validated template.
std::string RenderObjectKey(std::string_view key_template, const ObjectKeyVars& vars);

}  // namespace rtcstream
