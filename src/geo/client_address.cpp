#include "geo/client_address.h"

#include <algorithm>
#include <cctype>

namespace rtcstream {

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// A port ("4711") or, in Forwarded, an obfuscated port ("_abc").
bool ValidPort(std::string_view port) {
  if (port.empty() || port.size() > 32) return false;
  if (port.front() == '_') {
    return std::all_of(port.begin() + 1, port.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
    });
  }
  return port.size() <= 5 &&
         std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Parses one node: an address with an optional port, "unknown" or "_obfuscated".
bool ParseNode(std::string_view node, ForwardedHop* hop) {
  if (node.empty()) return false;
  if (node == "unknown" || node.front() == '_') {
    *hop = std::nullopt;
    return true;
  }
  std::string_view host = node;
  if (node.front() == '[') {
    const size_t close = node.find(']');
    if (close == std::string_view::npos) return false;
    host = node.substr(1, close - 1);
    const std::string_view rest = node.substr(close + 1);
    if (!rest.empty() && (rest.front() != ':' || !ValidPort(rest.substr(1)))) return false;
    const std::optional<IpAddress> address = ParseIpAddress(host);
    // Brackets hold IPv6 only; an IPv4-mapped address counts as IPv6 text here.
    if (!address || host.find(':') == std::string_view::npos) return false;
    *hop = address;
    return true;
  }
  const size_t colon = node.find(':');
  // One colon: IPv4 with a port. More: a bare IPv6 address.
  if (colon != std::string_view::npos && node.find(':', colon + 1) == std::string_view::npos) {
    if (!ValidPort(node.substr(colon + 1))) return false;
    host = node.substr(0, colon);
    const std::optional<IpAddress> address = ParseIpAddress(host);
    if (!address || !address->is_v4) return false;
    *hop = address;
    return true;
  }
  const std::optional<IpAddress> address = ParseIpAddress(host);
  if (!address) return false;
  *hop = address;
  return true;
}

// Splits `s` at `separator` outside quoted strings. False on an unterminated quote.
bool SplitOutsideQuotes(std::string_view s, char separator, std::vector<std::string_view>* parts) {
  bool quoted = false;
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (quoted && s[i] == '\\') {
      ++i;  // the escaped character, whatever it is
    } else if (s[i] == '"') {
      quoted = !quoted;
    } else if (!quoted && s[i] == separator) {
      parts->push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  if (quoted) return false;
  parts->push_back(s.substr(start));
  return true;
}

// The value of a Forwarded parameter: a token, or a quoted string unescaped.
bool ParseParameterValue(std::string_view raw, std::string* value) {
  value->clear();
  if (raw.empty()) return false;
  if (raw.front() != '"') {
    if (raw.find_first_of(" \t\\\"") != std::string_view::npos) return false;
    *value = raw;
    return true;
  }
  if (raw.size() < 2 || raw.back() != '"') return false;
  for (size_t i = 1; i + 1 < raw.size(); ++i) {
    if (raw[i] == '\\') ++i;
    if (i + 1 >= raw.size()) return false;
    value->push_back(raw[i]);
  }
  return true;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool Trusted(const IpAddress& address, const std::vector<IpNetwork>& trusted_proxies) {
  return std::any_of(trusted_proxies.begin(), trusted_proxies.end(),
                     [&](const IpNetwork& n) { return n.Contains(address); });
}

}  // namespace

bool ParseXForwardedFor(std::string_view value, std::vector<ForwardedHop>* hops) {
  hops->clear();
  size_t start = 0;
  while (start <= value.size()) {
    size_t comma = value.find(',', start);
    if (comma == std::string_view::npos) comma = value.size();
    const std::string_view entry = Trim(value.substr(start, comma - start));
    start = comma + 1;
    if (entry.empty()) continue;  // "a,,b": empty list elements are allowed
    ForwardedHop hop;
    if (!ParseNode(entry, &hop)) return false;
    hops->push_back(hop);
  }
  return true;
}

bool ParseForwarded(std::string_view value, std::vector<ForwardedHop>* hops) {
  hops->clear();
  std::vector<std::string_view> elements;
  if (!SplitOutsideQuotes(value, ',', &elements)) return false;
  for (std::string_view element : elements) {
    element = Trim(element);
    if (element.empty()) continue;
    std::vector<std::string_view> pairs;
    if (!SplitOutsideQuotes(element, ';', &pairs)) return false;
    ForwardedHop hop;
    bool has_for = false;
    for (std::string_view pair : pairs) {
      pair = Trim(pair);
      if (pair.empty()) continue;
      const size_t eq = pair.find('=');
      if (eq == std::string_view::npos || eq == 0) return false;
      std::string parameter;
      if (!ParseParameterValue(pair.substr(eq + 1), &parameter)) return false;
      if (!EqualsIgnoreCase(pair.substr(0, eq), "for")) continue;
      if (has_for) return false;  // one for= per element
      has_for = true;
      if (!ParseNode(parameter, &hop)) return false;
    }
    hops->push_back(has_for ? hop : std::nullopt);
  }
  return true;
}

std::string ClientAddress(std::string_view socket_address, const ForwardingHeaders& headers,
                          const std::vector<IpNetwork>& trusted_proxies) {
  const std::optional<IpAddress> peer = ParseIpAddress(socket_address);
  if (!peer) return std::string(socket_address);
  const std::string peer_text = peer->ToString();
  if (!Trusted(*peer, trusted_proxies)) return peer_text;

  std::vector<ForwardedHop> hops;
  bool parsed = false;
  if (!Trim(headers.x_forwarded_for).empty()) {
    parsed = ParseXForwardedFor(headers.x_forwarded_for, &hops);
  } else if (!Trim(headers.forwarded).empty()) {
    parsed = ParseForwarded(headers.forwarded, &hops);
  }
  if (!parsed || hops.empty()) return peer_text;
  for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
    if (!it->has_value()) return peer_text;  // the client is behind a hop we cannot name
    if (!Trusted(**it, trusted_proxies)) return (*it)->ToString();
  }
  // Every hop is a trusted proxy: the left-most one is where the request began.
  return hops.front()->ToString();
}

}  // namespace rtcstream
