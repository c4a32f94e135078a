#include "analysis/mos.h"

#include <algorithm>

namespace rtcstream {

double DelayImpairment(double ta_ms) {
  const double ta = std::max(0.0, ta_ms);
  double id = 0.024 * ta;
  if (ta > 177.3) id += 0.11 * (ta - 177.3);
  return id;
}

double EffectiveEquipmentImpairment(double ie, double bpl, double packet_loss_pct, double burst_r) {
  const double ppl = std::clamp(packet_loss_pct, 0.0, 100.0);
  if (ppl == 0) return ie;
  return ie + (95 - ie) * ppl / (ppl / burst_r + bpl);
}

double EModelR(const EModelInput& input) {
  return input.r0_minus_is - DelayImpairment(input.one_way_delay_ms) -
         EffectiveEquipmentImpairment(input.ie, input.bpl, input.packet_loss_pct, input.burst_r) +
         input.advantage;
}

double MosFromR(double r) {
  if (r <= 0) return 1;
  if (r >= 100) return 4.5;
  // The cubic dips slightly below 1 for R under about 6.5; MOS has no such values.
  return std::max(1.0, 1 + 0.035 * r + 7e-6 * r * (r - 60) * (100 - r));
}

double AudioMos(const AudioMosInput& input) {
  const CodecImpairment& codec = ImpairmentOf(input.codec);
  EModelInput e;
  e.one_way_delay_ms =
      std::max(0.0, input.rtt_ms) / 2 + std::max(0.0, input.jitter_buffer_ms) + kCodecDelayMs;
  e.packet_loss_pct = input.packet_loss_pct;
  e.ie = codec.ie;
  e.bpl = codec.bpl;
  return MosFromR(EModelR(e));
}

}  // namespace rtcstream
