#pragma once
// The harness of the gpufleetd reliability suites (service_crash_slow_test.cc,
// service_takeover_slow_test.cc): the real binary as a child process, an HTTP client, a
// submitting load of client threads, reading the store after the daemons are gone, and the
// invariants every run must keep. The seed of the load is printed with every failure;
// GPUFLEET_TEST_SEED=<seed> replays it.

#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "gpufleet/store/store.h"
#include "store/store_backends.h"
#include "support/cli_runner.h"
#include "support/daemon_process.h"

namespace gpufleet::service_harness {

using std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;
using testing::DaemonOptions;
using testing::DaemonProcess;

// The tenants gpufleetd --demo-gpus creates on an empty store.
inline const std::vector<std::string> kDemoTenants = {"llm-training", "chat-inference", "ads-reco",
                                                      "cloud-customer"};
inline constexpr int64_t kDemoGpus = 1024;
// Simulated seconds per real second: jobs of 30..600 s end 0.5..10 s into the test.
inline constexpr int kSimSpeed = 60;
inline constexpr int kClientThreads = 4;
inline constexpr int32_t kWholeGpuMilli = 1000;
inline constexpr int32_t kPageSize = 1000;
// Pages of GET /v1/nodes: small, so that the demo fleet's few dozen nodes take several.
inline constexpr int32_t kNodePageSize = 16;
// How long a condition polled through the API or the store may take to appear.
inline constexpr milliseconds kSettleDeadline{30000};
// Between polls of such a condition: no process tells another when something happened, so
// readiness across processes is polled, always against a deadline.
inline constexpr milliseconds kPollInterval{20};

inline uint64_t TestSeed() {
  if (const char* s = std::getenv("GPUFLEET_TEST_SEED"); s != nullptr && *s != '\0') {
    return std::strtoull(s, nullptr, 10);
  }
  return (uint64_t{std::random_device{}()} << 32) | std::random_device{}();
}

inline std::string Join(const std::vector<std::string>& lines, size_t max_lines = 20) {
  std::string out;
  for (size_t i = 0; i < lines.size() && i < max_lines; ++i) out += "\n  " + lines[i];
  if (lines.size() > max_lines) {
    out += "\n  ... and " + std::to_string(lines.size() - max_lines) + " more";
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// HTTP

struct Reply {
  int status = 0;       // 0 when no response arrived (connection refused or reset, timeout)
  std::string error;    // why there is no response
  nlohmann::json body;  // null when the body is not JSON
  std::string raw;
};

inline std::unique_ptr<httplib::Client> Connect(uint16_t port) {
  auto client = std::make_unique<httplib::Client>("127.0.0.1", port);
  client->set_connection_timeout(std::chrono::seconds(5));
  client->set_read_timeout(std::chrono::seconds(30));
  client->set_write_timeout(std::chrono::seconds(10));
  return client;
}

inline Reply Call(httplib::Client& client, const std::string& method, const std::string& path,
                  const std::string& token,
                  const std::optional<nlohmann::json>& body = std::nullopt) {
  httplib::Headers headers;
  if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
  httplib::Result res =
      method == "GET"
          ? client.Get(path, headers)
          : client.Post(path, headers, body.has_value() ? body->dump() : "", "application/json");
  Reply r;
  if (!res) {
    r.error = httplib::to_string(res.error());
    return r;
  }
  r.status = res->status;
  r.raw = res->body;
  r.body = nlohmann::json::parse(res->body, nullptr, /*allow_exceptions=*/false);
  if (r.body.is_discarded()) r.body = nullptr;
  return r;
}

inline std::string Describe(const Reply& r) {
  return r.status == 0 ? "no response (" + r.error + ")"
                       : "HTTP " + std::to_string(r.status) + ": " + r.raw.substr(0, 500);
}

// `text` as one query parameter value (RFC 3986 unreserved characters kept).
inline std::string QueryEscape(const std::string& text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out += ch;
    } else {
      out += {'%', kHex[c >> 4], kHex[c & 15]};
    }
  }
  return out;
}

// Node name -> GPU count, every page of GET /v1/nodes.
inline std::map<std::string, int32_t> FetchNodes(uint16_t port, const std::string& token) {
  std::map<std::string, int32_t> nodes;
  const std::unique_ptr<httplib::Client> client = Connect(port);
  std::string after;
  for (;;) {
    std::string path = "/v1/nodes?limit=" + std::to_string(kNodePageSize);
    if (!after.empty()) path += "&after=" + QueryEscape(after);
    const Reply r = Call(*client, "GET", path, token);
    EXPECT_EQ(r.status, 200) << "GET " << path << ": " << Describe(r);
    if (r.status != 200) return nodes;
    for (const nlohmann::json& n : r.body["nodes"]) {
      nodes[n["name"].get<std::string>()] = n["gpus"].get<int32_t>();
    }
    if (r.body["next"].is_null()) return nodes;
    after = r.body["next"].get<std::string>();
  }
}

// Tenant id -> a new tenant token for each demo tenant.
inline std::map<std::string, std::string> IssueTenantTokens(uint16_t port,
                                                            const std::string& admin) {
  std::map<std::string, std::string> tokens;
  const std::unique_ptr<httplib::Client> client = Connect(port);
  for (const std::string& tenant : kDemoTenants) {
    const Reply r =
        Call(*client, "POST", "/v1/tenants/" + tenant + "/tokens", admin, nlohmann::json::object());
    EXPECT_EQ(r.status, 201) << "token for '" << tenant << "': " << Describe(r);
    if (r.status == 201) tokens[tenant] = r.body["token"].get<std::string>();
  }
  return tokens;
}

// The value of an unlabelled series in GET /metrics; nullopt when absent or unreachable.
inline std::optional<double> MetricValue(uint16_t port, const std::string& series) {
  const std::unique_ptr<httplib::Client> client = Connect(port);
  const Reply r = Call(*client, "GET", "/metrics", "");
  if (r.status != 200) return std::nullopt;
  std::istringstream lines(r.raw);
  for (std::string line; std::getline(lines, line);) {
    if (line.size() > series.size() && line.starts_with(series) && line[series.size()] == ' ') {
      return std::strtod(line.c_str() + series.size() + 1, nullptr);
    }
  }
  return std::nullopt;
}

// Polls `done` every kPollInterval until it holds or `deadline` passes; whether it held.
template <typename Predicate>
inline bool PollUntil(SteadyClock::time_point deadline, Predicate done) {
  for (;;) {
    if (done()) return true;
    if (SteadyClock::now() >= deadline) return false;
    std::this_thread::sleep_for(kPollInterval);
  }
}

// ---------------------------------------------------------------------------------------
// Load: client threads submitting jobs until stopped or until their server goes away.

// What a 201 acknowledged: the job's id and the spec the client sent.
struct Acked {
  uint64_t id = 0;
  std::string tenant;
  std::string name;
  int32_t gpu_count = 0;
  int32_t gpu_milli = 0;
  int32_t replicas = 1;
  int64_t duration_s = 0;
  int32_t priority = 0;
};

// A random job of the mix: 0.5, 1, 2 or 8 GPUs per replica, a quarter of them with 2
// replicas, 30..600 s long.
inline std::pair<nlohmann::json, Acked> RandomJob(std::mt19937_64& rng, const std::string& tenant,
                                                  const std::string& name) {
  constexpr int32_t kMilli[] = {500, 1000, 1000, 1000};
  constexpr int32_t kCount[] = {1, 1, 2, 8};
  const size_t shape = std::uniform_int_distribution<size_t>(0, 3)(rng);
  Acked a{.id = 0,
          .tenant = tenant,
          .name = name,
          .gpu_count = kCount[shape],
          .gpu_milli = kMilli[shape],
          .replicas = std::uniform_int_distribution<int>(0, 3)(rng) == 0 ? 2 : 1,
          .duration_s = std::uniform_int_distribution<int64_t>(30, 600)(rng),
          .priority = 0};
  const double gpus = kMilli[shape] < kWholeGpuMilli ? kMilli[shape] / 1000.0 : kCount[shape];
  nlohmann::json body = {
      {"name", name}, {"gpus", gpus}, {"replicas", a.replicas}, {"duration_s", a.duration_s}};
  return {std::move(body), std::move(a)};
}

struct LoadOptions {
  std::vector<uint16_t> ports;                // client i talks to ports[i % size]
  std::map<std::string, std::string> tokens;  // tenant -> tenant token
  uint64_t seed = 0;
  std::string name_prefix;  // job names: <prefix>-c<client>-<n>
  milliseconds pace{0};     // between one client's submissions; 0 = none
};

struct LoadResult {
  std::vector<Acked> acked;
  int64_t transport_errors = 0;            // requests without a response
  std::map<int, int64_t> other_statuses;   // responses other than 201, by status
  std::vector<std::string> sample_errors;  // a few of those responses
};

class Load {
 public:
  explicit Load(LoadOptions options) : options_(std::move(options)) {
    for (int c = 0; c < kClientThreads; ++c) threads_.emplace_back([this, c] { Client(c); });
  }
  Load(const Load&) = delete;
  Load& operator=(const Load&) = delete;
  ~Load() { Stop(); }

  int64_t acked() const { return acked_count_.load(); }

  // Stops the clients (a request in flight completes or fails first) and returns what they saw.
  LoadResult Stop() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    wake_.notify_all();
    for (std::thread& t : threads_) {
      if (t.joinable()) t.join();
    }
    std::lock_guard lock(mu_);
    std::sort(result_.acked.begin(), result_.acked.end(),
              [](const Acked& x, const Acked& y) { return x.id < y.id; });
    return result_;
  }

 private:
  void Client(int c) {
    std::mt19937_64 rng(options_.seed + static_cast<uint64_t>(c) * 7919);
    const uint16_t port = options_.ports[static_cast<size_t>(c) % options_.ports.size()];
    const std::unique_ptr<httplib::Client> client = Connect(port);
    for (int64_t n = 0;; ++n) {
      {
        std::unique_lock lock(mu_);
        // Pacing, not synchronisation: Stop ends the wait at once.
        if (wake_.wait_for(lock, options_.pace, [this] { return stop_; })) return;
      }
      const std::string& tenant = kDemoTenants[static_cast<size_t>(c + n) % kDemoTenants.size()];
      auto [body, acked] = RandomJob(
          rng, tenant, options_.name_prefix + "-c" + std::to_string(c) + "-" + std::to_string(n));
      const Reply r = Call(*client, "POST", "/v1/jobs", options_.tokens.at(tenant), body);
      std::lock_guard lock(mu_);
      if (r.status == 201) {
        acked.id = r.body["id"].get<uint64_t>();
        result_.acked.push_back(std::move(acked));
        ++acked_count_;
        continue;
      }
      if (r.status == 0) {
        // The server is gone (killed): this client is done.
        ++result_.transport_errors;
        return;
      }
      ++result_.other_statuses[r.status];
      if (result_.sample_errors.size() < 5) result_.sample_errors.push_back(Describe(r));
    }
  }

  const LoadOptions options_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;  // guarded by mu_
  LoadResult result_;  // guarded by mu_
  std::atomic<int64_t> acked_count_{0};
  std::vector<std::thread> threads_;
};

// ---------------------------------------------------------------------------------------
// Reading the store, and the invariants.

inline std::vector<store::JobRecord> AllJobs(store::Store& s) {
  std::vector<store::JobRecord> out;
  store::JobFilter filter;
  filter.limit = kPageSize;
  for (;;) {
    Result<store::JobPage> page = s.ListJobs(filter);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    if (!page.ok()) return out;
    for (store::JobRecord& j : page->jobs) out.push_back(std::move(j));
    if (!page->next.has_value()) return out;
    filter.after = *page->next;
  }
}

inline std::vector<store::EventRecord> AllEvents(store::Store& s, int64_t after_id = 0) {
  std::vector<store::EventRecord> out;
  store::EventFilter filter;
  filter.after_id = after_id;
  filter.limit = kPageSize;
  for (;;) {
    Result<std::vector<store::EventRecord>> page = s.ListEvents(filter);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    if (!page.ok() || page->empty()) return out;
    filter.after_id = page->back().id;
    const bool last = page->size() < static_cast<size_t>(kPageSize);
    for (store::EventRecord& e : *page) out.push_back(std::move(e));
    if (last) return out;
  }
}

inline int64_t LastEventId(store::Store& s) {
  const std::vector<store::EventRecord> events = AllEvents(s);
  return events.empty() ? 0 : events.back().id;
}

inline std::map<uint64_t, const store::JobRecord*> ById(const std::vector<store::JobRecord>& jobs) {
  std::map<uint64_t, const store::JobRecord*> out;
  for (const store::JobRecord& j : jobs) out[j.id.value()] = &j;
  return out;
}

// (a) Every acknowledged job is stored with the spec the client sent.
inline std::vector<std::string> CheckAcknowledged(const std::vector<Acked>& acked,
                                                  const std::vector<store::JobRecord>& jobs) {
  std::vector<std::string> bad;
  const std::map<uint64_t, const store::JobRecord*> by_id = ById(jobs);
  for (const Acked& a : acked) {
    const auto it = by_id.find(a.id);
    if (it == by_id.end()) {
      bad.push_back("acknowledged job " + std::to_string(a.id) + " ('" + a.name + "') is lost");
      continue;
    }
    const store::JobSpec& s = it->second->spec;
    if (s.tenant != a.tenant || s.name != a.name || s.gpu_count != a.gpu_count ||
        s.gpu_milli != a.gpu_milli || s.replicas != a.replicas || s.duration_s != a.duration_s ||
        s.priority != a.priority) {
      bad.push_back("job " + std::to_string(a.id) + " is stored as tenant '" + s.tenant +
                    "' name '" + s.name + "' gpus " + std::to_string(s.gpu_count) + "x" +
                    std::to_string(s.gpu_milli) + " replicas " + std::to_string(s.replicas) +
                    " duration " + std::to_string(s.duration_s) + " but was submitted as '" +
                    a.tenant + "' '" + a.name + "' " + std::to_string(a.gpu_count) + "x" +
                    std::to_string(a.gpu_milli) + " replicas " + std::to_string(a.replicas) +
                    " duration " + std::to_string(a.duration_s));
    }
  }
  return bad;
}

// (b) No over-commit: per node and GPU index, the running jobs' shares (1000 milli for a
// whole GPU) add up to at most one GPU; every placement names a node of the fleet and
// exactly gpu_count of its GPUs. Also (c)'s "a running job has exactly one placement per
// replica, and only running jobs have placements".
inline std::vector<std::string> CheckPlacements(const std::vector<store::JobRecord>& jobs,
                                                const std::map<std::string, int32_t>& node_gpus) {
  std::vector<std::string> bad;
  // (node, gpu index) -> (job, milli) holding it.
  std::map<std::pair<std::string, int>, std::vector<std::pair<uint64_t, int32_t>>> holders;
  for (const store::JobRecord& j : jobs) {
    const std::string job = "job " + std::to_string(j.id.value());
    if (j.state != store::JobState::kRunning) {
      if (!j.placements.empty()) {
        bad.push_back(job + " is " + std::string(store::JobStateName(j.state)) + " but has " +
                      std::to_string(j.placements.size()) + " placements");
      }
      continue;
    }
    std::set<int32_t> replicas;
    for (const store::Placement& p : j.placements) replicas.insert(p.replica);
    if (static_cast<int32_t>(j.placements.size()) != j.spec.replicas ||
        static_cast<int32_t>(replicas.size()) != j.spec.replicas ||
        (!replicas.empty() && (*replicas.begin() != 0 || *replicas.rbegin() >= j.spec.replicas))) {
      bad.push_back(job + " runs with " + std::to_string(j.placements.size()) + " placements for " +
                    std::to_string(j.spec.replicas) + " replicas");
    }
    for (const store::Placement& p : j.placements) {
      const auto node = node_gpus.find(p.node);
      if (node == node_gpus.end()) {
        bad.push_back(job + " is placed on '" + p.node + "', not a node of the fleet");
        continue;
      }
      if (std::popcount(p.gpu_mask) != j.spec.gpu_count ||
          (node->second < 64 && (p.gpu_mask >> node->second) != 0)) {
        bad.push_back(job + " replica " + std::to_string(p.replica) + " on '" + p.node +
                      "' has gpu_mask " + std::to_string(p.gpu_mask) + " for " +
                      std::to_string(j.spec.gpu_count) + " GPUs of a " +
                      std::to_string(node->second) + "-GPU node");
      }
      for (int gpu = 0; gpu < 64; ++gpu) {
        if ((p.gpu_mask >> gpu) & 1)
          holders[{p.node, gpu}].emplace_back(j.id.value(), j.spec.gpu_milli);
      }
    }
  }
  for (const auto& [where, held] : holders) {
    int32_t milli = 0;
    std::string who;
    for (const auto& [job, m] : held) {
      milli += m;
      who += " job " + std::to_string(job) + " (" + std::to_string(m) + ")";
    }
    if (milli > kWholeGpuMilli) {
      bad.push_back("GPU " + std::to_string(where.second) + " of '" + where.first + "' holds " +
                    std::to_string(milli) + " milli:" + who);
    }
  }
  return bad;
}

// (c) No job placed twice: per job, the events alternate started -> (preempted | completed |
// cancelled) -> ...; a started event names one node per replica; a job is running exactly
// when its last such event is "started".
inline std::vector<std::string> CheckEventLog(const std::vector<store::EventRecord>& events,
                                              const std::vector<store::JobRecord>& jobs) {
  std::vector<std::string> bad;
  const std::map<uint64_t, const store::JobRecord*> by_id = ById(jobs);
  std::map<uint64_t, bool> running;
  std::map<uint64_t, int64_t> submitted;
  for (const store::EventRecord& e : events) {
    if (!e.job.has_value()) continue;
    const uint64_t id = e.job->value();
    const std::string where =
        "event " + std::to_string(e.id) + " (" + e.kind + ") of job " + std::to_string(id);
    bool& is_running = running[id];
    if (e.kind == "submitted") {
      ++submitted[id];
    } else if (e.kind == "started") {
      if (is_running) bad.push_back(where + ": started again without an end in between");
      is_running = true;
      const auto job = by_id.find(id);
      std::istringstream nodes(e.detail);
      int32_t count = 0;
      for (std::string node; nodes >> node;) ++count;
      if (job != by_id.end() && count != job->second->spec.replicas) {
        bad.push_back(where + ": names " + std::to_string(count) + " nodes for " +
                      std::to_string(job->second->spec.replicas) + " replicas");
      }
    } else if (e.kind == "preempted") {
      if (!is_running) bad.push_back(where + ": preempted while not running");
      is_running = false;
    } else if (e.kind == "finished" || e.kind == "completed" || e.kind == "cancelled") {
      is_running = false;
    }
  }
  for (const store::JobRecord& j : jobs) {
    const uint64_t id = j.id.value();
    const bool stored_running = j.state == store::JobState::kRunning;
    if (submitted[id] != 1) {
      bad.push_back("job " + std::to_string(id) + " has " + std::to_string(submitted[id]) +
                    " submitted events");
    }
    if (running[id] != stored_running) {
      bad.push_back("job " + std::to_string(id) + " is " +
                    std::string(store::JobStateName(j.state)) + " but its events say " +
                    (running[id] ? "running" : "not running"));
    }
  }
  return bad;
}

// What the checks of one store covered, so that a run which scheduled nothing cannot pass
// as a run that scheduled correctly.
struct Coverage {
  int64_t jobs = 0;
  int64_t running = 0;
  int64_t shared_gpus = 0;     // GPU indices held by two or more fractional jobs
  int64_t allocated_gpus = 0;  // GPU indices held by any running job
  int64_t fleet_gpus = 0;
  std::map<std::string, int64_t> events;  // by kind
};

inline Coverage Cover(const std::vector<store::JobRecord>& jobs,
                      const std::vector<store::EventRecord>& events,
                      const std::map<std::string, int32_t>& node_gpus) {
  Coverage c;
  for (const auto& [node, gpus] : node_gpus) c.fleet_gpus += gpus;
  c.jobs = static_cast<int64_t>(jobs.size());
  std::map<std::pair<std::string, int>, int> holders;
  for (const store::JobRecord& j : jobs) {
    if (j.state != store::JobState::kRunning) continue;
    ++c.running;
    for (const store::Placement& p : j.placements) {
      for (int gpu = 0; gpu < 64; ++gpu) {
        if ((p.gpu_mask >> gpu) & 1) ++holders[{p.node, gpu}];
      }
    }
  }
  for (const auto& [where, n] : holders) c.shared_gpus += n > 1 ? 1 : 0;
  c.allocated_gpus = static_cast<int64_t>(holders.size());
  for (const store::EventRecord& e : events) ++c.events[e.kind];
  return c;
}

inline std::string Describe(const Coverage& c) {
  std::string out = std::to_string(c.jobs) + " jobs, " + std::to_string(c.running) +
                    " running on " + std::to_string(c.allocated_gpus) + " of " +
                    std::to_string(c.fleet_gpus) + " GPUs (" + std::to_string(c.shared_gpus) +
                    " shared); events";
  for (const auto& [kind, n] : c.events) out += " " + kind + "=" + std::to_string(n);
  return out;
}

// (b) and (c) on the store at `location`, which no scheduler writes to meanwhile.
inline Coverage CheckStore(const std::string& location,
                           const std::map<std::string, int32_t>& node_gpus,
                           const std::string& when) {
  SCOPED_TRACE(when);
  Result<std::unique_ptr<store::Store>> opened = store::OpenStore(location);
  EXPECT_TRUE(opened.ok()) << opened.status().ToString();
  if (!opened.ok()) return {};
  const std::vector<store::JobRecord> jobs = AllJobs(**opened);
  const std::vector<store::EventRecord> events = AllEvents(**opened);
  const std::vector<std::string> placements = CheckPlacements(jobs, node_gpus);
  EXPECT_TRUE(placements.empty()) << "over-commit or bad placements:" << Join(placements);
  const std::vector<std::string> log = CheckEventLog(events, jobs);
  EXPECT_TRUE(log.empty()) << "event log:" << Join(log);
  return Cover(jobs, events, node_gpus);
}

inline DaemonOptions Daemon(const std::string& dir, const std::string& store_location,
                            const std::string& holder) {
  return {.args = {"--demo-gpus", std::to_string(kDemoGpus), "--store", store_location, "--port",
                   "0", "--sim-speed", std::to_string(kSimSpeed), "--holder", holder,
                   "--admin-token-file", dir + "/admin-token"},
          .stderr_path = dir + "/gpufleetd-" + holder + ".stderr",
          .tmpdir = dir,
          .start_deadline = milliseconds(60000)};
}

// Waits until the daemon on `port` has led a scheduling pass as `holder`: its epoch event
// appears in the event log after `after_event`, and a whole pass is counted in its metrics.
inline ::testing::AssertionResult AwaitLeaderPass(uint16_t port, const std::string& admin,
                                                  const std::string& holder, int64_t after_event) {
  const SteadyClock::time_point deadline = SteadyClock::now() + kSettleDeadline;
  const std::unique_ptr<httplib::Client> client = Connect(port);
  std::string last_error;
  const bool led = PollUntil(deadline, [&] {
    int64_t after = after_event;
    for (;;) {
      const Reply r = Call(*client, "GET",
                           "/v1/events?limit=" + std::to_string(kPageSize) +
                               "&after=" + std::to_string(std::max<int64_t>(after, 1)),
                           admin);
      if (r.status != 200) {
        last_error = Describe(r);
        return false;
      }
      for (const nlohmann::json& e : r.body["events"]) {
        if (e["kind"] == "epoch" && e["detail"].get<std::string>().ends_with(" " + holder)) {
          return true;
        }
      }
      if (r.body["next"].is_null()) return false;
      after = r.body["next"].get<int64_t>();
    }
  });
  if (!led) {
    return ::testing::AssertionFailure()
           << "no epoch event of '" << holder << "' after event " << after_event << " within "
           << kSettleDeadline.count() << " ms; last error: " << last_error;
  }
  const bool passed = PollUntil(deadline, [&] {
    return MetricValue(port, "gpufleet_scheduler_leader") == 1.0 &&
           MetricValue(port, "gpufleet_scheduling_pass_seconds_count").value_or(0) >= 1;
  });
  if (!passed) {
    return ::testing::AssertionFailure()
           << "'" << holder << "' leads but /metrics shows no completed leader pass";
  }
  return ::testing::AssertionSuccess();
}

// Fencing: a job started after `holder` took the lead (its last "started" event follows the
// epoch event of `holder`) is placed under that epoch, and no placement carries a later one.
inline std::vector<std::string> CheckEpochs(const std::vector<store::EventRecord>& events,
                                            const std::vector<store::JobRecord>& jobs,
                                            const std::string& holder) {
  std::vector<std::string> bad;
  int64_t epoch_event = -1;
  int64_t epoch = 0;
  std::map<uint64_t, int64_t> last_start;  // job -> event id
  for (const store::EventRecord& e : events) {
    if (e.kind == "epoch" && e.detail.ends_with(" " + holder)) {
      epoch_event = e.id;
      epoch = std::strtoll(e.detail.c_str(), nullptr, 10);
    } else if (e.kind == "started" && e.job.has_value()) {
      last_start[e.job->value()] = e.id;
    }
  }
  if (epoch_event < 0) return {"'" + holder + "' never led"};
  for (const store::JobRecord& j : jobs) {
    if (j.state != store::JobState::kRunning) continue;
    const bool after = last_start[j.id.value()] > epoch_event;
    for (const store::Placement& p : j.placements) {
      if (p.epoch > epoch || (after && p.epoch != epoch)) {
        bad.push_back("job " + std::to_string(j.id.value()) + " replica " +
                      std::to_string(p.replica) + " has epoch " + std::to_string(p.epoch) + "; '" +
                      holder + "' leads with epoch " + std::to_string(epoch) +
                      (after ? " and started it" : ""));
      }
    }
  }
  return bad;
}

// Waits for an event matching `match` after `after_event` in the store; when it appeared
// (steady clock), or nullopt at the deadline.
template <typename Match>
inline std::optional<SteadyClock::time_point> AwaitEvent(store::Store& s, int64_t after_event,
                                                         SteadyClock::time_point deadline,
                                                         Match match) {
  std::optional<SteadyClock::time_point> seen;
  int64_t after = after_event;
  PollUntil(deadline, [&] {
    for (const store::EventRecord& e : AllEvents(s, after)) {
      after = e.id;
      if (match(e)) {
        seen = SteadyClock::now();
        return true;
      }
    }
    return false;
  });
  return seen;
}

}  // namespace gpufleet::service_harness
