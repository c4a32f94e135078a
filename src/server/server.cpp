#include "server/server.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

#include "common/log.h"
#include "common/percent_encoding.h"
#include "geo/client_address.h"
#include "geo/ip_address.h"
#include "server/connection_limiter.h"
#include "service/collector.h"
#include "service/metrics.h"

namespace rtcstream {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

namespace {

constexpr const char* kSubprotocol = "2.0";

// The two kinds of connection: the session code is the same for both.
using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

template <class Stream>
constexpr bool kIsTls = std::is_same_v<Stream, TlsStream>;

// A new connection's stream; `tls` is the context to handshake with (TLS only).
template <class Stream>
Stream OpenStream(tcp::socket&& socket, ssl::context* tls) {
  if constexpr (kIsTls<Stream>) {
    return Stream(std::move(socket), *tls);
  } else {
    return Stream(std::move(socket));
  }
}

// A short fixed label for a failed TLS handshake (the metric's "reason").
std::string_view TlsFailureReason(const beast::error_code& ec) {
  if (ec == beast::error::timeout) return "timeout";
  if (ec == net::error::eof || ec == ssl::error::stream_truncated ||
      ec == net::error::connection_reset) {
    return "closed";
  }
  if (ec.category() == net::error::get_ssl_category()) {
    const int reason =
        ERR_GET_REASON(static_cast<unsigned long>(static_cast<unsigned>(ec.value())));
    if (reason == SSL_R_HTTP_REQUEST || reason == SSL_R_HTTPS_PROXY_REQUEST ||
        reason == SSL_R_WRONG_VERSION_NUMBER || reason == SSL_R_UNKNOWN_PROTOCOL) {
      return "not_tls";
    }
  }
  return "protocol";
}

std::string_view PathOf(std::string_view target) { return target.substr(0, target.find('?')); }

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Every value of a header field, comma-joined in order: a list header such as
// X-Forwarded-For may be split over several fields.
std::string JoinedField(const http::request<http::string_body>& req, std::string_view name) {
  std::string joined;
  for (auto [it, end] = req.equal_range(name); it != end; ++it) {
    if (!joined.empty()) joined += ',';
    joined += it->value();
  }
  return joined;
}

// The address of the client behind the connection: the socket's peer, or the
// client a trusted proxy names in its forwarding headers.
std::string ClientAddressOf(const http::request<http::string_body>& req,
                            const std::string& socket_address, const ServerOptions& options) {
  if (options.trusted_proxies.empty()) return socket_address;
  const std::string x_forwarded_for = JoinedField(req, "X-Forwarded-For");
  const std::string forwarded = JoinedField(req, "Forwarded");
  return ClientAddress(socket_address, {x_forwarded_for, forwarded}, options.trusted_proxies);
}

// Splits the part of a path after "/rooms/" of the form "<room>/peers/<peer>/series"
// into the decoded ids. Ids are percent-encoded in the path, so neither segment
// holds a '/' of its own.
bool ParseSeriesPath(std::string_view rest, std::string* room_id, std::string* peer_id) {
  constexpr std::string_view kPeers = "/peers/";
  constexpr std::string_view kSeries = "/series";
  const size_t room_end = rest.find('/');
  if (room_end == 0 || room_end == std::string_view::npos) return false;
  if (rest.substr(room_end, kPeers.size()) != kPeers || !EndsWith(rest, kSeries)) return false;
  const size_t peer_start = room_end + kPeers.size();
  if (rest.size() <= peer_start + kSeries.size()) return false;
  const std::string_view peer = rest.substr(peer_start, rest.size() - kSeries.size() - peer_start);
  if (peer.find('/') != std::string_view::npos) return false;
  *room_id = PercentDecode(rest.substr(0, room_end), /*plus_is_space=*/true);
  *peer_id = PercentDecode(peer, /*plus_is_space=*/true);
  return true;
}

std::string ErrorJson(std::string_view message) {
  std::string out = "{\"error\":";
  // Error messages are ours, but may quote client input: escape like any JSON string.
  std::string escaped;
  for (char c : message) {
    if (c == '"' || c == '\\') escaped.push_back('\\');
    if (static_cast<unsigned char>(c) >= 0x20) escaped.push_back(c);
  }
  out += "\"" + escaped + "\"}";
  return out;
}

// One WebSocket connection from an SDK, after the upgrade was accepted.
template <class Stream>
class WebSocketSession : public std::enable_shared_from_this<WebSocketSession<Stream>> {
 public:
  WebSocketSession(Stream&& stream, std::shared_ptr<ssl::context> tls, Collector* collector,
                   const ServerOptions* options, std::unique_ptr<ConnectionLimiter::Slot> slot)
      : ws_(std::move(stream)),
        tls_(std::move(tls)),
        collector_(collector),
        options_(options),
        max_frame_bytes_(options->max_frame_bytes),
        rate_(static_cast<double>(options->max_frames_per_second),
              static_cast<double>(options->max_frame_burst)),
        slot_(std::move(slot)) {}

  void Run(http::request<http::string_body> request, std::string remote) {
    remote_ = std::move(remote);
    ConnectRequest connect;
    connect.api_key = QueryParam(request.target(), "apiKey");
    connect.session_id = QueryParam(request.target(), "sessionId");
    connect.new_connection = QueryParam(request.target(), "newConnection") != "false";
    const std::string ts = QueryParam(request.target(), "timestamp");
    connect.client_timestamp_ms = std::atoll(ts.c_str());
    connect.remote_address = ClientAddressOf(request, remote_, *options_);
    connect.user_agent = std::string(request[http::field::user_agent]);
    accepted_ = collector_->Connect(connect, &connection_, &reply_).ok();

    websocket::stream_base::timeout timeouts;
    timeouts.handshake_timeout = std::chrono::milliseconds(options_->handshake_timeout_ms);
    // Pings keep a live but quiet SDK connected; a dead one is closed after the timeout.
    timeouts.idle_timeout = std::chrono::milliseconds(options_->idle_timeout_ms);
    timeouts.keep_alive_pings = true;
    ws_.set_option(timeouts);
    ws_.read_message_max(max_frame_bytes_);
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
      res.set(http::field::server, "rtcstream");
      res.set(http::field::sec_websocket_protocol, kSubprotocol);
    }));
    ws_.async_accept(
        request, beast::bind_front_handler(&WebSocketSession::OnAccept, this->shared_from_this()));
  }

 private:
  void OnAccept(beast::error_code ec) {
    if (ec) {
      LogWarn("WebSocket handshake failed", {{"remote", remote_}, {"error", ec.message()}});
      Closed();
      return;
    }
    ws_.text(true);
    // Exactly one reply: the SDK treats any later server frame as a new reply.
    ws_.async_write(net::buffer(reply_), beast::bind_front_handler(&WebSocketSession::OnReply,
                                                                   this->shared_from_this()));
  }

  void OnReply(beast::error_code ec, std::size_t) {
    if (ec) {
      Closed();
      return;
    }
    if (!accepted_) {
      // The SDK closes after an error reply; close from our side too in case it does not.
      ws_.async_close(websocket::close_code::policy_error,
                      [self = this->shared_from_this()](beast::error_code) { self->Closed(); });
      return;
    }
    Read();
  }

  void Read() {
    ws_.async_read(buffer_,
                   beast::bind_front_handler(&WebSocketSession::OnRead, this->shared_from_this()));
  }

  void OnRead(beast::error_code ec, std::size_t) {
    if (ec) {
      if (ec == websocket::error::message_too_big) {
        collector_->metrics().LimitHit("max_frame_bytes");
        LogWarn("closed SDK socket: frame larger than the limit",
                {{"remote", remote_}, {"limit_bytes", std::to_string(max_frame_bytes_)}});
      } else if (ec != websocket::error::closed && ec != net::error::eof &&
                 ec != net::error::operation_aborted) {
        // Info level: the client's network, not its address.
        LogInfo("SDK socket ended",
                {{"network", MaskedAddressText(remote_)}, {"reason", ec.message()}});
      }
      Closed();
      return;
    }
    const double now =
        std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
    if (!rate_.Take(now)) {
      collector_->metrics().LimitHit("max_frames_per_second");
      LogWarn("closed SDK socket: more frames per second than the limit",
              {{"remote", remote_},
               {"limit_per_second", std::to_string(options_->max_frames_per_second)},
               {"burst", std::to_string(options_->max_frame_burst)}});
      ws_.async_close(websocket::close_code::policy_error,
                      [self = this->shared_from_this()](beast::error_code) { self->Closed(); });
      return;
    }
    if (!ws_.got_text()) {
      LogWarn("ignored binary frame from SDK socket", {{"remote", remote_}});
    } else {
      const auto data = buffer_.cdata();
      std::string_view frame(static_cast<const char*>(data.data()), data.size());
      Status s = collector_->OnFrame(*connection_, frame);
      if (!s.ok()) {
        LogWarn("rejected SDK frame", {{"remote", remote_}, {"reason", s.ToString()}});
      }
    }
    buffer_.consume(buffer_.size());
    Read();
  }

  void Closed() {
    if (connection_) collector_->Disconnect(*connection_);
  }

  websocket::stream<Stream> ws_;
  std::shared_ptr<ssl::context> tls_;  // the context the connection was opened with
  Collector* collector_;
  const ServerOptions* options_;
  size_t max_frame_bytes_;
  TokenBucket rate_;
  std::unique_ptr<ConnectionLimiter::Slot> slot_;
  beast::flat_buffer buffer_;
  std::string remote_;
  std::string reply_;
  bool accepted_ = false;
  std::shared_ptr<Collector::Connection> connection_;
};

// One HTTP connection: plain requests, or an upgrade handed to WebSocketSession.
// With TLS, the handshake comes first.
template <class Stream>
class HttpSession : public std::enable_shared_from_this<HttpSession<Stream>> {
 public:
  // `tls`: the context to handshake with (TLS only; null for a plain connection).
  HttpSession(tcp::socket&& socket, std::shared_ptr<ssl::context> tls, Collector* collector,
              const ServerOptions* options, std::unique_ptr<ConnectionLimiter::Slot> slot,
              std::string remote)
      : stream_(OpenStream<Stream>(std::move(socket), tls.get())),
        tls_(std::move(tls)),
        collector_(collector),
        options_(options),
        slot_(std::move(slot)),
        remote_(std::move(remote)) {}

  void Run() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&HttpSession::Start, this->shared_from_this()));
  }

 private:
  void Start() {
    // One deadline covers the TLS handshake and the first request (slowloris).
    StartDeadline();
    if constexpr (kIsTls<Stream>) {
      stream_.async_handshake(
          ssl::stream_base::server,
          beast::bind_front_handler(&HttpSession::OnHandshake, this->shared_from_this()));
    } else {
      ReadRequest();
    }
  }

  void OnHandshake(beast::error_code ec) {
    if (ec) {
      // Port scanners, plain-HTTP clients and clients that distrust the certificate
      // end here; only this connection is affected.
      const std::string_view reason = TlsFailureReason(ec);
      collector_->metrics().TlsHandshakeFailed(reason);
      Log(reason == "timeout" || reason == "closed" ? LogLevel::kDebug : LogLevel::kInfo,
          "TLS handshake failed", {{"remote", remote_}, {"reason", ec.message()}});
      return;
    }
    ReadRequest();
  }

  void StartDeadline() {
    beast::get_lowest_layer(stream_).expires_after(
        std::chrono::milliseconds(options_->handshake_timeout_ms));
  }

  // The next request on a kept-alive connection.
  void Read() {
    // Covers slow clients (slowloris): the whole request must arrive in time.
    StartDeadline();
    ReadRequest();
  }

  void ReadRequest() {
    parser_.emplace();
    parser_->body_limit(options_->max_http_body_bytes);
    parser_->header_limit(16 * 1024);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&HttpSession::OnRead, this->shared_from_this()));
  }

  // Ends the connection from our side once everything was written.
  void Close() {
    if constexpr (kIsTls<Stream>) {
      // The TLS close_notify; the client may well close without answering.
      StartDeadline();
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {});
    } else {
      beast::error_code ec;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    }
  }

  void OnRead(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream || ec == net::error::eof) {
      Close();
      return;
    }
    if (ec == http::error::body_limit) {
      collector_->metrics().LimitHit("max_http_body_bytes");
      LogWarn(
          "rejected HTTP request: body larger than the limit",
          {{"remote", remote_}, {"limit_bytes", std::to_string(options_->max_http_body_bytes)}});
      http::response<http::string_body> res{http::status::payload_too_large, 11};
      Finish(std::move(res), ErrorJson("body larger than the limit"), false);
      return;
    }
    if (ec) return;  // timeouts and resets: nothing to answer
    http::request<http::string_body> req = parser_->release();
    if (websocket::is_upgrade(req)) {
      beast::get_lowest_layer(stream_).expires_never();
      std::make_shared<WebSocketSession<Stream>>(std::move(stream_), std::move(tls_), collector_,
                                                 options_, std::move(slot_))
          ->Run(std::move(req), remote_);
      return;
    }
    Handle(std::move(req));
  }

  void Handle(http::request<http::string_body> req) {
    const std::string_view path = PathOf(req.target());
    http::response<http::string_body> res{http::status::ok, req.version()};
    const bool keep_alive = req.keep_alive();
    // The SDK posts from the app's origin: allow any origin, without credentials.
    res.set(http::field::access_control_allow_origin, "*");
    if (req.method() == http::verb::options) {
      res.result(http::status::no_content);
      res.set(http::field::access_control_allow_methods, "GET, POST, OPTIONS");
      res.set(http::field::access_control_allow_headers, "Content-Type");
      res.set(http::field::access_control_max_age, "86400");
      Finish(std::move(res), "", keep_alive);
      return;
    }
    if (req.method() == http::verb::post &&
        (EndsWith(path, "/trace") || EndsWith(path, "/error"))) {
      const std::string_view type = req[http::field::content_type];
      if (type.substr(0, 16) != "application/json") {
        LogWarn("rejected HTTP trace: wrong content type",
                {{"remote", remote_}, {"content_type", std::string(type.substr(0, 100))}});
        res.result(http::status::unsupported_media_type);
        Finish(std::move(res), ErrorJson("Content-Type must be application/json"), keep_alive);
        return;
      }
      Status s = collector_->OnHttpTrace(req.body(), ClientAddressOf(req, remote_, *options_),
                                         req[http::field::user_agent]);
      if (!s.ok()) {
        LogWarn("rejected HTTP trace", {{"remote", remote_}, {"reason", s.ToString()}});
        res.result(s.code() == Status::Code::kPermissionDenied ? http::status::forbidden
                                                               : http::status::bad_request);
        Finish(std::move(res), ErrorJson(s.message()), keep_alive);
        return;
      }
      Finish(std::move(res), "{}", keep_alive);
      return;
    }
    if (req.method() == http::verb::get && path == "/healthz") {
      Finish(std::move(res), "{\"status\":\"ok\"}", keep_alive);
      return;
    }
    if (req.method() == http::verb::get && path == "/readyz") {
      // Ready while the history accepts writes: a load balancer should stop sending
      // peers to a collector that cannot keep what they send.
      const bool ready = collector_->Ready();
      if (!ready) res.result(http::status::service_unavailable);
      Finish(std::move(res), ready ? "{\"status\":\"ready\"}" : "{\"status\":\"not ready\"}",
             keep_alive);
      return;
    }
    if (req.method() == http::verb::get && path == "/metrics") {
      std::string text = collector_->RenderMetrics();
      res.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
      res.body() = std::move(text);
      res.keep_alive(keep_alive);
      res.prepare_payload();
      Write(std::move(res));
      return;
    }
    const bool rooms_api = path.substr(0, 7) == "/rooms/" && path.size() > 7;
    if (req.method() == http::verb::get && (rooms_api || path == "/streams")) {
      // The HTTP API is per project: "Authorization: Bearer <project access token>".
      const std::string_view auth = req[http::field::authorization];
      if (auth.substr(0, 7) != "Bearer " || auth.size() == 7) {
        res.result(http::status::unauthorized);
        res.set(http::field::www_authenticate, "Bearer");
        Finish(std::move(res), ErrorJson("missing access token (Authorization: Bearer ...)"),
               keep_alive);
        return;
      }
      std::string json;
      std::string room_id, peer_id;
      const std::string_view token = auth.substr(7);
      Status s;
      if (!rooms_api) {
        s = collector_->StreamsJson(token, &json);
      } else if (ParseSeriesPath(path.substr(7), &room_id, &peer_id)) {
        s = collector_->PeerSeriesJson(token, room_id, peer_id, &json);
      } else {
        s = collector_->RoomJson(token, PercentDecode(path.substr(7), /*plus_is_space=*/true),
                                 &json);
      }
      if (!s.ok()) {
        if (s.code() == Status::Code::kPermissionDenied) {
          LogWarn("rejected HTTP API request: unknown access token", {{"remote", remote_}});
        }
        res.result(s.code() == Status::Code::kNotFound ? http::status::not_found
                   : s.code() == Status::Code::kPermissionDenied
                       ? http::status::forbidden
                       : http::status::internal_server_error);
        Finish(std::move(res), ErrorJson(s.message()), keep_alive);
        return;
      }
      Finish(std::move(res), std::move(json), keep_alive);
      return;
    }
    res.result(http::status::not_found);
    Finish(std::move(res), ErrorJson("not found"), keep_alive);
  }

  void Finish(http::response<http::string_body> res, std::string body, bool keep_alive) {
    if (!body.empty()) res.set(http::field::content_type, "application/json");
    res.body() = std::move(body);
    res.keep_alive(keep_alive);
    res.prepare_payload();
    Write(std::move(res));
  }

  void Write(http::response<http::string_body> res) {
    res.set(http::field::server, "rtcstream");
    auto sp = std::make_shared<http::response<http::string_body>>(std::move(res));
    http::async_write(stream_, *sp,
                      [self = this->shared_from_this(), sp](beast::error_code ec, std::size_t) {
                        if (ec) return;
                        if (!sp->keep_alive()) {
                          self->Close();
                          return;
                        }
                        self->Read();
                      });
  }

  Stream stream_;
  std::shared_ptr<ssl::context> tls_;  // kept alive while the connection uses it
  Collector* collector_;
  const ServerOptions* options_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::unique_ptr<ConnectionLimiter::Slot> slot_;
  std::string remote_;
};

}  // namespace

struct Server::Impl {
  Impl(Collector* c, ServerOptions o)
      : collector(c),
        options(std::move(o)),
        acceptor(ioc),
        limiter(std::make_shared<ConnectionLimiter>(options.max_connections,
                                                    options.max_connections_per_address)) {}

  void Accept() {
    acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
      if (ec) {
        if (ec == net::error::operation_aborted) return;
        LogWarn("accept failed", {{"error", ec.message()}});
      } else {
        Admit(std::move(socket));
      }
      Accept();
    });
  }

  // Starts serving a new connection, or closes it at once when a connection limit
  // is reached (cheaper than answering, which matters under a flood).
  void Admit(tcp::socket socket) {
    beast::error_code ec;
    const auto endpoint = socket.remote_endpoint(ec);
    std::string remote = ec ? "unknown" : endpoint.address().to_string();
    ConnectionLimiter::Refusal refusal;
    auto slot = limiter->Acquire(remote, &refusal);
    if (!slot) {
      const bool total = refusal == ConnectionLimiter::Refusal::kTotal;
      collector->metrics().LimitHit(total ? "max_connections" : "max_connections_per_address");
      // Logged at most once a second: a flood must not become a log flood.
      const auto now = std::chrono::steady_clock::now();
      if (now - last_refusal_log > std::chrono::seconds(1)) {
        last_refusal_log = now;
        LogWarn(total ? "refused connection: too many open connections"
                      : "refused connection: too many open connections from one address",
                {{"remote", remote},
                 {"limit", std::to_string(total ? options.max_connections
                                                : options.max_connections_per_address)}});
      }
      socket.close(ec);
      return;
    }
    if (options.tls.enabled()) {
      std::make_shared<HttpSession<TlsStream>>(std::move(socket), CurrentTlsContext(), collector,
                                               &options, std::move(slot), std::move(remote))
          ->Run();
    } else {
      std::make_shared<HttpSession<PlainStream>>(std::move(socket), nullptr, collector, &options,
                                                 std::move(slot), std::move(remote))
          ->Run();
    }
  }

  // The context new TLS connections handshake with.
  std::shared_ptr<ssl::context> CurrentTlsContext() {
    std::lock_guard<std::mutex> lock(tls_mu);
    return tls_context;
  }

  // Loads the configured certificate and key; on success, new connections use them.
  Status LoadTls(CertificateSummary* summary) {
    std::shared_ptr<ssl::context> context;
    CertificateSummary loaded;
    Status s = LoadTlsContext(options.tls, &context, &loaded);
    if (!s.ok()) return s;
    collector->metrics().SetTlsCertificateExpiry(loaded.not_after_unix);
    std::lock_guard<std::mutex> lock(tls_mu);
    tls_context = std::move(context);
    certificate = loaded;
    if (summary != nullptr) *summary = std::move(loaded);
    return Status::OK();
  }

  Collector* collector;
  ServerOptions options;
  net::io_context ioc;
  tcp::acceptor acceptor;
  std::shared_ptr<ConnectionLimiter> limiter;
  // Swapped whole on reload; open connections hold on to the one they started with.
  std::mutex tls_mu;
  std::shared_ptr<ssl::context> tls_context;
  CertificateSummary certificate;
  std::chrono::steady_clock::time_point last_refusal_log;
  std::vector<std::thread> threads;
  uint16_t bound_port = 0;
};

Server::Server(Collector* collector, ServerOptions options)
    : impl_(std::make_unique<Impl>(collector, std::move(options))) {}

Server::~Server() { Stop(); }

Status Server::Start() {
  if (impl_->options.tls.enabled()) {
    Status s = impl_->LoadTls(nullptr);
    if (!s.ok()) return s;
  }
  beast::error_code ec;
  const auto address = net::ip::make_address(impl_->options.host, ec);
  if (ec) return Status::InvalidArgument("invalid listen host \"" + impl_->options.host + "\"");
  const tcp::endpoint endpoint(address, impl_->options.port);
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::IOError("cannot listen on " + impl_->options.host + ":" +
                           std::to_string(impl_->options.port) + ": " + ec.message());
  }
  impl_->bound_port = acceptor.local_endpoint().port();
  impl_->Accept();
  const int n = std::max(1, impl_->options.threads);
  for (int i = 0; i < n; ++i) impl_->threads.emplace_back([this] { impl_->ioc.run(); });
  return Status::OK();
}

uint16_t Server::port() const { return impl_->bound_port; }

bool Server::tls() const { return impl_->options.tls.enabled(); }

CertificateSummary Server::certificate() const {
  std::lock_guard<std::mutex> lock(impl_->tls_mu);
  return impl_->certificate;
}

Status Server::ReloadTls(CertificateSummary* summary) {
  if (!tls()) return Status::InvalidArgument("TLS is not configured");
  Status s = impl_->LoadTls(summary);
  impl_->collector->metrics().TlsReloaded(s.ok());
  return s;
}

void Server::Stop() {
  if (impl_->threads.empty()) return;
  beast::error_code ec;
  impl_->acceptor.close(ec);
  impl_->ioc.stop();
  for (auto& t : impl_->threads) t.join();
  impl_->threads.clear();
}

}  // namespace rtcstream
