#include "session/stat_field.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <utility>

namespace rtcstream {

namespace {

// Every known name, indexed by id: first the named StatField ids, in their
// order, then the other fields of the webrtc-stats dictionaries and the common
// browser-specific ones.
constexpr std::string_view kNames[] = {
    // Named ids (StatField::kType to StatField::kUrl).
    "type",
    "timestamp",
    "kind",
    "mediaType",
    "ssrc",
    "isRemote",
    "codecId",
    "mimeType",
    "sdpFmtpLine",
    "localId",
    "remoteId",
    "bytesSent",
    "packetsSent",
    "framesEncoded",
    "bytesReceived",
    "packetsReceived",
    "packetsLost",
    "framesDecoded",
    "frameWidth",
    "frameHeight",
    "framesPerSecond",
    "jitter",
    "jitterBufferDelay",
    "jitterBufferEmittedCount",
    "roundTripTime",
    "totalRoundTripTime",
    "roundTripTimeMeasurements",
    "selectedCandidatePairId",
    "selected",
    "nominated",
    "state",
    "localCandidateId",
    "currentRoundTripTime",
    "candidateType",
    "relayProtocol",
    "protocol",
    "url",
    // Ids without a name in StatField.
    "id",
    "transportId",
    "trackIds",
    "headerBytesReceived",
    "payloadType",
    "clockRate",
    "qpSum",
    "framesReceived",
    "totalSamplesDuration",
    "lastPacketReceivedTimestamp",
    "responsesReceived",
    "requestsReceived",
    "responsesSent",
    "audioLevel",
    "totalAudioEnergy",
    "totalInterFrameDelay",
    "totalSquaredInterFrameDelay",
    "totalDecodeTime",
    "headerBytesSent",
    "totalSamplesReceived",
    "priority",
    "consentRequestsSent",
    "requestsSent",
    "channels",
    "framesSent",
    "remoteTimestamp",
    "bitrateMean",
    "bitrateStdDev",
    "framerateMean",
    "framerateStdDev",
    "remoteCandidateId",
    "totalPacketSendDelay",
    "writable",
    "concealedSamples",
    "packetsDiscardedOnSend",
    "bytesDiscardedOnSend",
    "totalEncodeTime",
    "sumOfSquaredFramesDuration",
    "totalFramesDuration",
    "port",
    "silentConcealedSamples",
    "concealmentEvents",
    "insertedSamplesForDeceleration",
    "address",
    "pliCount",
    "ip",
    "removedSamplesForAcceleration",
    "keyFramesDecoded",
    "trackIdentifier",
    "nackCount",
    "qualityLimitationDurations",
    "networkType",
    "framesDropped",
    "keyFramesEncoded",
    "lastPacketSentTimestamp",
    "trackId",
    "remoteSource",
    "ended",
    "detached",
    "availableOutgoingBitrate",
    "availableIncomingBitrate",
    "streamIdentifier",
    "hugeFramesSent",
    "firCount",
    "frames",
    "totalProcessingDelay",
    "qualityLimitationResolutionChanges",
    "targetBitrate",
    "fecPacketsReceived",
    "fecPacketsDiscarded",
    "fecBytesReceived",
    "fecSsrc",
    "decoderImplementation",
    "packetsDiscarded",
    "mediaSourceId",
    "fingerprint",
    "fingerprintAlgorithm",
    "base64Certificate",
    "issuerCertificateId",
    "messagesReceived",
    "messagesSent",
    "reportsSent",
    "reportsReceived",
    "droppedFrames",
    "dtlsState",
    "retransmittedPacketsSent",
    "retransmittedBytesSent",
    "qualityLimitationReason",
    "foundation",
    "usernameFragment",
    "deleted",
    "dataChannelsOpened",
    "dataChannelsClosed",
    "dataChannelsRequested",
    "dataChannelsAccepted",
    "totalEncodedBytesTarget",
    "jitterBufferMinimumDelay",
    "jitterBufferTargetDelay",
    "localCertificateId",
    "framesAssembledFromMultiplePackets",
    "totalAssemblyTime",
    "selectedCandidatePairChanges",
    "freezeCount",
    "totalFreezesDuration",
    "encoderImplementation",
    "dtlsCipher",
    "srtpCipher",
    "remoteCertificateId",
    "portNumber",
    "ipAddress",
    "transport",
    "tlsVersion",
    "tlsGroup",
    "dtlsRole",
    "iceRole",
    "iceState",
    "iceLocalUsernameFragment",
    "readable",
    "fractionLost",
    "discardedPackets",
    "mid",
    "relatedAddress",
    "relatedPort",
    "retransmittedBytesReceived",
    "retransmittedPacketsReceived",
    "width",
    "height",
    "echoReturnLoss",
    "echoReturnLossEnhancement",
    "pauseCount",
    "totalPausesDuration",
    "tcpType",
    "stunKeepaliveRequestsSent",
    "stunKeepaliveResponsesReceived",
    "stunKeepaliveRttTotal",
    "stunKeepaliveRttSquaredTotal",
    "codecImplementationName",
    "label",
    "jitterBufferFlushes",
    "dataChannelIdentifier",
    "audioInputLevel",
    "audioOutputLevel",
    "synthesizedSamplesDuration",
    "synthesizedSamplesEvents",
    "totalPlayoutDelay",
    "totalSamplesCount",
    "rtxSsrc",
    "playoutId",
    "powerEfficientDecoder",
    "powerEfficientEncoder",
    "active",
    "scalabilityMode",
    "codecType",
    "datachannelid",
    "firstRequestTimestamp",
    "lastRequestTimestamp",
    "lastResponseTimestamp",
    "totalRequestsSent",
    "consentRequestBytesSent",
    "consentResponsesReceived",
    "consentResponsesSent",
    "retransmissionsReceived",
    "retransmissionsSent",
    "circuitBreakerTriggerCount",
    "localAddress",
    "remoteAddress",
    "candidateId",
    "framesBidirectionallyEncoded",
    "samplesEncodedWithSilk",
    "samplesEncodedWithCelt",
    "averageRtcpInterval",
    "voiceActivityFlag",
    "estimatedPlayoutTimestamp",
    "totalCorruptionProbability",
    "totalSquaredCorruptionProbability",
    "corruptionMeasurements",
    "encoderId",
    "decoderId",
    "rid",
    "rtxPayloadType",
    "framesCorrupted",
    "partialFramesLost",
    "fullFramesLost",
    "burstPacketsLost",
    "burstPacketsDiscarded",
    "burstLossCount",
    "burstDiscardCount",
    "burstLossRate",
    "burstDiscardRate",
    "gapLossRate",
    "gapDiscardRate",
    "slice",
    "sliCount",
    "framesRendered",
    "packetsDuplicated",
    "packetsFailedDecryption",
    "packetsRepaired",
    "bytesDuplicated",
    "senderId",
    "receiverId",
    "encodingIndex",
    "relayedSource",
    "pixelSize",
    "framesCaptured",
    "framesAccepted",
    "framesPerSecondCaptured",
    "totalSamplesSent",
    "samplesDuration",
    "audioEnergy",
    "voiceActivityDetection",
    "typingNoiseDetected",
    "minPlayoutDelay",
    "totalSamplesCaptured",
    "droppedSamplesDuration",
    "droppedSamplesEvents",
    "dtlsFailureReason",
    "mediaStreamId",
    "streamId",
    "rtcpTransportStatsId",
};

constexpr size_t kNameCount = sizeof(kNames) / sizeof(kNames[0]);
static_assert(kNames[static_cast<size_t>(StatField::kUrl)] == "url",
              "kNames must list the named ids in StatField order");
static_assert(kNameCount < 65535);

// Loads of 4 and 8 bytes of a name. Field names are short, so reading and
// comparing them in a few whole words is cheaper than the library's memcmp and
// memcpy calls for variable lengths.
uint64_t Load8(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

uint32_t Load4(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

// Two words that together cover the whole name (overlapping when it is
// shorter than 16 bytes; a name longer than 16 bytes is covered only at its
// start and end, which is enough for a hash).
std::pair<uint64_t, uint64_t> EndWords(std::string_view name) {
  const char* p = name.data();
  const size_t n = name.size();
  if (n >= 8) return {Load8(p), Load8(p + n - 8)};
  if (n >= 4) return {Load4(p), Load4(p + n - 4)};
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return {v, 0};
}

bool SameName(std::string_view a, std::string_view b) {
  const size_t n = a.size();
  if (n != b.size()) return false;
  if (n < 8) return EndWords(a) == EndWords(b);
  for (size_t i = 0; i + 8 < n; i += 8) {
    if (Load8(a.data() + i) != Load8(b.data() + i)) return false;
  }
  return Load8(a.data() + n - 8) == Load8(b.data() + n - 8);
}

// Hashes a field name from its length and its first and last 8 bytes, with
// one multiplication: enough to tell the known names apart (a collision only
// costs a probe), and much cheaper than hashing every byte.
uint32_t HashName(std::string_view name) {
  const auto [first, last] = EndWords(name);
  const uint64_t mixed = (first ^ (last * 31) ^ name.size()) * 0x9E3779B97F4A7C15ull;
  return static_cast<uint32_t>(mixed >> 32);
}

// An open-addressing hash table from name to id + 1 (0: empty slot), filled
// once. Four times as many slots as names keeps the probe sequences short.
class NameTable {
 public:
  NameTable() {
    for (size_t id = 0; id < kNameCount; ++id) {
      size_t slot = HashName(kNames[id]) & kMask;
      while (slots_[slot] != 0) slot = (slot + 1) & kMask;
      slots_[slot] = static_cast<uint16_t>(id + 1);
    }
  }

  // The id of `name`, or -1.
  int Find(std::string_view name) const {
    for (size_t slot = HashName(name) & kMask;; slot = (slot + 1) & kMask) {
      const uint16_t entry = slots_[slot];
      if (entry == 0) return -1;
      if (SameName(kNames[entry - 1], name)) return entry - 1;
    }
  }

 private:
  static constexpr size_t kSlots = 1024;
  static constexpr size_t kMask = kSlots - 1;
  static_assert(kSlots >= 4 * kNameCount);
  std::array<uint16_t, kSlots> slots_{};
};

}  // namespace

size_t StatFieldCount() { return kNameCount; }

int FindStatFieldIndex(std::string_view name) {
  // About a third of the fields of getstats deltas are timestamps.
  if (SameName(name, "timestamp")) return static_cast<int>(StatField::kTimestamp);
  static const NameTable table;
  return table.Find(name);
}

std::string_view StatFieldName(StatField field) { return kNames[static_cast<size_t>(field)]; }

}  // namespace rtcstream
