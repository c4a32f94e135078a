#include "loadgen/sim_peer.h"

#include <simdjson.h>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include <algorithm>
#include <chrono>

namespace rtcstream {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

constexpr auto kConnectTimeout = std::chrono::seconds(10);
constexpr const char* kSubprotocol = "2.0";

double MsSince(LoadClock::time_point t) {
  return std::chrono::duration<double, std::milli>(LoadClock::now() - t).count();
}

}  // namespace

SimPeer::SimPeer(net::io_context& ioc, LoadRun* run, const ConnectionScript* script, int index,
                 std::string target, std::vector<std::pair<size_t, std::string>> overrides,
                 LoadClock::time_point start_at)
    : ws_(net::make_strand(ioc)),
      timer_(ws_.get_executor()),
      run_(run),
      script_(script),
      index_(index),
      target_(std::move(target)),
      overrides_(std::move(overrides)),
      start_at_(start_at) {
  host_ = run->endpoint().address().to_string() + ":" + std::to_string(run->endpoint().port());
}

void SimPeer::Start() {
  timer_.expires_at(start_at_);
  timer_.async_wait(beast::bind_front_handler(&SimPeer::OnStartTime, shared_from_this()));
}

void SimPeer::OnStartTime(beast::error_code ec) {
  if (ec || LoadClock::now() >= run_->stop_at()) {
    run_->counters().not_started++;
    Finish();
    return;
  }
  connect_started_ = LoadClock::now();
  beast::get_lowest_layer(ws_).expires_after(kConnectTimeout);
  beast::get_lowest_layer(ws_).async_connect(
      run_->endpoint(), beast::bind_front_handler(&SimPeer::OnConnect, shared_from_this()));
}

void SimPeer::OnConnect(beast::error_code ec) {
  if (ec) {
    run_->counters().connect_errors++;
    run_->OnHandshakeDone(index_, false, 0);
    Abort();
    return;
  }
  beast::get_lowest_layer(ws_).expires_never();
  beast::get_lowest_layer(ws_).socket().set_option(tcp::no_delay(true), ec);  // as browsers do
  websocket::stream_base::timeout timeout;
  timeout.handshake_timeout = kConnectTimeout;
  timeout.idle_timeout = websocket::stream_base::none();
  timeout.keep_alive_pings = false;
  ws_.set_option(timeout);
  const std::string user_agent = script_->user_agent;
  ws_.set_option(websocket::stream_base::decorator([user_agent](websocket::request_type& req) {
    req.set(beast::http::field::user_agent, user_agent);
    req.set(beast::http::field::sec_websocket_protocol, kSubprotocol);
  }));
  ws_.async_handshake(response_, host_, target_,
                      beast::bind_front_handler(&SimPeer::OnHandshake, shared_from_this()));
}

void SimPeer::OnHandshake(beast::error_code ec) {
  if (ec || response_[beast::http::field::sec_websocket_protocol] != kSubprotocol) {
    run_->counters().handshake_errors++;
    run_->OnHandshakeDone(index_, false, 0);
    Abort();
    return;
  }
  ws_.async_read(buffer_, beast::bind_front_handler(&SimPeer::OnReply, shared_from_this()));
}

void SimPeer::OnReply(beast::error_code ec, std::size_t) {
  if (ec) {
    run_->counters().handshake_errors++;
    run_->OnHandshakeDone(index_, false, 0);
    Abort();
    return;
  }
  const std::string reply = beast::buffers_to_string(buffer_.cdata());
  buffer_.consume(buffer_.size());
  // {"connectionId": ..., "interval": ...} accepts; {"error": ...} rejects.
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  simdjson::dom::element id;
  if (parser.parse(reply).get_object().get(obj) != simdjson::SUCCESS ||
      obj["error"].error() == simdjson::SUCCESS ||
      obj["connectionId"].get(id) != simdjson::SUCCESS) {
    run_->counters().rejected++;
    run_->OnHandshakeDone(index_, false, MsSince(connect_started_));
    Abort();
    return;
  }
  run_->counters().connected++;
  run_->OnHandshakeDone(index_, true, MsSince(connect_started_));
  ws_.text(true);
  ws_.control_callback([this](websocket::frame_type kind, beast::string_view) {
    if (kind == websocket::frame_type::pong) OnPong();
  });
  ReadUntilClosed();
  due_ = LoadClock::now();
  if (due_ < run_->send_from()) {
    // Loop mode before every peer connected: the first frame waits.
    timer_.expires_at(run_->send_from());
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec || self->gone_) return;
      self->due_ = LoadClock::now();
      self->ScheduleNext();
    });
    return;
  }
  ScheduleNext();
}

// The server sends nothing after its reply; a read stays pending to notice a
// close from its side (and to answer pings).
void SimPeer::ReadUntilClosed() {
  ws_.async_read(buffer_, beast::bind_front_handler(&SimPeer::OnServerRead, shared_from_this()));
}

void SimPeer::OnServerRead(beast::error_code ec, std::size_t) {
  if (closing_ || gone_) return;
  if (!ec) {
    buffer_.consume(buffer_.size());
    ReadUntilClosed();
    return;
  }
  run_->counters().closed_by_server++;
  gone_ = true;
  timer_.cancel();
  beast::get_lowest_layer(ws_).close();
  Finish();
}

const ScriptFrame& SimPeer::NextFrame() const {
  return in_cycle_ ? script_->frames[script_->cycle[cycle_pos_]] : script_->frames[next_];
}

const std::string& SimPeer::NextText() const {
  const size_t i = in_cycle_ ? script_->cycle[cycle_pos_] : next_;
  for (const auto& [index, text] : overrides_) {
    if (index == i) return text;
  }
  return script_->frames[i].text;
}

void SimPeer::ScheduleNext() {
  const LoadClock::time_point now = LoadClock::now();
  if (now >= run_->stop_at()) {
    Close();
    return;
  }
  if (!in_cycle_ && next_ == script_->frames.size()) {
    in_cycle_ = true;
    cycle_pos_ = 0;
  }
  idle_ = in_cycle_ && script_->cycle.empty();
  if (run_->options().mode == PaceMode::kLoop && !idle_) {
    Send();
    return;
  }
  if (!idle_) {
    const double gap_ms = in_cycle_ ? script_->cycle_gap_ms[cycle_pos_] : NextFrame().gap_ms;
    due_ += std::chrono::duration_cast<LoadClock::duration>(
        std::chrono::duration<double, std::milli>(gap_ms / run_->options().speedup));
  }
  timer_.expires_at(idle_ ? run_->stop_at() : std::min(due_, run_->stop_at()));
  timer_.async_wait(beast::bind_front_handler(&SimPeer::OnDue, shared_from_this()));
}

void SimPeer::OnDue(beast::error_code ec) {
  if (ec || gone_) return;  // cancelled: the server closed the socket
  if (idle_ || LoadClock::now() >= run_->stop_at()) {
    Close();
    return;
  }
  Send();
}

void SimPeer::Send() {
  ws_.async_write(net::buffer(NextText()),
                  beast::bind_front_handler(&SimPeer::OnWrite, shared_from_this()));
}

void SimPeer::OnWrite(beast::error_code ec, std::size_t bytes) {
  if (gone_) return;
  if (ec) {
    run_->counters().write_errors++;
    gone_ = true;
    Abort();
    return;
  }
  const ScriptFrame& frame = NextFrame();
  LoadCounters& c = run_->counters();
  c.frames.fetch_add(1, std::memory_order_relaxed);
  c.tuples.fetch_add(frame.tuples, std::memory_order_relaxed);
  c.getstats.fetch_add(frame.getstats, std::memory_order_relaxed);
  c.bytes.fetch_add(bytes, std::memory_order_relaxed);
  if (in_cycle_) {
    cycle_pos_ = (cycle_pos_ + 1) % script_->cycle.size();
  } else {
    ++next_;
  }
  if (run_->options().mode == PaceMode::kLoop && ++since_ping_ >= run_->options().window / 2) {
    since_ping_ = 0;
    ++pings_out_;  // before the write: the pong may be read before OnPing runs
    ws_.async_ping({}, beast::bind_front_handler(&SimPeer::OnPing, shared_from_this()));
    return;
  }
  ScheduleNext();
}

void SimPeer::OnPing(beast::error_code ec) {
  if (gone_) return;
  if (ec) {
    run_->counters().write_errors++;
    gone_ = true;
    Abort();
    return;
  }
  if (pings_out_ >= 2) {
    waiting_pong_ = true;  // a whole window is unread: OnPong resumes
    return;
  }
  ScheduleNext();
}

// Called from inside the pending read: the next write starts after it returns.
void SimPeer::OnPong() {
  if (pings_out_ > 0) --pings_out_;
  if (!waiting_pong_ || closing_ || gone_) return;
  waiting_pong_ = false;
  net::post(ws_.get_executor(), [self = shared_from_this()] {
    if (!self->gone_) self->ScheduleNext();
  });
}

void SimPeer::Close() {
  closing_ = true;
  websocket::stream_base::timeout timeout;
  timeout.handshake_timeout =
      std::chrono::milliseconds(static_cast<int64_t>(run_->options().drain_timeout_s * 1000));
  timeout.idle_timeout = websocket::stream_base::none();
  timeout.keep_alive_pings = false;
  ws_.set_option(timeout);
  ws_.async_close(websocket::close_code::normal,
                  beast::bind_front_handler(&SimPeer::OnClose, shared_from_this()));
}

void SimPeer::OnClose(beast::error_code ec) {
  if (ec) {
    run_->counters().close_errors++;
    beast::get_lowest_layer(ws_).close();
  } else {
    run_->counters().closed++;
    run_->OnClosed();
  }
  Finish();
}

void SimPeer::Abort() {
  timer_.cancel();
  beast::get_lowest_layer(ws_).close();
  Finish();
}

void SimPeer::Finish() {
  if (finished_) return;
  finished_ = true;
  run_->OnPeerFinished();
}

}  // namespace rtcstream
