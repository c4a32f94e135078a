#include "streams/series_json.h"

#include <gtest/gtest.h>

#include <string>

namespace rtcstream {
namespace {

TEST(SeriesJsonTest, ColumnsRelativeTimesNullsAndEscapedIds) {
  PeerSeries series;
  DirectionSample samples[2][2];
  series.Append(1'795'610'767'514, "PC_0", samples);
  samples[0][1].bitrate = 24.56;
  samples[0][1].packet_loss = 0.125;
  samples[0][1].mos = 4.3249;
  samples[1][0].frame_width = 640;
  samples[1][0].frame_height = 360;
  samples[1][0].fps = 14.96;
  series.Append(1'795'610'769'514, "PC_\"1\"", samples);
  series.set_start_ms(1'795'610'764'514);

  const std::string json = PeerSeriesToJson("room</script>", "al\"ice", series, false);
  EXPECT_EQ(json,
            R"({"room_id":"room\u003c/script\u003e","peer_id":"al\"ice",)"
            R"("start_time":"2026-11-25T12:46:04.514Z","live":false,"samples":2,)"
            R"("pcs":["PC_0","PC_\"1\""],"series":{"t":[3000,5000],"pc":[0,1],)"
            R"("audio":{"inbound":{"bitrate":[null,24.6],"packet_loss":[null,0.13],)"
            R"("jitter":[null,null],"rtt":[null,null],"mos":[null,4.32]},)"
            R"("outbound":{"bitrate":[null,null],"packet_loss":[null,null],"jitter":[null,null],)"
            R"("rtt":[null,null],"mos":[null,null]}},)"
            R"("video":{"inbound":{"bitrate":[null,null],"packet_loss":[null,null],)"
            R"("jitter":[null,null],"rtt":[null,null],"mos":[null,null],)"
            R"("frame_width":[null,null],"frame_height":[null,null],"fps":[null,null]},)"
            R"("outbound":{"bitrate":[null,null],"packet_loss":[null,null],"jitter":[null,null],)"
            R"("rtt":[null,null],"mos":[null,null],"frame_width":[null,640],)"
            R"("frame_height":[null,360],"fps":[null,15]}}}})");
}

}  // namespace
}  // namespace rtcstream
