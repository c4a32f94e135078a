// SimPeer: one simulated watchRTC SDK page. It opens the SDK's WebSocket
// (subprotocol "2.0"), waits for the one JSON reply, then sends the frames of
// its script: the recorded call, then its getstats deltas again and again,
// paced like the recording (replay mode) or as fast as the socket takes them
// (loop mode, with at most --window frames the server has not read yet, told
// by WebSocket pings). When the run's stop time comes it closes with a closing
// handshake; the server answers that only after it has handled every frame
// sent before, so the last close marks when the server caught up.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "loadgen/load_run.h"
#include "loadgen/peer_script.h"

namespace rtcstream {

class SimPeer : public std::enable_shared_from_this<SimPeer> {
 public:
  // `target` is the upgrade request's path and query; `overrides` replace the
  // script frames at the given indices (the rewritten `watchrtc` frame).
  SimPeer(boost::asio::io_context& ioc, LoadRun* run, const ConnectionScript* script, int index,
          std::string target, std::vector<std::pair<size_t, std::string>> overrides,
          LoadClock::time_point start_at);

  // Connects at the start time given to the constructor.
  void Start();

 private:
  void OnStartTime(boost::beast::error_code ec);
  void OnConnect(boost::beast::error_code ec);
  void OnHandshake(boost::beast::error_code ec);
  void OnReply(boost::beast::error_code ec, std::size_t bytes);
  void ReadUntilClosed();
  void OnServerRead(boost::beast::error_code ec, std::size_t bytes);
  void ScheduleNext();
  void OnDue(boost::beast::error_code ec);
  void Send();
  void OnWrite(boost::beast::error_code ec, std::size_t bytes);
  void OnPing(boost::beast::error_code ec);
  void OnPong();
  void Close();
  void OnClose(boost::beast::error_code ec);
  void Abort();
  void Finish();

  // The frame that goes out next.
  const ScriptFrame& NextFrame() const;
  const std::string& NextText() const;

  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  boost::asio::steady_timer timer_;
  LoadRun* run_;
  const ConnectionScript* script_;
  int index_;
  std::string host_;
  std::string target_;
  std::vector<std::pair<size_t, std::string>> overrides_;
  LoadClock::time_point start_at_;
  LoadClock::time_point connect_started_;
  LoadClock::time_point due_;

  boost::beast::flat_buffer buffer_;
  boost::beast::websocket::response_type response_;
  // Position in the script: frames[next_] until the call was sent, then
  // frames[cycle[cycle_pos_]].
  size_t next_ = 0;
  bool in_cycle_ = false;
  size_t cycle_pos_ = 0;
  bool idle_ = false;  // nothing left to send: waits for the stop time
  // Loop mode's window: frames since the last ping, pings not yet answered.
  int since_ping_ = 0;
  int pings_out_ = 0;
  bool waiting_pong_ = false;
  bool closing_ = false;
  bool gone_ = false;  // the socket failed or the server closed it
  bool finished_ = false;
};

}  // namespace rtcstream
