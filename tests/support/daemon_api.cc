#include "support/daemon_api.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <thread>

namespace gpufleet::testing {

std::pair<int, nlohmann::json> DaemonApi::Call(const std::string& method, const std::string& path,
                                               const nlohmann::json& body) const {
  httplib::Client client("127.0.0.1", port_);
  const httplib::Headers auth = {{"Authorization", "Bearer " + token_}};
  const std::string text = body.is_null() ? "" : body.dump();
  const httplib::Result r = method == "GET"   ? client.Get(path, auth)
                            : method == "PUT" ? client.Put(path, auth, text, "application/json")
                                              : client.Post(path, auth, text, "application/json");
  if (!r) return {0, nullptr};
  return {r->status, nlohmann::json::parse(r->body, nullptr, false)};
}

nlohmann::json DaemonApi::Await(const std::string& path,
                                const std::function<bool(const nlohmann::json&)>& done,
                                std::chrono::seconds deadline) const {
  const auto until = std::chrono::steady_clock::now() + deadline;
  nlohmann::json body;
  while (std::chrono::steady_clock::now() < until) {
    body = Call("GET", path).second;
    if (done(body)) return body;
    std::this_thread::yield();
  }
  ADD_FAILURE() << "waited " << deadline.count() << " s on " << path << "; last " << body.dump();
  return body;
}

int64_t DaemonApi::Change(const nlohmann::json& change) const {
  const auto [status, body] =
      Call("POST", "/v1/inventory/changes", {{"changes", nlohmann::json::array({change})}});
  EXPECT_EQ(status, 200) << body.dump();
  return status == 200 ? body["results"][0].value("index", int64_t{-1}) : -1;
}

bool InState(const nlohmann::json& job, const char* state) {
  return job.is_object() && job.value("state", "") == state;
}

}  // namespace gpufleet::testing
