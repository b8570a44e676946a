// `gpufleet landmark` (cli/landmark_command.h).

#include "cli/landmark_command.h"

#include <httplib.h>
#include <openssl/rand.h>

#include <array>
#include <chrono>
#include <iostream>
#include <memory>
#include <string>

#include "cli/api_client.h"
#include "gpufleet/codec/location_evidence.h"
#include "gpufleet/ledger/base64.h"
#include "gpufleet/ledger/hash.h"
#include "gpufleet/ledger/key_file.h"
#include "gpufleet/ledger/note.h"
#include "gpufleet/model/utf8.h"

namespace gpufleet::cli {
namespace {

// A landmark's round trips: a few suffice for the minimum to settle (the first also pays
// for the connection, which is kept open for the rest).
constexpr int kDefaultSamples = 5;

struct LandmarkFlags {
  ClientFlags client;
  std::string name;
  std::string key;
  std::string node;
  std::string agent;
  int samples = kDefaultSamples;
  int timeout_ms = 5000;
};

Result<std::string> FreshNonce() {
  static_assert(sizeof(ledger::Hash) == codec::kEchoNonceBytes);
  ledger::Hash bytes{};  // written as the ledger writes its hashes: lowercase hex
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    return Status::Aborted("OpenSSL's random generator failed");
  }
  return ledger::HexHash(bytes);
}

struct Echo {
  int64_t rtt_us = 0;
  std::string nonce_hex;
  std::string signature_base64;
};

// One echo, timed from just before the request is sent to just after its answer is read.
// The answer is checked against the key the node gives with it: a garbled or foreign answer
// is caught here, and the service checks the key itself against the node's reports.
Result<Echo> TimeEcho(httplib::Client& agent, const LandmarkFlags& f) {
  Result<std::string> nonce = FreshNonce();
  if (!nonce.ok()) return nonce.status();
  const std::string body = nlohmann::json{{"nonce", *nonce}}.dump();
  const auto start = std::chrono::steady_clock::now();
  const httplib::Result res = agent.Post("/echo", body, "application/json");
  const auto end = std::chrono::steady_clock::now();
  if (!res) {
    return Status::IOError("cannot reach the agent at " + f.agent + ": " +
                           httplib::to_string(res.error()));
  }
  if (res->status != 200) {
    return Status::IOError("the agent at " + f.agent + " answered HTTP " +
                           std::to_string(res->status) + ": " + Excerpt(res->body));
  }
  const nlohmann::json answer = nlohmann::json::parse(res->body, nullptr, false);
  if (!answer.is_object() || !answer.contains("node") || !answer["node"].is_string() ||
      !answer.contains("signature") || !answer["signature"].is_string() ||
      !answer.contains("key") || !answer["key"].is_string() ||
      answer.value("nonce", "") != *nonce) {
    return Status::IOError("the agent at " + f.agent +
                           " answered something other than an echo: " + Excerpt(res->body));
  }
  if (answer["node"] != f.node) {
    return Status::IOError("the agent at " + f.agent + " is node '" +
                           Excerpt(answer["node"].get<std::string>()) + "', not '" + f.node + "'");
  }
  const Result<ledger::NoteVerifier> key =
      ledger::NoteVerifier::Parse(answer["key"].get<std::string>());
  const std::string signature_base64 = answer["signature"];
  const std::optional<std::string> signature = ledger::Base64Decode(signature_base64);
  if (!key.ok() || !signature || !key->Verify(codec::EchoMessage(f.node, *nonce), *signature)) {
    return Status::IOError("the agent at " + f.agent +
                           " answered with a signature that does "
                           "not verify with the key it gave");
  }
  return Echo{.rtt_us = std::chrono::duration_cast<std::chrono::microseconds>(end - start).count(),
              .nonce_hex = std::move(*nonce),
              .signature_base64 = signature_base64};
}

Status Measure(ApiClient& client, const LandmarkFlags& f) {
  Result<ledger::NoteSigner> key = ledger::ReadSignerKeyFile(f.key);
  if (!key.ok()) return Status::InvalidArgument("--key " + f.key + ": " + key.status().message());
  if (key->name() != f.name) {
    return Status::InvalidArgument("--key " + f.key + " is the key of '" + key->name() +
                                   "', not of landmark '" + f.name + "'");
  }
  httplib::Client agent(f.agent);
  if (!agent.is_valid()) return Status::InvalidArgument("--agent '" + f.agent + "': not a URL");
  agent.set_keep_alive(true);
  const auto timeout = std::chrono::milliseconds(f.timeout_ms);
  agent.set_connection_timeout(timeout);
  agent.set_read_timeout(timeout);
  agent.set_write_timeout(timeout);
  std::optional<Echo> best;
  for (int i = 0; i < f.samples; ++i) {
    Result<Echo> echo = TimeEcho(agent, f);
    if (!echo.ok()) return echo.status();
    if (!best || echo->rtt_us < best->rtt_us) best = std::move(*echo);
  }
  const LandmarkMeasurement m{
      .landmark = f.name,
      .node = f.node,
      .nonce_hex = best->nonce_hex,
      .echo_signature_base64 = best->signature_base64,
      .rtt_us = best->rtt_us,
      .samples = f.samples,
      .measured_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count()};
  Result<std::string> note = ledger::SignNote(codec::MeasurementText(m), *key);
  if (!note.ok()) return note.status();
  Result<nlohmann::json> reply = client.Post("/v1/landmarks/measurements", {{"note", *note}});
  if (!reply.ok()) return reply.status();
  PrintReply(*reply, f.client, [](const nlohmann::json& r) {
    std::cout << r.value("landmark", "") << " -> " << r.value("node", "") << ": rtt "
              << r.value("rtt_ms", 0.0) << " ms, within about " << r.value("bound_km", 0.0)
              << " km";
    if (r.contains("distance_km") && r["distance_km"].is_number()) {
      std::cout << "; declared site " << r.value("declared_site", "") << " is "
                << r["distance_km"].get<double>() << " km away"
                << (r.value("contradicts", false) ? ": CONTRADICTS the declared site" : "");
    } else {
      std::cout << "; declared site not checked (" << r.value("skipped", "") << ")";
    }
    std::cout << '\n';
  });
  return Status::Ok();
}

}  // namespace

void AddLandmarkCommand(CLI::App& app, int& exit_code) {
  auto f = std::make_shared<LandmarkFlags>();
  CLI::App* cmd = app.add_subcommand(
      "landmark",
      "Measure how far a node is: time signed echoes from its agent and report the smallest "
      "round trip to gpufleetd, signed with this landmark's key (docs/agent.md)");
  AddClientOptions(*cmd, f->client);
  cmd->add_option("--name", f->name, "this landmark's name, as in gpufleetd --landmarks")
      ->required();
  cmd->add_option("--key", f->key, "this landmark's private key file (gpufleet ledger keygen)")
      ->required();
  cmd->add_option("--node", f->node, "the node measured (site/node)")->required();
  cmd->add_option("--agent", f->agent, "the node agent's echo address (http://HOST:PORT)")
      ->required();
  cmd->add_option("--samples", f->samples, "echoes timed; the smallest round trip counts")
      ->check(CLI::Range(1, static_cast<int>(codec::kMaxMeasurementSamples)))
      ->capture_default_str();
  cmd->add_option("--timeout-ms", f->timeout_ms, "wait at most this long for each echo")
      ->check(CLI::Range(1, 60'000))
      ->capture_default_str();
  cmd->callback(ClientCallback("landmark", f->client, exit_code,
                               [f](ApiClient& client) { return Measure(client, *f); }));
}

}  // namespace gpufleet::cli
