// Builds the sink a project's stream settings ask for.
#pragma once

#include <memory>

#include "common/status.h"
#include "service/config.h"
#include "sinks/s3_sink.h"
#include "sinks/sink.h"

namespace rtcstream {

// The S3 sink settings of a project's [project.stream] table (sink = "s3"): its
// bucket, region, endpoint and credentials, secrets resolved.
S3Settings S3SettingsFor(const StreamConfig& stream);

// What a sink is made for.
enum class SinkUse {
  kDelivery,  // the collector's: every failure that may pass is retried
  kCheck,     // `streams test`: a person waits, so DNS and TLS failures return at once
};

// "file": a FileSink rooted at <data_dir>/streams/<project>; "s3": an S3Sink for the
// project's bucket and credentials.
Status MakeSink(const ServiceConfig& config, const ProjectConfig& project,
                std::unique_ptr<Sink>* sink, SinkUse use = SinkUse::kDelivery);

}  // namespace rtcstream
