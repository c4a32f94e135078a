// TlsContext: builds the server's TLS context from a PEM certificate chain and
// its private key, checking both before anything is served with them.
//
// Errors name the file and OpenSSL's reason; they never contain key material.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "service/config.h"

// Defined by Boost.Asio; only the .cpp files that use a context include it.
namespace boost::asio::ssl {
class context;
}

namespace rtcstream {

// What may be shown about a loaded certificate (the log prints it on start and
// reload): public fields only.
struct CertificateSummary {
  std::string subject;         // RFC 2253, e.g. "CN=rtc.example.com,O=Example"
  std::string issuer;          // RFC 2253
  std::string serial;          // hexadecimal
  std::string not_after;       // ISO 8601 UTC, e.g. "2027-11-25T10:00:00Z"
  int64_t not_after_unix = 0;  // the same, in seconds since the epoch
};

// Reads `tls.cert_file` (the certificate, then its intermediates) and
// `tls.key_file`, and builds a server context that accepts TLS `tls.min_version`
// and newer. Fails when a file cannot be read, is not PEM, the key is encrypted,
// or the key does not belong to the certificate.
Status LoadTlsContext(const TlsConfig& tls, std::shared_ptr<boost::asio::ssl::context>* context,
                      CertificateSummary* summary);

}  // namespace rtcstream
