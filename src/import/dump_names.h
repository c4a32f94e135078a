// Room and peer ids for imported dumps, from what a dump names.
#pragma once

#include <string>
#include <string_view>

namespace rtcstream {

// The last non-empty path segment of a URL or path, without query and
// fragment, percent-decoded: "https://meet.jit.si//MyRoom?x=1" -> "MyRoom".
// Empty when the path has no segment ("https://example.com/").
std::string RoomIdFromUrl(std::string_view url);

// The file name of `path` without directories and without the extensions
// ".json", ".txt", ".gz", ".log" (repeated): "/d/alice.json.gz" -> "alice".
std::string DumpFileStem(std::string_view path);

}  // namespace rtcstream
