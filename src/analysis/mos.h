// Audio MOS from the ITU-T G.107 E-model.
//
//   R = Ro - Is - Id - Ie,eff + A
//
// Ro - Is:  93.2, the G.107 default (basic signal-to-noise ratio minus the
//           simultaneous impairments of a default narrowband connection).
// Id:       delay impairment from the one-way (mouth-to-ear) delay Ta in ms, in
//           the widely used simplification of the G.107 Id curves
//           (Cole & Rosenbluth, "Voice over IP performance monitoring",
//           ACM SIGCOMM CCR 31(2), 2001):
//             Id = 0.024 Ta + 0.11 (Ta - 177.3) H(Ta - 177.3),  H = step
// Ie,eff:   codec and loss impairment, G.107 equation 7-29:
//             Ie,eff = Ie + (95 - Ie) Ppl / (Ppl / BurstR + Bpl)
//           Ppl = packet loss in %, BurstR = 1 (random loss: getStats tells
//           nothing about burstiness), Ie and Bpl from the codec table.
// A:        advantage factor, 0 (G.107's value for conventional wirebound).
//
// MOS from R, G.107 Annex B:
//   R <= 0:       MOS = 1
//   0 < R < 100:  MOS = 1 + 0.035 R + 7e-6 R (R - 60) (100 - R), at least 1
//   R >= 100:     MOS = 4.5
// With the defaults and no delay or loss R = 93.2 and MOS = 4.41.
#pragma once

#include "analysis/audio_codec.h"

namespace rtcstream {

// G.107 default of Ro - Is.
inline constexpr double kDefaultR0MinusIs = 93.2;

// Delay the E-model adds for encoding and packetization: one 20 ms frame,
// WebRTC's default audio packet time. Opus and G.711 both use it.
inline constexpr double kCodecDelayMs = 20;

// Everything EModelR needs, in E-model terms.
struct EModelInput {
  double one_way_delay_ms = 0;  // Ta
  double packet_loss_pct = 0;   // Ppl, 0..100
  double ie = 0;                // equipment impairment of the codec
  double bpl = 25.1;            // packet-loss robustness of the codec
  double burst_r = 1;           // burst ratio; 1 = random loss
  double r0_minus_is = kDefaultR0MinusIs;
  double advantage = 0;  // A
};

// Delay impairment Id for one-way delay `ta_ms`.
double DelayImpairment(double ta_ms);

// Effective equipment impairment Ie,eff.
double EffectiveEquipmentImpairment(double ie, double bpl, double packet_loss_pct, double burst_r);

// The transmission rating factor R (not clamped).
double EModelR(const EModelInput& input);

// MOS (1..4.5) from R.
double MosFromR(double r);

// What a WebRTC audio direction offers the E-model.
struct AudioMosInput {
  double rtt_ms = 0;            // network round trip; half of it counts as one-way delay
  double jitter_buffer_ms = 0;  // receiver's jitter buffer delay
  double packet_loss_pct = 0;
  AudioCodec codec = AudioCodec::kOpusFec;
};

// MOS of one audio direction: Ta = rtt/2 + jitter buffer + kCodecDelayMs, the
// codec's Ie and Bpl from the table, G.107 defaults for everything else.
double AudioMos(const AudioMosInput& input);

}  // namespace rtcstream
