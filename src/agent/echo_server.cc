// The agent's echo for landmarks (agent/echo_server.h), over cpp-httplib.

#include "gpufleet/agent/echo_server.h"

#include <httplib.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "gpufleet/codec/location_evidence.h"
#include "gpufleet/ledger/base64.h"
#include "gpufleet/log/log.h"

namespace gpufleet::agent {
namespace {

// A request body larger than a nonce needs is refused before it is parsed.
constexpr size_t kMaxEchoBodyBytes = 1024;

class HttplibEchoServer final : public EchoServer {
 public:
  HttplibEchoServer(const EchoOptions& options, ledger::NoteSigner key)
      : options_(options), key_(std::move(key)) {}
  ~HttplibEchoServer() override { Stop(); }

  Status Listen() {
    server_.set_payload_max_length(kMaxEchoBodyBytes);
    server_.Post("/echo",
                 [this](const httplib::Request& req, httplib::Response& res) { Answer(req, res); });
    port_ = options_.port == 0
                ? server_.bind_to_any_port(options_.host)
                : (server_.bind_to_port(options_.host, options_.port) ? options_.port : -1);
    if (port_ < 0) {
      return Status::IOError("cannot listen for echoes on " + options_.host + ":" +
                             std::to_string(options_.port));
    }
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    return Status::Ok();
  }

  int port() const override { return port_; }

  void Stop() override {
    if (!thread_.joinable()) return;
    server_.stop();
    thread_.join();
  }

 private:
  void Answer(const httplib::Request& req, httplib::Response& res) const {
    const nlohmann::json body = nlohmann::json::parse(req.body, nullptr, false);
    const auto nonce = body.is_object() ? body.find("nonce") : body.end();
    if (!body.is_object() || body.size() != 1 || nonce == body.end() || !nonce->is_string() ||
        !codec::IsEchoNonce(nonce->get_ref<const std::string&>())) {
      res.status = 400;
      res.set_content(R"({"error":{"code":"invalid_argument","message":"expected {\"nonce\": )"
                      R"(\"<64 lowercase hex digits>\"}"}})",
                      "application/json");
      return;
    }
    const std::string& nonce_hex = nonce->get_ref<const std::string&>();
    if (options_.delay.count() > 0) std::this_thread::sleep_for(options_.delay);
    const Result<std::string> signature = key_.Sign(codec::EchoMessage(options_.node, nonce_hex));
    if (!signature.ok()) {
      res.status = 500;
      return;
    }
    const nlohmann::json out = {{"node", options_.node},
                                {"nonce", nonce_hex},
                                {"signature", ledger::Base64Encode(*signature)},
                                {"key", key_.verifier().ToString()}};
    res.set_content(out.dump(), "application/json");
  }

  const EchoOptions options_;
  const ledger::NoteSigner key_;
  httplib::Server server_;
  int port_ = -1;
  std::thread thread_;
};

}  // namespace

Result<std::unique_ptr<EchoServer>> EchoServer::Start(const EchoOptions& options,
                                                      ledger::NoteSigner key) {
  auto server = std::make_unique<HttplibEchoServer>(options, std::move(key));
  GPUFLEET_RETURN_IF_ERROR(server->Listen());
  log::Write(log::Level::kInfo, "echo.listen",
             {{"host", options.host},
              {"port", server->port()},
              {"delay_ms", static_cast<int64_t>(options.delay.count())}});
  return std::unique_ptr<EchoServer>(std::move(server));
}

}  // namespace gpufleet::agent
