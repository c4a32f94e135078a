#include "geo/ip_network.h"

namespace rtcstream {

namespace {

// True when the first `bits` bits of a and b are equal.
bool PrefixEquals(const IpAddress& a, const IpAddress& b, int bits) {
  const int whole_bytes = bits / 8;
  for (int i = 0; i < whole_bytes; ++i) {
    if (a.bytes[i] != b.bytes[i]) return false;
  }
  const int rest = bits % 8;
  if (rest == 0) return true;
  const uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (a.bytes[whole_bytes] & mask) == (b.bytes[whole_bytes] & mask);
}

// `text` in double quotes followed by `message`. Appended piece by piece rather
// than "\"" + std::string(text): GCC 12 at -O3 reports a false -Wrestrict
// overlap for that temporary concatenation.
Status InvalidNetwork(std::string_view text, std::string_view message) {
  std::string out = "\"";
  out.append(text);
  out.push_back('"');
  out.append(message);
  return Status::InvalidArgument(out);
}

}  // namespace

bool IpNetwork::Contains(const IpAddress& address) const {
  return address.is_v4 == base.is_v4 && PrefixEquals(address, base, prefix_length);
}

std::string IpNetwork::ToString() const {
  return base.ToString() + "/" + std::to_string(prefix_length);
}

Status ParseIpNetwork(std::string_view text, IpNetwork* network) {
  const size_t slash = text.find('/');
  const std::optional<IpAddress> address = ParseIpAddress(text.substr(0, slash));
  if (!address) {
    return InvalidNetwork(text, " is not a CIDR network (e.g. \"10.0.0.0/8\" or \"::1/128\")");
  }
  int prefix = address->bit_length();
  if (slash != std::string_view::npos) {
    const std::string_view digits = text.substr(slash + 1);
    // At most three digits: no prefix is longer, and the value cannot overflow.
    bool valid = !digits.empty() && digits.size() <= 3;
    prefix = 0;
    for (size_t i = 0; valid && i < digits.size(); ++i) {
      if (digits[i] < '0' || digits[i] > '9') valid = false;
      prefix = prefix * 10 + (digits[i] - '0');
    }
    if (!valid || prefix > address->bit_length()) {
      return InvalidNetwork(text, " has an invalid prefix length");
    }
  }
  IpNetwork result;
  result.base = *address;
  result.prefix_length = prefix;
  bool host_bits_set = false;
  for (int bit = prefix; bit < address->bit_length(); ++bit) {
    const uint8_t mask = static_cast<uint8_t>(0x80 >> (bit % 8));
    if (result.base.bytes[bit / 8] & mask) host_bits_set = true;
    result.base.bytes[bit / 8] &= static_cast<uint8_t>(~mask);
  }
  // Host bits set (e.g. "10.0.0.1/8") usually means a typo in the prefix.
  if (host_bits_set) {
    return InvalidNetwork(text, " has host bits set; did you mean " + result.ToString() + "?");
  }
  *network = result;
  return Status::OK();
}

}  // namespace rtcstream
