#pragma once
// A small Prometheus registry: counters, gauges and fixed-bucket histograms, each a family
// with named labels, rendered in the text exposition format 0.0.4.
//
// Thread safety: every method of every class here is safe to call concurrently. Families and
// series are created on first use and live as long as the registry, so the references the
// registry hands out stay valid until it is destroyed; hot paths should keep them.

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace gpufleet::api {

// A monotonically increasing value (requests served, jobs placed).
class Counter {
 public:
  // REQUIRES: amount >= 0 (a counter never goes down).
  void Increment(double amount = 1.0) { value_.fetch_add(amount, std::memory_order_relaxed); }
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

// A value that goes up and down (queue depth, free GPUs).
class Gauge {
 public:
  void Set(double value) { value_.store(value, std::memory_order_relaxed); }
  void Add(double amount) { value_.fetch_add(amount, std::memory_order_relaxed); }
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

// Observations counted into fixed buckets (upper bounds, inclusive), plus their sum.
class Histogram {
 public:
  // REQUIRES: upper_bounds strictly increasing and finite (+Inf is implicit).
  explicit Histogram(std::vector<double> upper_bounds);
  void Observe(double value);

  struct Snapshot {
    std::vector<double> upper_bounds;
    std::vector<uint64_t> cumulative;  // one per bound, then +Inf (== count)
    double sum = 0;
    uint64_t count = 0;
  };
  Snapshot Read() const;

 private:
  const std::vector<double> upper_bounds_;
  mutable std::mutex mu_;
  std::vector<uint64_t> bucket_counts_;  // guarded by mu_; non-cumulative, last is +Inf
  double sum_ = 0;                       // guarded by mu_
};

// Latency buckets in seconds, 0.5 ms to 10 s: scheduling passes, store commits, requests.
inline const std::vector<double>& LatencyBucketsSeconds() {
  static const std::vector<double> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                               0.1,    0.25,  0.5,    1.0,   2.5,  5.0,   10.0};
  return kBuckets;
}

// One metric name with its label names; a series per distinct tuple of label values.
template <typename Metric>
class Family {
 public:
  // Made by MetricsRegistry; `buckets` is used by histograms only.
  Family(std::vector<std::string> label_names, std::vector<double> buckets)
      : label_names_(std::move(label_names)), buckets_(std::move(buckets)) {}
  Family(const Family&) = delete;
  Family& operator=(const Family&) = delete;

  // REQUIRES: values.size() equals the family's label count.
  Metric& WithLabels(const std::vector<std::string>& values);
  // The shortcut for a family without labels.
  Metric& Get() { return WithLabels({}); }

  const std::vector<std::string>& label_names() const { return label_names_; }
  // Calls fn(label_values, metric) for each series in label-value order.
  template <typename Fn>
  void ForEach(Fn fn) const {
    const std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [values, metric] : series_) fn(values, *metric);
  }

 private:
  const std::vector<std::string> label_names_;
  const std::vector<double> buckets_;  // histograms only
  mutable std::mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<Metric>> series_;  // guarded by mu_
};

class MetricsRegistry {
 public:
  MetricsRegistry();
  ~MetricsRegistry();
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  // Declares a family, or returns the existing one of that name. Names and label names are
  // programmer constants: REQUIRES a valid Prometheus name ([a-zA-Z_:][a-zA-Z0-9_:]*), and a
  // re-declaration must use the same type and label names (checked by GPUFLEET_DCHECK).
  Family<Counter>& AddCounter(const std::string& name, const std::string& help,
                              std::vector<std::string> label_names = {});
  Family<Gauge>& AddGauge(const std::string& name, const std::string& help,
                          std::vector<std::string> label_names = {});
  Family<Histogram>& AddHistogram(const std::string& name, const std::string& help,
                                  std::vector<std::string> label_names,
                                  std::vector<double> upper_bounds);

  // Text exposition format 0.0.4: families sorted by name, each with HELP and TYPE lines,
  // series sorted by label values; histograms as cumulative `_bucket{le=...}` (ending at
  // +Inf), `_sum` and `_count`. Label values escape `\`, `"` and newline.
  std::string Render() const;

 private:
  enum class Type : uint8_t;
  struct Entry;
  Entry& Declare(const std::string& name, const std::string& help, Type type,
                 std::vector<std::string> label_names, std::vector<double> buckets);
  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Entry>> families_;  // guarded by mu_
};

}  // namespace gpufleet::api
