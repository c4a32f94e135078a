#include "server/tls_context.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <unistd.h>

#include <boost/asio/ssl/context.hpp>

#include <ctime>
#include <filesystem>
#include <fstream>

namespace rtcstream {
namespace {

// A self-signed certificate and its key, made for the test: nothing is committed.
struct TestCertificate {
  std::string cert_pem;
  std::string key_pem;
  std::string encrypted_key_pem;  // the same key, encrypted with a passphrase
};

std::string BioText(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(size));
  BIO_free(bio);
  return out;
}

TestCertificate MakeCertificate(const std::string& common_name, long serial, int days) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  EXPECT_NE(key, nullptr);
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert), static_cast<long>(days) * 86400);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);
  X509_set_issuer_name(cert, name);
  EXPECT_GT(X509_sign(cert, key, EVP_sha256()), 0);

  TestCertificate out;
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, cert);
  out.cert_pem = BioText(bio);
  bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  out.key_pem = BioText(bio);
  bio = BIO_new(BIO_s_mem());
  char passphrase[] = "test-passphrase";
  PEM_write_bio_PKCS8PrivateKey(bio, key, EVP_aes_128_cbc(), passphrase, sizeof(passphrase) - 1,
                                nullptr, nullptr);
  out.encrypted_key_pem = BioText(bio);
  X509_free(cert);
  EVP_PKEY_free(key);
  return out;
}

class TlsContextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/rtcstream-tls-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    return path;
  }

  // Loads and checks that no error message quotes the key.
  Status Load(const TlsConfig& tls, const std::string& key_pem = "") {
    context_.reset();
    Status s = LoadTlsContext(tls, &context_, &summary_);
    if (!key_pem.empty()) {
      // A line from the middle of the key's base64 body.
      const size_t line = key_pem.find('\n') + 1;
      EXPECT_EQ(s.ToString().find(key_pem.substr(line, 40)), std::string::npos);
    }
    return s;
  }

  std::string dir_;
  std::shared_ptr<boost::asio::ssl::context> context_;
  CertificateSummary summary_;
};

TEST_F(TlsContextTest, LoadsACertificateAndItsKey) {
  const TestCertificate c = MakeCertificate("rtc.example.test", 0x1234, 30);
  TlsConfig tls{Write("cert.pem", c.cert_pem), Write("key.pem", c.key_pem), "1.2"};
  Status s = Load(tls);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_NE(context_, nullptr);
  EXPECT_EQ(summary_.subject, "CN=rtc.example.test");
  EXPECT_EQ(summary_.issuer, "CN=rtc.example.test");
  EXPECT_EQ(summary_.serial, "1234");
  const int64_t expected_expiry = static_cast<int64_t>(std::time(nullptr)) + 30 * 86400;
  EXPECT_NEAR(static_cast<double>(summary_.not_after_unix), static_cast<double>(expected_expiry),
              60.0);
  EXPECT_EQ(summary_.not_after.size(), 20u) << summary_.not_after;
  EXPECT_EQ(SSL_CTX_get_min_proto_version(context_->native_handle()), TLS1_2_VERSION);
  EXPECT_NE(SSL_CTX_get0_certificate(context_->native_handle()), nullptr);
}

TEST_F(TlsContextTest, LoadsIntermediatesAfterTheCertificate) {
  const TestCertificate c = MakeCertificate("leaf.test", 1, 30);
  const TestCertificate intermediate = MakeCertificate("intermediate.test", 2, 30);
  TlsConfig tls{Write("chain.pem", c.cert_pem + intermediate.cert_pem), Write("key.pem", c.key_pem),
                "1.2"};
  Status s = Load(tls);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(summary_.subject, "CN=leaf.test");
  STACK_OF(X509)* chain = nullptr;
  ASSERT_EQ(SSL_CTX_get0_chain_certs(context_->native_handle(), &chain), 1);
  ASSERT_NE(chain, nullptr);
  EXPECT_EQ(sk_X509_num(chain), 1);
}

TEST_F(TlsContextTest, HonoursTheMinimumVersion) {
  const TestCertificate c = MakeCertificate("rtc.example.test", 1, 30);
  TlsConfig tls{Write("cert.pem", c.cert_pem), Write("key.pem", c.key_pem), "1.3"};
  ASSERT_TRUE(Load(tls).ok());
  EXPECT_EQ(SSL_CTX_get_min_proto_version(context_->native_handle()), TLS1_3_VERSION);
}

TEST_F(TlsContextTest, RefusesTheKeyOfAnotherCertificate) {
  const TestCertificate c = MakeCertificate("one.test", 1, 30);
  const TestCertificate other = MakeCertificate("other.test", 2, 30);
  TlsConfig tls{Write("cert.pem", c.cert_pem), Write("key.pem", other.key_pem), "1.2"};
  Status s = Load(tls, other.key_pem);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("does not belong to the certificate"), std::string::npos)
      << s.ToString();
  EXPECT_NE(s.message().find(tls.key_file), std::string::npos) << s.ToString();
  EXPECT_EQ(context_, nullptr);
}

TEST_F(TlsContextTest, RefusesAMissingOrUnreadableFile) {
  const TestCertificate c = MakeCertificate("rtc.example.test", 1, 30);
  TlsConfig tls{dir_ + "/missing.pem", Write("key.pem", c.key_pem), "1.2"};
  Status s = Load(tls, c.key_pem);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("tls.cert_file " + dir_ + "/missing.pem"), std::string::npos)
      << s.ToString();
  EXPECT_NE(s.message().find("No such file"), std::string::npos) << s.ToString();

  // Unreadable: a directory opens, but reading it fails.
  tls.cert_file = dir_;
  s = Load(tls, c.key_pem);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("cannot read: Is a directory"), std::string::npos) << s.ToString();

  tls = {Write("cert.pem", c.cert_pem), dir_ + "/missing-key.pem", "1.2"};
  s = Load(tls);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("tls.key_file"), std::string::npos) << s.ToString();
}

TEST_F(TlsContextTest, RefusesAFileThatIsNotPem) {
  const TestCertificate c = MakeCertificate("rtc.example.test", 1, 30);
  TlsConfig tls{Write("cert.pem", "this is not a certificate\n"), Write("key.pem", c.key_pem),
                "1.2"};
  Status s = Load(tls, c.key_pem);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("no PEM certificate"), std::string::npos) << s.ToString();

  // A damaged second certificate is not silently dropped from the chain.
  tls.cert_file = Write("chain.pem", c.cert_pem +
                                         "-----BEGIN CERTIFICATE-----\nAAAA\n"
                                         "-----END CERTIFICATE-----\n");
  s = Load(tls, c.key_pem);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("after the first one"), std::string::npos) << s.ToString();

  // A certificate where the key should be.
  tls = {Write("cert.pem", c.cert_pem), Write("key.pem", c.cert_pem), "1.2"};
  s = Load(tls);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("no PEM private key"), std::string::npos) << s.ToString();
}

TEST_F(TlsContextTest, RefusesAnEncryptedKeyWithoutAskingForAPassword) {
  const TestCertificate c = MakeCertificate("rtc.example.test", 1, 30);
  TlsConfig tls{Write("cert.pem", c.cert_pem), Write("key.pem", c.encrypted_key_pem), "1.2"};
  Status s = Load(tls, c.encrypted_key_pem);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("encrypted"), std::string::npos) << s.ToString();
}

}  // namespace
}  // namespace rtcstream
