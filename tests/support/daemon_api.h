#pragma once
// A test's view of a running gpufleetd's API: one call at a time with a token, and waiting for
// what the daemon's own threads do (the scheduler acts on its thread, so a test waits for the
// state it observes, never for a fixed time).

#include <chrono>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

namespace gpufleet::testing {

class DaemonApi {
 public:
  DaemonApi(uint16_t port, std::string token) : port_(port), token_(std::move(token)) {}

  // GET, PUT or POST (any other method: POST) `path` with `body` (null: none): the status (0
  // when the daemon could not be reached) and the body parsed (discarded when not JSON).
  std::pair<int, nlohmann::json> Call(const std::string& method, const std::string& path,
                                      const nlohmann::json& body = nullptr) const;

  // GET `path` until `done` holds for its body or `deadline` passes (a test failure); the last
  // body.
  nlohmann::json Await(const std::string& path,
                       const std::function<bool(const nlohmann::json&)>& done,
                       std::chrono::seconds deadline = std::chrono::seconds(30)) const;

  // One inventory change; its ledger index (-1 when refused, a test failure).
  int64_t Change(const nlohmann::json& change) const;

 private:
  uint16_t port_;
  std::string token_;
};

// Whether `job` (a GET /v1/jobs/{id} body) is in `state`.
bool InState(const nlohmann::json& job, const char* state);

}  // namespace gpufleet::testing
