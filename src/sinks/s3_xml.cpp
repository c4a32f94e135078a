#include "sinks/s3_xml.h"

#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>
#include <sstream>

namespace rtcstream {

namespace {

namespace pt = boost::property_tree;

// Parses `xml` into `tree`; the parser's exceptions stay in here.
bool ParseXml(std::string_view xml, pt::ptree* tree) {
  try {
    std::istringstream in{std::string(xml)};
    pt::read_xml(in, *tree, pt::xml_parser::trim_whitespace);
    return true;
  } catch (const pt::ptree_error&) {
    return false;
  }
}

std::string Child(const pt::ptree& node, const char* name) {
  return node.get<std::string>(name, "");
}

std::string XmlEscape(std::string_view text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

}  // namespace

bool ParseS3ErrorXml(std::string_view xml, S3ErrorXml* error) {
  pt::ptree tree;
  if (!ParseXml(xml, &tree)) return false;
  const auto root = tree.get_child_optional("Error");
  if (!root) return false;
  error->code = Child(*root, "Code");
  error->message = Child(*root, "Message");
  error->request_id = Child(*root, "RequestId");
  error->region = Child(*root, "Region");
  error->request_time = Child(*root, "RequestTime");
  error->server_time = Child(*root, "ServerTime");
  return !error->code.empty();
}

bool S3XmlField(std::string_view xml, std::string_view root, std::string_view field,
                std::string* value) {
  pt::ptree tree;
  if (!ParseXml(xml, &tree)) return false;
  const auto node = tree.get_child_optional(pt::ptree::path_type(std::string(root), '/'));
  if (!node) return false;
  const auto text = node->get_optional<std::string>(pt::ptree::path_type(std::string(field), '/'));
  if (!text) return false;
  *value = *text;
  return true;
}

std::string CompleteMultipartUploadXml(const std::vector<S3CompletedPart>& parts) {
  std::string xml =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";
  for (const S3CompletedPart& part : parts) {
    xml += "<Part><PartNumber>" + std::to_string(part.number) + "</PartNumber><ETag>" +
           XmlEscape(part.etag) + "</ETag></Part>";
  }
  xml += "</CompleteMultipartUpload>";
  return xml;
}

}  // namespace rtcstream
