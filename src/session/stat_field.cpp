#include "session/stat_field.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

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

// Up to the first 8 bytes of `text`, as an integer.
uint64_t Load8(std::string_view text) {
  uint64_t v = 0;
  std::memcpy(&v, text.data(), std::min<size_t>(text.size(), 8));
  return v;
}

// Hashes a field name from its length and its first and last 8 bytes, with
// one multiplication: enough to tell the known names apart (a collision only
// costs a probe), and much cheaper than hashing every byte.
uint32_t HashName(std::string_view name) {
  const uint64_t last = name.size() > 8 ? Load8(name.substr(name.size() - 8)) : 0;
  const uint64_t mixed = (Load8(name) ^ (last * 31) ^ name.size()) * 0x9E3779B97F4A7C15ull;
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

  std::optional<StatField> Find(std::string_view name) const {
    for (size_t slot = HashName(name) & kMask;; slot = (slot + 1) & kMask) {
      const uint16_t entry = slots_[slot];
      if (entry == 0) return std::nullopt;
      if (kNames[entry - 1] == name) return static_cast<StatField>(entry - 1);
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

std::optional<StatField> FindStatField(std::string_view name) {
  // About a third of the fields of getstats deltas are timestamps.
  if (name == "timestamp") return StatField::kTimestamp;
  static const NameTable table;
  return table.Find(name);
}

std::string_view StatFieldName(StatField field) { return kNames[static_cast<size_t>(field)]; }

}  // namespace rtcstream
