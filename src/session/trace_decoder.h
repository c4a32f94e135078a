// TraceDecoder: turns the JSON tuples of one SDK session into TraceHandler calls.
//
// One decoder lives as long as the SDK session (the page's sessionId), across
// reconnects, because getstats deltas are relative to the previous state of the
// same (sessionId, pcId). It is not thread-safe: one session, one caller at a time.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "session/trace_handler.h"

namespace rtcstream {

// The name of the tuple rtcstream adds to a peer's raw trace when a socket
// connects: ["rtcstream:connect", null, {"skewMs": N, ...}, clientMs]. The SDK
// never sends names with a colon.
inline constexpr std::string_view kServerConnectTuple = "rtcstream:connect";

// Tuple names starting with this are rtcstream's own records; clients may not send them.
inline constexpr std::string_view kReservedPrefix = "rtcstream:";

// Where a single tuple comes from: a client (SDK HTTP /trace) or rtcstream itself
// (its own records, a stored trace, an import).
enum class TupleSource { kClient, kTrusted };

// The name of the tuple that opens the trace of an imported dump:
// ["rtcstream:import", null, {"format": F, "file": NAME, "getstats": G}, null].
// G says how the trace's getstats tuples were compressed (DeltaSemantics), so a
// replay of a stored trace decodes it the way the import did.
inline constexpr std::string_view kImportTuple = "rtcstream:import";

// What a report that is absent from a getstats delta means.
enum class DeltaSemantics {
  // The watchRTC SDK leaves out reports whose fields (but the timestamp) did not
  // change: the previous state of the report stays. Also right for full reports.
  kMissingMeansUnchanged,
  // The rtcstats client sends every report still present (an unchanged one as
  // {}): a report left out was removed from the peer connection's stats.
  kMissingMeansRemoved,
};

// The "getstats" value of a kImportTuple for each DeltaSemantics.
inline constexpr std::string_view kMissingMeansUnchangedName = "missing-means-unchanged";
inline constexpr std::string_view kMissingMeansRemovedName = "missing-means-removed";

// Counts of one DecodeFrameJson call.
struct FrameDecodeResult {
  size_t tuples_accepted = 0;
  size_t tuples_rejected = 0;
};

class TraceDecoder {
 public:
  // `semantics` applies to getstats deltas until a kImportTuple names others.
  explicit TraceDecoder(DeltaSemantics semantics = DeltaSemantics::kMissingMeansUnchanged);
  ~TraceDecoder();
  TraceDecoder(const TraceDecoder&) = delete;
  TraceDecoder& operator=(const TraceDecoder&) = delete;

  // Decodes one frame's JSON text: an array of tuples, or a single tuple
  // ([name, pcId|null, data, timestamp]). Valid tuples are reported to `handler`
  // even when others in the same frame are rejected; the returned Status then
  // describes the first rejection. Unknown tuple names are kept (OnRawTuple) and
  // otherwise ignored.
  Status DecodeFrameJson(std::string_view json, TraceHandler* handler, FrameDecodeResult* result);

  // Decodes exactly one tuple (e.g. the `data` of an HTTP /trace request, or one
  // line of a stored trace). A tuple on one line reaches OnRawTuple as it came
  // (trimmed); one spread over several lines is minified.
  Status DecodeTupleJson(std::string_view json, TraceHandler* handler,
                         TupleSource source = TupleSource::kTrusted);

  // Number of peer connections with getStats state.
  size_t PeerConnectionCount() const;

  // How getstats deltas are applied now.
  DeltaSemantics delta_semantics() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rtcstream
