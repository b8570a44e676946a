#include "gpufleet/api/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "model/dcheck.h"

namespace gpufleet::api {

enum class MetricsRegistry::Type : uint8_t { kCounter, kGauge, kHistogram };

struct MetricsRegistry::Entry {
  std::string help;
  Type type;
  std::unique_ptr<Family<Counter>> counters;
  std::unique_ptr<Family<Gauge>> gauges;
  std::unique_ptr<Family<Histogram>> histograms;
};

namespace {

bool ValidName(std::string_view name, bool allow_colon) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (allow_colon && c == ':');
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

// Go's strconv.FormatFloat(v, 'g', -1, 64) as the Prometheus clients print: the shortest text
// that reads back as the same double, with +Inf/-Inf/NaN spelled the Prometheus way.
std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, ec == std::errc() ? end : buf);
}

void AppendEscaped(std::string& out, std::string_view text, bool escape_quote) {
  for (const char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && escape_quote) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
}

// `{a="x",b="y"}`, or nothing when there are no labels. `extra` is appended last (le=).
std::string LabelSet(const std::vector<std::string>& names, const std::vector<std::string>& values,
                     std::string_view extra_name = {}, std::string_view extra_value = {}) {
  if (names.empty() && extra_name.empty()) return "";
  std::string out = "{";
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ',';
    out += names[i];
    out += "=\"";
    AppendEscaped(out, values[i], /*escape_quote=*/true);
    out += '"';
  }
  if (!extra_name.empty()) {
    if (!names.empty()) out += ',';
    out += extra_name;
    out += "=\"";
    out += extra_value;
    out += '"';
  }
  out += '}';
  return out;
}

template <typename Metric>
std::unique_ptr<Metric> MakeMetric(const std::vector<double>& buckets) {
  if constexpr (std::is_same_v<Metric, Histogram>) {
    return std::make_unique<Histogram>(buckets);
  } else {
    return std::make_unique<Metric>();
  }
}

}  // namespace

Histogram::Histogram(std::vector<double> upper_bounds)
    : upper_bounds_(std::move(upper_bounds)), bucket_counts_(upper_bounds_.size() + 1, 0) {
  GPUFLEET_DCHECK(std::is_sorted(upper_bounds_.begin(), upper_bounds_.end()));
}

void Histogram::Observe(double value) {
  // Bounds are inclusive upper limits: the first bound >= value takes the observation.
  const size_t bucket = static_cast<size_t>(
      std::lower_bound(upper_bounds_.begin(), upper_bounds_.end(), value) - upper_bounds_.begin());
  const std::lock_guard<std::mutex> lock(mu_);
  ++bucket_counts_[bucket];
  sum_ += value;
}

Histogram::Snapshot Histogram::Read() const {
  Snapshot snap;
  snap.upper_bounds = upper_bounds_;
  const std::lock_guard<std::mutex> lock(mu_);
  uint64_t running = 0;
  for (size_t i = 0; i < bucket_counts_.size(); ++i) {
    running += bucket_counts_[i];
    snap.cumulative.push_back(running);
  }
  snap.count = running;
  snap.sum = sum_;
  return snap;
}

template <typename Metric>
Metric& Family<Metric>::WithLabels(const std::vector<std::string>& values) {
  GPUFLEET_DCHECK(values.size() == label_names_.size());
  const std::lock_guard<std::mutex> lock(mu_);
  auto it = series_.find(values);
  if (it == series_.end()) it = series_.emplace(values, MakeMetric<Metric>(buckets_)).first;
  return *it->second;
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

MetricsRegistry::MetricsRegistry() = default;
MetricsRegistry::~MetricsRegistry() = default;

MetricsRegistry::Entry& MetricsRegistry::Declare(const std::string& name, const std::string& help,
                                                 Type type, std::vector<std::string> label_names,
                                                 std::vector<double> buckets) {
  GPUFLEET_DCHECK(ValidName(name, /*allow_colon=*/true));
  for (const std::string& label : label_names) {
    GPUFLEET_DCHECK(ValidName(label, /*allow_colon=*/false) && label != "le");
  }
  const std::lock_guard<std::mutex> lock(mu_);
  auto it = families_.find(name);
  if (it != families_.end()) {
    Entry& existing = *it->second;
    GPUFLEET_DCHECK(existing.type == type);
    return existing;
  }
  auto entry = std::make_unique<Entry>();
  entry->help = help;
  entry->type = type;
  switch (entry->type) {
    case Type::kCounter:
      entry->counters = std::make_unique<Family<Counter>>(std::move(label_names), buckets);
      break;
    case Type::kGauge:
      entry->gauges = std::make_unique<Family<Gauge>>(std::move(label_names), buckets);
      break;
    case Type::kHistogram:
      entry->histograms = std::make_unique<Family<Histogram>>(std::move(label_names), buckets);
      break;
  }
  return *families_.emplace(name, std::move(entry)).first->second;
}

Family<Counter>& MetricsRegistry::AddCounter(const std::string& name, const std::string& help,
                                             std::vector<std::string> label_names) {
  return *Declare(name, help, Type::kCounter, std::move(label_names), {}).counters;
}

Family<Gauge>& MetricsRegistry::AddGauge(const std::string& name, const std::string& help,
                                         std::vector<std::string> label_names) {
  return *Declare(name, help, Type::kGauge, std::move(label_names), {}).gauges;
}

Family<Histogram>& MetricsRegistry::AddHistogram(const std::string& name, const std::string& help,
                                                 std::vector<std::string> label_names,
                                                 std::vector<double> upper_bounds) {
  return *Declare(name, help, Type::kHistogram, std::move(label_names), std::move(upper_bounds))
              .histograms;
}

std::string MetricsRegistry::Render() const {
  std::string out;
  const std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [name, entry] : families_) {
    out += "# HELP " + name + ' ';
    AppendEscaped(out, entry->help, /*escape_quote=*/false);
    const char* type_name = entry->type == Type::kCounter ? "counter"
                            : entry->type == Type::kGauge ? "gauge"
                                                          : "histogram";
    out += "\n# TYPE " + name + ' ' + type_name + '\n';
    switch (entry->type) {
      case Type::kCounter:
      case Type::kGauge: {
        const auto emit = [&](const std::vector<std::string>& values, const auto& metric) {
          out += name +
                 LabelSet(entry->type == Type::kCounter ? entry->counters->label_names()
                                                        : entry->gauges->label_names(),
                          values) +
                 ' ' + FormatValue(metric.Value()) + '\n';
        };
        if (entry->counters) entry->counters->ForEach(emit);
        if (entry->gauges) entry->gauges->ForEach(emit);
        break;
      }
      case Type::kHistogram: {
        const auto& names = entry->histograms->label_names();
        entry->histograms->ForEach([&](const std::vector<std::string>& values,
                                       const Histogram& histogram) {
          const Histogram::Snapshot snap = histogram.Read();
          for (size_t i = 0; i < snap.cumulative.size(); ++i) {
            const std::string le =
                i < snap.upper_bounds.size() ? FormatValue(snap.upper_bounds[i]) : "+Inf";
            out += name + "_bucket" + LabelSet(names, values, "le", le) + ' ' +
                   std::to_string(snap.cumulative[i]) + '\n';
          }
          out += name + "_sum" + LabelSet(names, values) + ' ' + FormatValue(snap.sum) + '\n';
          out +=
              name + "_count" + LabelSet(names, values) + ' ' + std::to_string(snap.count) + '\n';
        });
        break;
      }
    }
  }
  return out;
}

}  // namespace gpufleet::api
