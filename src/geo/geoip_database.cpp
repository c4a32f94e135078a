#include "geo/geoip_database.h"

#include <maxminddb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "geo/country_names.h"

namespace rtcstream {

namespace {

// The first data record found by a depth-first walk of the search tree, or
// false when the tree has none within `max_nodes` nodes.
bool SampleRecord(const MMDB_s& mmdb, MMDB_entry_s* entry) {
  constexpr size_t kMaxNodes = 100000;
  std::vector<uint32_t> stack = {0};
  for (size_t visited = 0; !stack.empty() && visited < kMaxNodes; ++visited) {
    const uint32_t node_number = stack.back();
    stack.pop_back();
    MMDB_search_node_s node;
    if (MMDB_read_node(&mmdb, node_number, &node) != MMDB_SUCCESS) continue;
    // Right first onto the stack, so that the left branch is walked first.
    const std::pair<uint8_t, uint64_t> sides[] = {{node.right_record_type, node.right_record},
                                                  {node.left_record_type, node.left_record}};
    for (const auto& [type, record] : sides) {
      if (type == MMDB_RECORD_TYPE_SEARCH_NODE) stack.push_back(static_cast<uint32_t>(record));
    }
    if (node.left_record_type == MMDB_RECORD_TYPE_DATA) {
      *entry = node.left_record_entry;
      return true;
    }
    if (node.right_record_type == MMDB_RECORD_TYPE_DATA) {
      *entry = node.right_record_entry;
      return true;
    }
  }
  return false;
}

// True when the record has a value at the path (a null-terminated list of keys).
template <typename... Keys>
bool Has(MMDB_entry_s entry, Keys... keys) {
  MMDB_entry_data_s data;
  return MMDB_get_value(&entry, &data, keys..., static_cast<const char*>(nullptr)) ==
             MMDB_SUCCESS &&
         data.has_data;
}

// The non-empty string at the path, if any.
template <typename... Keys>
std::optional<std::string> StringAt(MMDB_entry_s entry, Keys... keys) {
  MMDB_entry_data_s data;
  if (MMDB_get_value(&entry, &data, keys..., static_cast<const char*>(nullptr)) != MMDB_SUCCESS ||
      !data.has_data || data.type != MMDB_DATA_TYPE_UTF8_STRING || data.data_size == 0) {
    return std::nullopt;
  }
  return std::string(data.utf8_string, data.data_size);
}

// The unsigned integer at the path, if any.
template <typename... Keys>
std::optional<uint64_t> UintAt(MMDB_entry_s entry, Keys... keys) {
  MMDB_entry_data_s data;
  if (MMDB_get_value(&entry, &data, keys..., static_cast<const char*>(nullptr)) != MMDB_SUCCESS ||
      !data.has_data) {
    return std::nullopt;
  }
  switch (data.type) {
    case MMDB_DATA_TYPE_UINT16:
      return data.uint16;
    case MMDB_DATA_TYPE_UINT32:
      return data.uint32;
    case MMDB_DATA_TYPE_UINT64:
      return data.uint64;
    default:
      return std::nullopt;
  }
}

std::optional<std::string> CountryFromCode(const std::optional<std::string>& code) {
  if (!code) return std::nullopt;
  const std::optional<std::string_view> name = CountryName(*code);
  // A code the table does not know is still more useful than nothing.
  return name ? std::string(*name) : *code;
}

// A country map of MaxMind's schema: its English name, else its ISO code's.
std::optional<std::string> MaxMindCountry(MMDB_entry_s entry, const char* key) {
  if (auto name = StringAt(entry, key, "names", "en")) return name;
  return CountryFromCode(StringAt(entry, key, "iso_code"));
}

GeoRecord ReadRecord(GeoIpSchema schema, MMDB_entry_s entry) {
  GeoRecord record;
  switch (schema) {
    case GeoIpSchema::kMaxMindCity:
      record.city = StringAt(entry, "city", "names", "en");
      record.country = MaxMindCountry(entry, "country");
      // Addresses without a located country (satellite, anycast) still have the
      // country the network is registered in.
      if (!record.country) record.country = MaxMindCountry(entry, "registered_country");
      break;
    case GeoIpSchema::kAsn:
      record.organization = StringAt(entry, "isp");
      if (!record.organization) {
        record.organization = StringAt(entry, "autonomous_system_organization");
      }
      if (!record.organization) {
        if (auto number = UintAt(entry, "autonomous_system_number")) {
          record.organization = "AS" + std::to_string(*number);
        }
      }
      break;
    case GeoIpSchema::kFlatCity:
      record.city = StringAt(entry, "city");
      record.country = CountryFromCode(StringAt(entry, "country_code"));
      break;
  }
  return record;
}

}  // namespace

const char* GeoIpSchemaName(GeoIpSchema schema) {
  switch (schema) {
    case GeoIpSchema::kMaxMindCity:
      return "maxmind-city";
    case GeoIpSchema::kAsn:
      return "asn";
    case GeoIpSchema::kFlatCity:
      return "ip-location-db-city";
  }
  return "unknown";
}

struct GeoIpDatabase::Impl {
  std::string path;
  MMDB_s mmdb{};
  bool open = false;
  GeoIpSchema schema = GeoIpSchema::kMaxMindCity;

  ~Impl() {
    if (open) MMDB_close(&mmdb);
  }
};

GeoIpDatabase::GeoIpDatabase(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GeoIpDatabase::~GeoIpDatabase() = default;

Status GeoIpDatabase::Open(const std::string& path, std::unique_ptr<GeoIpDatabase>* db) {
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  const int rc = MMDB_open(path.c_str(), MMDB_MODE_MMAP, &impl->mmdb);
  if (rc != MMDB_SUCCESS) {
    std::string reason = MMDB_strerror(rc);
    if (rc == MMDB_FILE_OPEN_ERROR || rc == MMDB_IO_ERROR) {
      reason += std::string(" (") + std::strerror(errno) + ")";
    }
    return Status::IOError("GeoIP database " + path + ": " + reason);
  }
  impl->open = true;
  // One record tells the layout; every record of a database shares it.
  MMDB_entry_s sample{};
  const std::string type =
      impl->mmdb.metadata.database_type ? impl->mmdb.metadata.database_type : "";
  if (!SampleRecord(impl->mmdb, &sample)) {
    impl->schema =
        type.find("ASN") != std::string::npos ? GeoIpSchema::kAsn : GeoIpSchema::kMaxMindCity;
  } else if (Has(sample, "country_code") || StringAt(sample, "city")) {
    impl->schema = GeoIpSchema::kFlatCity;
  } else if (Has(sample, "autonomous_system_number") ||
             Has(sample, "autonomous_system_organization") || Has(sample, "isp")) {
    impl->schema = GeoIpSchema::kAsn;
  } else if (Has(sample, "country") || Has(sample, "registered_country") || Has(sample, "city") ||
             Has(sample, "continent")) {
    impl->schema = GeoIpSchema::kMaxMindCity;
  } else {
    return Status::InvalidArgument("GeoIP database " + path + " (" + type +
                                   ") has neither MaxMind's City or ASN fields nor "
                                   "ip-location-db's city and country_code");
  }
  db->reset(new GeoIpDatabase(std::move(impl)));
  return Status::OK();
}

const std::string& GeoIpDatabase::path() const { return impl_->path; }

GeoIpSchema GeoIpDatabase::schema() const { return impl_->schema; }

std::string GeoIpDatabase::database_type() const {
  const char* type = impl_->mmdb.metadata.database_type;
  return type ? type : "";
}

Status GeoIpDatabase::Lookup(const IpAddress& address, GeoRecord* record) const {
  *record = GeoRecord();
  sockaddr_storage storage{};
  if (address.is_v4) {
    auto* in = reinterpret_cast<sockaddr_in*>(&storage);
    in->sin_family = AF_INET;
    std::memcpy(&in->sin_addr, address.bytes.data(), 4);
  } else {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&storage);
    in6->sin6_family = AF_INET6;
    std::memcpy(&in6->sin6_addr, address.bytes.data(), 16);
  }
  int error = MMDB_SUCCESS;
  MMDB_lookup_result_s result =
      MMDB_lookup_sockaddr(&impl_->mmdb, reinterpret_cast<const sockaddr*>(&storage), &error);
  if (error == MMDB_IPV6_LOOKUP_IN_IPV4_DATABASE_ERROR) {
    return Status::NotFound("IPv6 address in an IPv4 database");
  }
  if (error != MMDB_SUCCESS) {
    return Status::Corruption("GeoIP database " + impl_->path + ": " + MMDB_strerror(error));
  }
  if (!result.found_entry) return Status::NotFound("no record for the address");
  *record = ReadRecord(impl_->schema, result.entry);
  return Status::OK();
}

}  // namespace rtcstream
