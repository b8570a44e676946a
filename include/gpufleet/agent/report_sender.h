#pragma once
// How gpufleet-agent hands a report to gpufleetd: POST /v1/nodes/{node}/reports with the
// node's token (docs/agent.md). An interface so that the agent's loop is tested without a
// server, and a server test can count what arrives.
//
// Thread safety: a sender is used by one thread at a time.

#include <memory>
#include <string>

#include "gpufleet/model/observed_device.h"
#include "gpufleet/status.h"

namespace gpufleet::agent {

class ReportSender {
 public:
  virtual ~ReportSender() = default;
  // Sends `report`. Errors: Unauthenticated (401: unknown, revoked or expired token),
  // PermissionDenied (403: a token of another node or role), InvalidArgument (400 or 413: the
  // service refused the report, with its message), ResourceExhausted (429), IOError (the
  // service could not be reached or answered 5xx: worth retrying).
  [[nodiscard]] virtual Status Send(const NodeReport& report) = 0;
  // A fresh nonce from the service for `node`'s devices' attestation reports (POST
  // /v1/nodes/{node}/nonce), 64 hex digits; errors as Send's. The default has none to give.
  [[nodiscard]] virtual Result<std::string> Nonce(const std::string& node) {
    return Status::FailedPrecondition("no nonce for node '" + node + "': this sender asks none");
  }
};

struct HttpSenderOptions {
  std::string url;    // "http://127.0.0.1:8080" (https works where cpp-httplib has OpenSSL)
  std::string token;  // a `node` token bound to the report's node; never logged
  // A request that has not connected or been answered by then fails (IOError), so a hung
  // service costs a heartbeat, not the agent.
  int connect_timeout_s = 5;
  int read_timeout_s = 10;
};

// One short-lived connection per report: a node sends one every 30 s, so keep-alive would only
// hold 125,000 idle connections open on the service (docs/agent.md, "Connections").
// InvalidArgument for a URL cpp-httplib cannot use.
Result<std::unique_ptr<ReportSender>> MakeHttpReportSender(const HttpSenderOptions& options);

// `text` percent-encoded as one path segment: node names contain '/' ("sg-0/n0" is
// "sg-0%2Fn0").
std::string PathSegment(const std::string& text);

}  // namespace gpufleet::agent
