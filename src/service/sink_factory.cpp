#include "service/sink_factory.h"

#include "sinks/file_sink.h"
#include "sinks/s3_sink.h"

namespace rtcstream {

S3Settings S3SettingsFor(const StreamConfig& stream) {
  S3Settings settings;
  settings.bucket = stream.bucket;
  settings.region = stream.region;
  settings.endpoint = stream.endpoint;
  settings.access_key_id = stream.access_key_id;
  settings.secret_access_key = stream.secret_access_key.value;
  settings.session_token = stream.session_token.value;
  return settings;
}

Status MakeSink(const ServiceConfig& config, const ProjectConfig& project,
                std::unique_ptr<Sink>* sink, SinkUse use) {
  if (project.stream.sink == "s3") {
    S3Settings settings = S3SettingsFor(project.stream);
    settings.retry_dns_and_tls_failures = use == SinkUse::kDelivery;
    std::unique_ptr<S3Sink> s3;
    Status s = S3Sink::Create(settings, &s3);
    if (!s.ok()) return s;
    *sink = std::move(s3);
    return Status::OK();
  }
  std::unique_ptr<FileSink> file;
  Status s = FileSink::Create(config.data_dir + "/streams/" + project.id, &file);
  if (!s.ok()) return s;
  *sink = std::move(file);
  return Status::OK();
}

}  // namespace rtcstream
