// GeoIpDatabase: one MaxMind DB (.mmdb) file, opened once and read by lookups
// from any thread (libmaxminddb only reads the memory-mapped file).
//
// The schema is detected from the file's own records when it is opened, so
// that the common databases work without configuration:
//   - MaxMind's GeoIP2/GeoLite2 City (and Country): nested maps such as
//     city.names.en and country.names.en;
//   - MaxMind's GeoLite2/GeoIP2 ASN and ISP: autonomous_system_organization
//     (and isp);
//   - the flat city schema of ip-location-db: city, country_code, state1, ...
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "common/status.h"
#include "geo/ip_address.h"

namespace rtcstream {

// The record layouts rtcstream reads.
enum class GeoIpSchema {
  kMaxMindCity,  // city.names.en, country.names.en, ...
  kAsn,          // autonomous_system_organization, autonomous_system_number (isp)
  kFlatCity,     // ip-location-db: city, country_code, ...
};

// The name of a schema, for logs and errors.
const char* GeoIpSchemaName(GeoIpSchema schema);

// What a database says about an address; fields it does not have stay empty.
struct GeoRecord {
  std::optional<std::string> city;          // English name
  std::optional<std::string> country;       // English name
  std::optional<std::string> organization;  // the ISP or carrier (ASN schema)
};

class GeoIpDatabase {
 public:
  // Opens and memory-maps the file and detects its schema.
  static Status Open(const std::string& path, std::unique_ptr<GeoIpDatabase>* db);
  ~GeoIpDatabase();
  GeoIpDatabase(const GeoIpDatabase&) = delete;
  GeoIpDatabase& operator=(const GeoIpDatabase&) = delete;

  const std::string& path() const;
  GeoIpSchema schema() const;
  // The file's own description of itself ("GeoLite2-City", "city ipv4").
  std::string database_type() const;

  // Looks the address up. NotFound when the database has no record for it
  // (including an IPv6 address in an IPv4-only database); the record's fields
  // are set as far as the record has them. Thread-safe.
  Status Lookup(const IpAddress& address, GeoRecord* record) const;

 private:
  struct Impl;
  explicit GeoIpDatabase(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace rtcstream
