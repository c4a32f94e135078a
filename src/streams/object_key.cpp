#include "streams/object_key.h"

namespace rtcstream {

namespace {

// Calls fn(name) for each {name} and fn_text(text) for the text between them.
// Returns false on an unclosed brace.
template <typename OnVar, typename OnText>
bool Scan(std::string_view tmpl, OnVar on_var, OnText on_text) {
  size_t pos = 0;
  while (pos < tmpl.size()) {
    const size_t open = tmpl.find('{', pos);
    if (open == std::string_view::npos) {
      on_text(tmpl.substr(pos));
      break;
    }
    on_text(tmpl.substr(pos, open - pos));
    const size_t close = tmpl.find('}', open);
    if (close == std::string_view::npos) return false;
    on_var(tmpl.substr(open + 1, close - open - 1));
    pos = close + 1;
  }
  return true;
}

bool KnownVar(std::string_view name) {
  for (std::string_view known :
       {"prefix", "project", "yyyy", "mm", "dd", "hh", "window_start", "window_end", "ext"}) {
    if (name == known) return true;
  }
  return false;
}

}  // namespace

Status ValidateKeyTemplate(std::string_view key_template) {
  std::string unknown;
  bool names_window = false;
  const bool closed = Scan(
      key_template,
      [&](std::string_view name) {
        if (!KnownVar(name) && unknown.empty()) unknown = std::string(name);
        if (name == "window_start" || name == "window_end") names_window = true;
      },
      [](std::string_view) {});
  if (!closed) {
    return Status::InvalidArgument("key_template \"" + std::string(key_template) +
                                   "\" has an unclosed {");
  }
  if (!unknown.empty()) {
    return Status::InvalidArgument(
        "key_template uses {" + unknown +
        "}; known: {prefix} {project} {yyyy} {mm} {dd} {hh} {window_start} {window_end} {ext}");
  }
  if (key_template.substr(0, 8) != "{prefix}") {
    return Status::InvalidArgument(
        "key_template \"" + std::string(key_template) +
        "\" must start with {prefix} (which may be empty), so that every key lies under the "
        "prefix a bucket policy grants");
  }
  if (!names_window) {
    return Status::InvalidArgument(
        "key_template must contain {window_start} or {window_end} so that every window has its "
        "own key");
  }
  return Status::OK();
}

std::string RenderObjectKey(std::string_view key_template, const ObjectKeyVars& vars) {
  const std::string start = FormatCompactUtc(vars.window_start);  // 20261123T100000Z
  std::string out;
  Scan(
      key_template,
      [&](std::string_view name) {
        if (name == "prefix") out += vars.prefix;
        if (name == "project") out += vars.project;
        if (name == "yyyy") out += start.substr(0, 4);
        if (name == "mm") out += start.substr(4, 2);
        if (name == "dd") out += start.substr(6, 2);
        if (name == "hh") out += start.substr(9, 2);
        if (name == "window_start") out += start;
        if (name == "window_end") out += FormatCompactUtc(vars.window_end);
        if (name == "ext") out += vars.ext;
      },
      [&](std::string_view text) { out += text; });
  return out;
}

}  // namespace rtcstream
