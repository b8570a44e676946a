// gpufleet_agent_load: the node agents' heartbeat load on one gpufleetd (issue 18 section 4,
// docs/benchmarks.md "Agent heartbeats"). N nodes of D devices each (distinct serials) report
// through POST /v1/nodes/{id}/reports:
//   1. warm-up: every node reports once, as fast as the server answers over the connections
//      (each a change: the service writes it to the store before answering);
//   2. the measured window: open loop at a fixed rate, report k due at start + k / rate, for
//      node k mod N, on connection k mod C. Nothing changed, so every report is a heartbeat.
// Latency counts from when a report was due, not when it was sent, so a server that falls
// behind shows it (no coordinated omission). The store writes during the window come from
// gpufleetd's /metrics (gpufleet_store_commit_seconds_count by op), read before and after.
//
// It speaks as admin, which may report for any node, over at most 64 keep-alive connections.
// Real agents use node tokens and one short-lived connection per report (docs/agent.md): at
// 125,000 nodes, keep-alive would hold 125,000 idle connections on the service.
//
//   gpufleet_agent_load --url http://127.0.0.1:8080 --token-file admin-token
//       --nodes 125000 --devices 8 --rate 4200 --connections 64 --seconds 60
//
// Output: one JSON object on stdout. Exit 0 when every report was answered 200, 3 otherwise.

#include <httplib.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

// One connection per worker; more would only queue on the service's 64 HTTP threads.
constexpr int kMaxConnections = 64;

struct Flags {
  std::string url = "http://127.0.0.1:8080";
  std::string token_file;
  int64_t nodes = 125'000;
  int devices = 8;
  double rate = 4200;  // reports per second in the measured window
  int connections = 64;
  double seconds = 60;
  std::string prefix = "load";  // nodes are <prefix>/n000000 ...
  // After the window, wait up to this long for a last-seen flush to commit (0 = do not).
  double await_flush_s = 0;
  // One phase only, so that a script can start other load between them.
  bool warmup_only = false;
  bool skip_warmup = false;
};

std::string NodeName(const Flags& flags, int64_t i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "/n%06lld", static_cast<long long>(i));
  return flags.prefix + buf;
}

// The report of node `i`: D H100 boards with serials and UUIDs no other node has. Written by
// hand rather than through a JSON library: the generator shares two cores with the service.
std::string ReportBody(const Flags& flags, int64_t i) {
  std::string body = "{\"node\":\"" + NodeName(flags, i) +
                     "\",\"agent_version\":\"0.1.0\",\"provider\":\"nvml\",\"devices\":[";
  for (int d = 0; d < flags.devices; ++d) {
    const long long n = static_cast<long long>(i) * flags.devices + d;
    char dev[512];
    std::snprintf(dev, sizeof dev,
                  "%s{\"vendor\":\"nvidia\",\"model\":\"NVIDIA H100 80GB HBM3\","
                  "\"serial\":\"%013lld\",\"uuid\":\"GPU-%08llx-0000-4000-8000-%012llx\","
                  "\"pci_bus_id\":\"00000000:%02X:00.0\",\"board_part_number\":"
                  "\"699-2G520-0200-000\",\"memory_bytes\":85520809984,"
                  "\"driver_version\":\"550.54.15\",\"firmware_version\":\"96.00.99.00.01\"}",
                  d == 0 ? "" : ",", 1650000000000LL + n, static_cast<unsigned long long>(i),
                  static_cast<unsigned long long>(n), 0x17 + d * 0x10);
    body += dev;
  }
  body += "]}";
  return body;
}

std::string ReportPath(const Flags& flags, int64_t i) {
  std::string name = NodeName(flags, i);
  std::string out = "/v1/nodes/";
  for (const char c : name) out += c == '/' ? std::string("%2F") : std::string(1, c);
  return out + "/reports";
}

// gpufleet_store_commit_seconds_count by op, from /metrics.
std::map<std::string, int64_t> StoreWrites(const std::string& url) {
  std::map<std::string, int64_t> out;
  httplib::Client client(url);
  const auto res = client.Get("/metrics");
  if (!res || res->status != 200) return out;
  std::istringstream lines(res->body);
  const std::string prefix = "gpufleet_store_commit_seconds_count{op=\"";
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with(prefix)) continue;
    const size_t quote = line.find('"', prefix.size());
    const size_t space = line.rfind(' ');
    if (quote == std::string::npos || space == std::string::npos) continue;
    out[line.substr(prefix.size(), quote - prefix.size())] =
        static_cast<int64_t>(std::stod(line.substr(space + 1)));
  }
  return out;
}

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  const size_t k = std::min(v.size() - 1, static_cast<size_t>(p / 100.0 * v.size()));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

struct Tally {
  std::vector<double> latencies_ms;
  int64_t errors = 0;
  int64_t changed = 0;  // answers with "changed": true
  std::string first_error;
};

// Sends node `i`'s report and records the answer in `t`; the latency from `due`.
void Report(httplib::Client& client, const httplib::Headers& headers, const Flags& flags, int64_t i,
            Clock::time_point due, Tally& t) {
  const auto res =
      client.Post(ReportPath(flags, i), headers, ReportBody(flags, i), "application/json");
  const double ms = std::chrono::duration<double, std::milli>(Clock::now() - due).count();
  if (res && res->status == 200) {
    t.latencies_ms.push_back(ms);
    // The answer is {"node", "changed", ...}: a substring test spares a parse per report.
    if (res->body.find("\"changed\":true") != std::string::npos) ++t.changed;
    return;
  }
  ++t.errors;
  if (t.first_error.empty()) {
    t.first_error =
        res ? std::to_string(res->status) + " " + res->body : httplib::to_string(res.error());
  }
}

std::unique_ptr<httplib::Client> Connect(const std::string& url) {
  auto client = std::make_unique<httplib::Client>(url);
  client->set_keep_alive(true);
  client->set_tcp_nodelay(true);
  client->set_read_timeout(30);
  return client;
}

// Runs `body(connection index, tally)` on C threads and merges their tallies.
template <typename Fn>
Tally OnConnections(int connections, Fn body) {
  std::vector<Tally> tallies(static_cast<size_t>(connections));
  std::vector<std::thread> threads;
  for (int c = 0; c < connections; ++c) {
    threads.emplace_back([&, c] { body(c, tallies[static_cast<size_t>(c)]); });
  }
  for (std::thread& t : threads) t.join();
  Tally all;
  for (Tally& t : tallies) {
    all.latencies_ms.insert(all.latencies_ms.end(), t.latencies_ms.begin(), t.latencies_ms.end());
    all.errors += t.errors;
    all.changed += t.changed;
    if (all.first_error.empty()) all.first_error = t.first_error;
  }
  return all;
}

nlohmann::ordered_json Summary(Tally& t, double seconds) {
  nlohmann::ordered_json out = {
      {"seconds", seconds},
      {"answered", t.latencies_ms.size()},
      {"errors", t.errors},
      {"changed", t.changed},
      {"per_second", static_cast<double>(t.latencies_ms.size()) / seconds},
      {"p50_ms", Percentile(t.latencies_ms, 50)},
      {"p90_ms", Percentile(t.latencies_ms, 90)},
      {"p99_ms", Percentile(t.latencies_ms, 99)},
      {"p999_ms", Percentile(t.latencies_ms, 99.9)},
      {"max_ms", t.latencies_ms.empty()
                     ? 0.0
                     : *std::max_element(t.latencies_ms.begin(), t.latencies_ms.end())}};
  if (!t.first_error.empty()) out["first_error"] = t.first_error;
  return out;
}

nlohmann::ordered_json Delta(const std::map<std::string, int64_t>& before,
                             const std::map<std::string, int64_t>& after) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const auto& [op, n] : after) {
    const auto it = before.find(op);
    out[op] = n - (it == before.end() ? 0 : it->second);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"gpufleet_agent_load: node agents' heartbeats against gpufleetd"};
  Flags flags;
  app.add_option("--url", flags.url)->capture_default_str();
  app.add_option("--token-file", flags.token_file, "file holding an admin token")->required();
  app.add_option("--nodes", flags.nodes, "nodes reporting")
      ->check(CLI::Range(int64_t{1}, int64_t{250'000}))
      ->capture_default_str();
  app.add_option("--devices", flags.devices, "devices per node")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  app.add_option("--rate", flags.rate, "reports per second in the measured window")
      ->check(CLI::Range(1.0, 1e6))
      ->capture_default_str();
  app.add_option("--connections", flags.connections, "keep-alive connections")
      ->check(CLI::Range(1, kMaxConnections))
      ->capture_default_str();
  app.add_option("--seconds", flags.seconds, "length of the measured window")
      ->check(CLI::Range(0.1, 86400.0))
      ->capture_default_str();
  app.add_option("--prefix", flags.prefix, "node names are PREFIX/n000000, ...")
      ->capture_default_str();
  app.add_option("--await-flush-s", flags.await_flush_s,
                 "after the window, wait up to this long for gpufleetd to write a batch of "
                 "last-seen times (0 = do not wait)")
      ->check(CLI::Range(0.0, 3600.0))
      ->capture_default_str();
  auto* warmup_only =
      app.add_flag("--warmup-only", flags.warmup_only, "run the warm-up only, then exit");
  app.add_flag("--skip-warmup", flags.skip_warmup,
               "start with the measured window (the nodes reported before)")
      ->excludes(warmup_only);
  CLI11_PARSE(app, argc, argv);

  std::ifstream tf(flags.token_file);
  std::string token;
  if (!(tf >> token)) {
    std::fprintf(stderr, "gpufleet_agent_load: cannot read a token from '%s'\n",
                 flags.token_file.c_str());
    return 1;
  }
  const httplib::Headers headers = {{"Authorization", "Bearer " + token}};

  // 1. Warm-up: each node once, closed loop (the next as soon as one is answered).
  std::atomic<int64_t> next{0};
  const auto warm_start = Clock::now();
  Tally warm = OnConnections(flags.connections, [&](int, Tally& t) {
    if (flags.skip_warmup) return;
    auto client = Connect(flags.url);
    for (int64_t i = next.fetch_add(1); i < flags.nodes; i = next.fetch_add(1)) {
      Report(*client, headers, flags, i, Clock::now(), t);
    }
  });
  const double warm_seconds = std::chrono::duration<double>(Clock::now() - warm_start).count();
  if (flags.warmup_only) {
    std::printf("%s\n", nlohmann::ordered_json({{"nodes", flags.nodes},
                                                {"devices_per_node", flags.devices},
                                                {"connections", flags.connections},
                                                {"warmup", Summary(warm, warm_seconds)}})
                            .dump(2)
                            .c_str());
    return warm.errors == 0 ? 0 : 3;
  }

  // 2. The measured window, open loop.
  const std::map<std::string, int64_t> writes_before = StoreWrites(flags.url);
  const auto start = Clock::now();
  const int64_t total = static_cast<int64_t>(flags.rate * flags.seconds);
  Tally window = OnConnections(flags.connections, [&](int c, Tally& t) {
    auto client = Connect(flags.url);
    for (int64_t k = c; k < total; k += flags.connections) {
      const auto due =
          start + std::chrono::duration_cast<Clock::duration>(
                      std::chrono::duration<double>(static_cast<double>(k) / flags.rate));
      std::this_thread::sleep_until(due);
      Report(*client, headers, flags, k % flags.nodes, due, t);
    }
  });
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  const std::map<std::string, int64_t> writes_after = StoreWrites(flags.url);

  nlohmann::ordered_json out = {{"nodes", flags.nodes},
                                {"devices_per_node", flags.devices},
                                {"connections", flags.connections},
                                {"target_per_second", flags.rate},
                                {"warmup", Summary(warm, warm_seconds)},
                                {"window", Summary(window, seconds)},
                                {"store_writes_in_window", Delta(writes_before, writes_after)}};

  // 3. Optionally, the flush of the window's last-seen times (polled, with a deadline).
  if (flags.await_flush_s > 0) {
    const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                             std::chrono::duration<double>(flags.await_flush_s));
    const auto flushes = [](const std::map<std::string, int64_t>& w) {
      const auto it = w.find("last_seen");
      return it == w.end() ? int64_t{0} : it->second;
    };
    int64_t flushed = 0;
    while ((flushed = flushes(StoreWrites(flags.url)) - flushes(writes_after)) == 0 &&
           Clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    out["last_seen_flushes_after_window"] = flushed;
  }
  std::printf("%s\n", out.dump(2).c_str());
  return warm.errors == 0 && window.errors == 0 ? 0 : 3;
}
