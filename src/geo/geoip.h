// GeoIp: where an address is (city, country) and whose network it is in (the
// ISP or carrier), from the configured City and ASN databases.
//
// Several files may serve one role, tried in order until one has a record:
// ip-location-db, for example, ships IPv4 and IPv6 in separate files. Without
// databases every lookup is empty. Thread-safe once opened.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "geo/geoip_database.h"

namespace rtcstream {

// Where an address is; each field empty when unknown.
struct IpLocation {
  std::optional<std::string> city;
  std::optional<std::string> country;
  std::optional<std::string> organization;
};

class GeoIp {
 public:
  // No databases: every lookup is empty.
  GeoIp() = default;

  // Opens the City databases (MaxMind City or ip-location-db city schema) and
  // the ASN databases. A file that cannot be opened, or whose schema does not
  // fit its role, is an error.
  static Status Open(const std::vector<std::string>& city_paths,
                     const std::vector<std::string>& asn_paths, std::unique_ptr<GeoIp>* geoip);

  // True when at least one database is open.
  bool enabled() const { return !city_.empty() || !asn_.empty(); }

  // The opened databases, City ones first (for start-up logs).
  std::vector<const GeoIpDatabase*> databases() const;

  // Looks up an address given as text; an unparseable address, a private one
  // or one no database knows gives an empty location.
  IpLocation Lookup(std::string_view address) const;

 private:
  std::vector<std::unique_ptr<GeoIpDatabase>> city_;
  std::vector<std::unique_ptr<GeoIpDatabase>> asn_;
};

}  // namespace rtcstream
