// gpufleet_loadgen: an end-to-end load generator for gpufleetd. Worker threads, each with its
// own keep-alive connection, submit jobs (POST /v1/jobs) — or, with --inventory, inventory
// changes (POST /v1/inventory/changes, one move each) — as fast as the server acknowledges
// them, or at a fixed total rate, for a given time; then it prints throughput and
// acknowledgement latency percentiles, and, with --verify, checks that every acknowledged job
// is stored (GET /v1/jobs pages with an admin token) or that every acknowledged change got its
// own ledger index. With --proofs, each request asks for the inclusion proof of a random entry
// of the ledger instead (GET /v1/ledger/proof/inclusion).
//
//   gpufleet_loadgen --url http://127.0.0.1:8080 --token-file out/gpufleetd/admin-token
//       --tenant llm-training --tenant chat-inference --threads 32 --seconds 10
//
// Output: one JSON object on stdout (docs/benchmarks.md quotes it).

#include <httplib.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace {

struct Flags {
  std::string url = "http://127.0.0.1:8080";
  std::string token_file;
  std::vector<std::string> tenants;
  int threads = 32;
  double seconds = 10;
  double rate = 0;  // total submissions per second; 0 = as fast as acknowledged
  int64_t job_seconds = 60;
  bool verify = false;
  // Inventory changes instead of jobs: each request moves one asset to a new node at its own
  // site (always allowed, and always a new ledger entry).
  bool inventory = false;
  // Inclusion proofs of random entries instead (reads; the log is not changed).
  bool proofs = false;
  uint64_t seed = 1;
};

struct AssetRef {
  std::string serial, site;
};

// Up to `max` active assets, by serial.
std::vector<AssetRef> ActiveAssets(httplib::Client& client, const httplib::Headers& headers,
                                   size_t max) {
  std::vector<AssetRef> out;
  std::string after;
  while (out.size() < max) {
    auto res = client.Get(
        "/v1/assets?status=active&limit=1000" + (after.empty() ? "" : "&after=" + after), headers);
    if (!res || res->status != 200) break;
    const nlohmann::json page = nlohmann::json::parse(res->body);
    for (const nlohmann::json& a : page["assets"]) out.push_back({a["serial"], a["site"]});
    if (page["next_after"].is_null()) break;
    after = page["next_after"].get<std::string>();
  }
  return out;
}

struct WorkerResult {
  std::vector<double> latencies_ms;
  std::vector<int64_t> ids;
  int64_t errors = 0;
  std::string first_error;
};

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  const size_t k = std::min(v.size() - 1, static_cast<size_t>(p / 100.0 * v.size()));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

// A mix like the Alibaba trace's: mostly one GPU or less, some 2-8 GPU jobs, a few gangs.
nlohmann::json JobBody(uint64_t n, const Flags& flags) {
  nlohmann::json body = {{"name", "load-" + std::to_string(n)},
                         {"duration_s", flags.job_seconds},
                         {"priority", static_cast<int>(n % 3)}};
  const uint64_t kind = (n * 2654435761u) % 100;
  if (kind < 30) {
    body["gpus"] = 0.5;
  } else if (kind < 80) {
    body["gpus"] = 1;
  } else if (kind < 95) {
    body["gpus"] = 4;
  } else {
    body["gpus"] = 8;
    body["replicas"] = 2;
  }
  if (!flags.tenants.empty()) body["tenant"] = flags.tenants[n % flags.tenants.size()];
  return body;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"gpufleet_loadgen: submission load against gpufleetd"};
  Flags flags;
  app.add_option("--url", flags.url)->capture_default_str();
  app.add_option("--token-file", flags.token_file, "file holding an admin token")->required();
  app.add_option("--tenant", flags.tenants, "tenant to submit for (repeatable, round-robin)");
  app.add_flag("--inventory", flags.inventory, "send inventory changes (moves) instead of jobs");
  app.add_flag("--proofs", flags.proofs, "ask for inclusion proofs of random ledger entries");
  app.add_option("--seed", flags.seed, "random entries for --proofs")->capture_default_str();
  app.add_option("--threads", flags.threads, "concurrent connections")->capture_default_str();
  app.add_option("--seconds", flags.seconds, "how long to submit")->capture_default_str();
  app.add_option("--rate", flags.rate, "total submissions per second (0 = unthrottled)")
      ->capture_default_str();
  app.add_option("--job-seconds", flags.job_seconds, "run time of each job")->capture_default_str();
  app.add_flag("--verify", flags.verify, "check afterwards that every acknowledged job is stored");
  CLI11_PARSE(app, argc, argv);

  std::ifstream tf(flags.token_file);
  std::string token;
  if (!(tf >> token)) {
    std::fprintf(stderr, "gpufleet_loadgen: cannot read a token from '%s'\n",
                 flags.token_file.c_str());
    return 1;
  }
  const httplib::Headers headers = {{"Authorization", "Bearer " + token}};
  if (!flags.inventory && !flags.proofs && flags.tenants.empty()) {
    std::fprintf(stderr, "gpufleet_loadgen: give --tenant (jobs), --inventory or --proofs\n");
    return 1;
  }
  std::vector<AssetRef> assets;
  if (flags.inventory) {
    httplib::Client client(flags.url);
    assets = ActiveAssets(client, headers, 100'000);
    if (assets.empty()) {
      std::fprintf(stderr, "gpufleet_loadgen: no active assets to move\n");
      return 1;
    }
  }

  int64_t tree_size = 0;
  if (flags.proofs) {
    httplib::Client client(flags.url);
    auto res = client.Get("/v1/ledger/proof/inclusion?index=0", headers);
    if (!res || res->status != 200) {
      std::fprintf(stderr, "gpufleet_loadgen: no ledger to prove from: %s\n",
                   res ? res->body.c_str() : httplib::to_string(res.error()).c_str());
      return 1;
    }
    tree_size = nlohmann::json::parse(res->body)["tree_size"].get<int64_t>();
  }

  std::atomic<uint64_t> counter{0};
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + std::chrono::duration<double>(flags.seconds);
  std::vector<WorkerResult> results(flags.threads);
  std::vector<std::thread> workers;
  for (int t = 0; t < flags.threads; ++t) {
    workers.emplace_back([&, t] {
      httplib::Client client(flags.url);
      client.set_keep_alive(true);
      client.set_tcp_nodelay(true);
      client.set_read_timeout(30);
      WorkerResult& r = results[t];
      std::mt19937_64 random(flags.seed * 1000 + static_cast<uint64_t>(t));
      for (;;) {
        const uint64_t n = counter.fetch_add(1);
        // Latency counts from when the submission was due, so a server that falls behind an
        // open-loop rate shows it (no coordinated omission).
        auto sent = std::chrono::steady_clock::now();
        if (flags.rate > 0) {  // open loop: submission n is due at n / rate
          const auto due = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                       std::chrono::duration<double>(n / flags.rate));
          if (due >= deadline) break;
          std::this_thread::sleep_until(due);
          sent = due;
        } else if (sent >= deadline) {
          break;
        }
        const auto send = [&] {
          if (flags.proofs) {
            const uint64_t index = random() % static_cast<uint64_t>(tree_size);
            return client.Get("/v1/ledger/proof/inclusion?index=" + std::to_string(index) +
                                  "&tree_size=" + std::to_string(tree_size),
                              headers);
          }
          if (!flags.inventory) {
            return client.Post("/v1/jobs", headers, JobBody(n, flags).dump(), "application/json");
          }
          const AssetRef& a = assets[n % assets.size()];
          const nlohmann::json change = {{"kind", "move"},
                                         {"serial", a.serial},
                                         {"site", a.site},
                                         {"node", "lg-" + std::to_string(n)}};
          return client.Post("/v1/inventory/changes", headers,
                             nlohmann::json({{"changes", {change}}}).dump(), "application/json");
        };
        httplib::Result res = send();
        const double ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - sent)
                .count();
        const int ok_status = flags.inventory || flags.proofs ? 200 : 201;
        if (res && res->status == ok_status) {
          r.latencies_ms.push_back(ms);
          const nlohmann::json body = nlohmann::json::parse(res->body);
          if (flags.proofs) {
            r.ids.push_back(static_cast<int64_t>(body["hashes"].size()));
          } else {
            r.ids.push_back(flags.inventory ? body["results"][0]["index"].get<int64_t>()
                                            : body["id"].get<int64_t>());
          }
        } else {
          ++r.errors;
          if (r.first_error.empty()) {
            r.first_error = res ? std::to_string(res->status) + " " + res->body
                                : httplib::to_string(res.error());
          }
        }
      }
    });
  }
  for (std::thread& w : workers) w.join();
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  std::vector<double> latencies;
  std::vector<int64_t> ids;
  int64_t errors = 0;
  std::string first_error;
  for (WorkerResult& r : results) {
    latencies.insert(latencies.end(), r.latencies_ms.begin(), r.latencies_ms.end());
    ids.insert(ids.end(), r.ids.begin(), r.ids.end());
    errors += r.errors;
    if (first_error.empty()) first_error = r.first_error;
  }
  nlohmann::ordered_json out = {
      {"threads", flags.threads},
      {"seconds", elapsed},
      {"acknowledged", latencies.size()},
      {"errors", errors},
      {"per_second", static_cast<double>(latencies.size()) / elapsed},
      {"p50_ms", Percentile(latencies, 50)},
      {"p90_ms", Percentile(latencies, 90)},
      {"p99_ms", Percentile(latencies, 99)},
      {"max_ms", latencies.empty() ? 0.0 : *std::max_element(latencies.begin(), latencies.end())}};
  if (!first_error.empty()) out["first_error"] = first_error;

  if (flags.proofs) {
    int64_t hashes = 0;
    for (const int64_t n : ids) hashes += n;
    out["tree_size"] = tree_size;
    out["hashes_per_proof"] = ids.empty() ? 0.0 : static_cast<double>(hashes) / ids.size();
  } else if (flags.verify && flags.inventory) {
    // Each acknowledged change is its own entry, and the entries are in the log.
    const std::set<int64_t> distinct(ids.begin(), ids.end());
    int64_t missing = static_cast<int64_t>(ids.size() - distinct.size());
    httplib::Client client(flags.url);
    for (const int64_t index : distinct) {
      if (index % 997 != 0) continue;  // a sample: one entry read per index
      auto res = client.Get(
          "/v1/ledger/entries?start=" + std::to_string(index) + "&end=" + std::to_string(index + 1),
          headers);
      if (!res || res->status != 200) ++missing;
    }
    out["verified_missing"] = missing;
  } else if (flags.verify) {
    std::set<int64_t> stored;
    httplib::Client client(flags.url);
    int64_t after = 0;
    for (;;) {
      const std::string cursor = after > 0 ? "&after=" + std::to_string(after) : "";
      auto res = client.Get("/v1/jobs?limit=1000" + cursor, headers);
      if (!res || res->status != 200) {
        std::fprintf(stderr, "gpufleet_loadgen: listing jobs failed: %s\n",
                     res ? (std::to_string(res->status) + " " + res->body).c_str()
                         : httplib::to_string(res.error()).c_str());
        return 1;
      }
      const nlohmann::json page = nlohmann::json::parse(res->body);
      for (const nlohmann::json& j : page["jobs"]) stored.insert(j["id"].get<int64_t>());
      if (!page["next"].is_number()) break;
      after = page["next"].get<int64_t>();
    }
    int64_t missing = 0;
    for (int64_t id : ids) missing += stored.count(id) == 0 ? 1 : 0;
    out["verified_missing"] = missing;
  }
  std::printf("%s\n", out.dump(2).c_str());
  return errors == 0 ? 0 : 3;
}
