#include "server/tls_context.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio/ssl/context.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <vector>

namespace rtcstream {

namespace ssl = boost::asio::ssl;

namespace {

// A certificate chain or a key is a few KiB; anything much larger is not one.
constexpr size_t kMaxPemBytes = 1 << 20;

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

// The file's bytes. Errors name the setting and the file, with the system's reason.
Status ReadPemFile(const std::string& path, std::string_view setting, std::string* out) {
  const std::string where = std::string(setting) + " " + path + ": ";
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return Status::IOError(where + "cannot open: " + std::strerror(errno));
  char buf[4096];
  // Reserved at once so that appending never leaves a copy of a key in freed memory.
  out->clear();
  out->reserve(kMaxPemBytes + sizeof(buf));
  size_t n;
  while (out->size() <= kMaxPemBytes && (n = std::fread(buf, 1, sizeof(buf), f)) > 0) {
    out->append(buf, n);
  }
  OPENSSL_cleanse(buf, sizeof(buf));
  const bool failed = std::ferror(f) != 0;
  const int error = errno;
  std::fclose(f);
  if (failed) return Status::IOError(where + "cannot read: " + std::strerror(error));
  if (out->size() > kMaxPemBytes) return Status::InvalidArgument(where + "larger than 1 MiB");
  return Status::OK();
}

// OpenSSL's reason for the last failure on this thread (never data), and an empty queue.
std::string OpenSslReason() {
  const unsigned long code = ERR_peek_last_error();
  const char* reason = code == 0 ? nullptr : ERR_reason_error_string(code);
  ERR_clear_error();
  return reason != nullptr ? reason : "unknown error";
}

// The password callback of PEM_read_bio_PrivateKey: a service cannot ask for one.
int RefusePassword(char*, int, int, void* asked) {
  *static_cast<bool*>(asked) = true;
  return -1;
}

std::string NameText(const X509_NAME* name) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253) < 0) return {};
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return size > 0 ? std::string(data, static_cast<size_t>(size)) : std::string();
}

std::string SerialText(const X509* cert) {
  BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr);
  if (bn == nullptr) return {};
  char* hex = BN_bn2hex(bn);
  std::string out = hex != nullptr ? hex : "";
  OPENSSL_free(hex);
  BN_free(bn);
  return out;
}

void Summarize(const X509* cert, CertificateSummary* summary) {
  summary->subject = NameText(X509_get_subject_name(cert));
  summary->issuer = NameText(X509_get_issuer_name(cert));
  summary->serial = SerialText(cert);
  std::tm tm{};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm) == 1) {
    summary->not_after_unix = static_cast<int64_t>(timegm(&tm));
    char text[32];
    std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &tm);
    summary->not_after = text;
  }
}

// The leaf certificate and the intermediates that follow it in `pem`.
Status ParseChain(const std::string& pem, const std::string& where, X509Ptr* leaf,
                  std::vector<X509Ptr>* chain) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return Status::IOError(where + "out of memory");
  leaf->reset(PEM_read_bio_X509_AUX(bio.get(), nullptr, nullptr, nullptr));
  if (!*leaf) {
    return Status::InvalidArgument(where + "no PEM certificate (" + OpenSslReason() + ")");
  }
  for (;;) {
    X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert) break;
    chain->push_back(std::move(cert));
  }
  // The loop ends on "no start line" after the last certificate; anything else is damage.
  const unsigned long code = ERR_peek_last_error();
  if (code != 0 &&
      !(ERR_GET_LIB(code) == ERR_LIB_PEM && ERR_GET_REASON(code) == PEM_R_NO_START_LINE)) {
    return Status::InvalidArgument(where + "a certificate after the first one is invalid (" +
                                   OpenSslReason() + ")");
  }
  ERR_clear_error();
  return Status::OK();
}

// The private key in `pem`.
Status ParseKey(const std::string& pem, const std::string& where, PkeyPtr* key) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return Status::IOError(where + "out of memory");
  bool asked_for_password = false;
  key->reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, RefusePassword, &asked_for_password));
  if (*key) return Status::OK();
  const std::string reason = OpenSslReason();
  if (asked_for_password) {
    return Status::InvalidArgument(where +
                                   "the private key is encrypted; give an unencrypted key "
                                   "readable by the service's user only");
  }
  return Status::InvalidArgument(where + "no PEM private key (" + reason + ")");
}

}  // namespace

Status LoadTlsContext(const TlsConfig& tls, std::shared_ptr<ssl::context>* context,
                      CertificateSummary* summary) {
  ERR_clear_error();
  const std::string cert_where = "tls.cert_file " + tls.cert_file + ": ";
  const std::string key_where = "tls.key_file " + tls.key_file + ": ";
  std::string cert_pem, key_pem;
  Status s = ReadPemFile(tls.cert_file, "tls.cert_file", &cert_pem);
  if (!s.ok()) return s;
  X509Ptr leaf;
  std::vector<X509Ptr> chain;
  s = ParseChain(cert_pem, cert_where, &leaf, &chain);
  if (!s.ok()) return s;

  s = ReadPemFile(tls.key_file, "tls.key_file", &key_pem);
  PkeyPtr key;
  if (s.ok()) s = ParseKey(key_pem, key_where, &key);
  // The key's text is no longer needed: do not leave it in freed memory.
  OPENSSL_cleanse(key_pem.data(), key_pem.size());
  if (!s.ok()) return s;

  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = ctx->native_handle();
  // Compression invites CRIME-style attacks; renegotiation lets a client make the
  // server repeat expensive handshakes on one connection.
  SSL_CTX_set_options(
      native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  const int min_version = tls.min_version == "1.3" ? TLS1_3_VERSION : TLS1_2_VERSION;
  if (SSL_CTX_set_min_proto_version(native, min_version) != 1) {
    return Status::InvalidArgument("tls.min_version: " + OpenSslReason());
  }
  if (SSL_CTX_use_certificate(native, leaf.get()) != 1) {
    return Status::InvalidArgument(cert_where + "unusable certificate (" + OpenSslReason() + ")");
  }
  for (const X509Ptr& cert : chain) {
    if (SSL_CTX_add1_chain_cert(native, cert.get()) != 1) {
      return Status::InvalidArgument(cert_where + "unusable intermediate certificate (" +
                                     OpenSslReason() + ")");
    }
  }
  if (SSL_CTX_use_PrivateKey(native, key.get()) != 1 || SSL_CTX_check_private_key(native) != 1) {
    return Status::InvalidArgument(key_where +
                                   "the private key does not belong to the certificate in " +
                                   tls.cert_file + " (" + OpenSslReason() + ")");
  }
  ERR_clear_error();
  Summarize(leaf.get(), summary);
  *context = std::move(ctx);
  return Status::OK();
}

}  // namespace rtcstream
