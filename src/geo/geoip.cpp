#include "geo/geoip.h"

namespace rtcstream {

Status GeoIp::Open(const std::vector<std::string>& city_paths,
                   const std::vector<std::string>& asn_paths, std::unique_ptr<GeoIp>* geoip) {
  auto result = std::make_unique<GeoIp>();
  for (const std::string& path : city_paths) {
    std::unique_ptr<GeoIpDatabase> db;
    Status s = GeoIpDatabase::Open(path, &db);
    if (!s.ok()) return s;
    if (db->schema() == GeoIpSchema::kAsn) {
      return Status::InvalidArgument("geoip.city_db " + path +
                                     " is an ASN database; configure it as geoip.asn_db");
    }
    result->city_.push_back(std::move(db));
  }
  for (const std::string& path : asn_paths) {
    std::unique_ptr<GeoIpDatabase> db;
    Status s = GeoIpDatabase::Open(path, &db);
    if (!s.ok()) return s;
    if (db->schema() != GeoIpSchema::kAsn) {
      return Status::InvalidArgument("geoip.asn_db " + path + " is a " +
                                     GeoIpSchemaName(db->schema()) +
                                     " database; configure it as geoip.city_db");
    }
    result->asn_.push_back(std::move(db));
  }
  *geoip = std::move(result);
  return Status::OK();
}

std::vector<const GeoIpDatabase*> GeoIp::databases() const {
  std::vector<const GeoIpDatabase*> all;
  for (const auto& db : city_) all.push_back(db.get());
  for (const auto& db : asn_) all.push_back(db.get());
  return all;
}

IpLocation GeoIp::Lookup(std::string_view address) const {
  IpLocation location;
  if (!enabled()) return location;
  const std::optional<IpAddress> ip = ParseIpAddress(address);
  if (!ip) return location;
  for (const auto& db : city_) {
    GeoRecord record;
    if (!db->Lookup(*ip, &record).ok() || (!record.city && !record.country)) continue;
    location.city = std::move(record.city);
    location.country = std::move(record.country);
    break;
  }
  for (const auto& db : asn_) {
    GeoRecord record;
    if (!db->Lookup(*ip, &record).ok() || !record.organization) continue;
    location.organization = std::move(record.organization);
    break;
  }
  return location;
}

}  // namespace rtcstream
