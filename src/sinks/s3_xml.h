// The few XML documents the S3 sink reads and writes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace rtcstream {

// The fields of an S3 <Error> document that the sink reports.
struct S3ErrorXml {
  std::string code;          // e.g. "SignatureDoesNotMatch"
  std::string message;       // S3's text
  std::string request_id;    // for S3 support
  std::string region;        // <Region>, sent with redirects and wrong-region errors
  std::string request_time;  // <RequestTime>, with RequestTimeTooSkewed
  std::string server_time;   // <ServerTime>, with RequestTimeTooSkewed
};

// Parses an <Error> document. Returns false when `xml` is not one (an empty
// body, HTML from a proxy, a success document).
bool ParseS3ErrorXml(std::string_view xml, S3ErrorXml* error);

// Returns the text of <root><field>...</field></root>, entities decoded, or
// false when `xml` is not such a document.
bool S3XmlField(std::string_view xml, std::string_view root, std::string_view field,
                std::string* value);

// One uploaded part, for CompleteMultipartUpload.
struct S3CompletedPart {
  int number = 0;
  std::string etag;  // as the UploadPart response gave it, quotes included
};

// The body of CompleteMultipartUpload.
std::string CompleteMultipartUploadXml(const std::vector<S3CompletedPart>& parts);

}  // namespace rtcstream
