#include "gpufleet/api/metrics.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace gpufleet::api {
namespace {

TEST(MetricsRegistryTest, RendersTextFormatWithEscapingAndCumulativeBuckets) {
  MetricsRegistry registry;
  registry.AddCounter("jobs_submitted_total", "Jobs submitted").Get().Increment(3);
  registry.AddGauge("queue_depth", "Pending jobs\\by queue\nper queue", {"queue"})
      .WithLabels({"a\"b\\c\nd"})
      .Set(2.5);
  Family<Histogram>& commit =
      registry.AddHistogram("commit_seconds", "Commit latency", {"backend"}, {0.1, 1});
  for (const double seconds : {0.25, 0.5, 3.0, 1.0}) {
    commit.WithLabels({"sqlite"}).Observe(seconds);
  }

  EXPECT_EQ(registry.Render(),
            "# HELP commit_seconds Commit latency\n"
            "# TYPE commit_seconds histogram\n"
            "commit_seconds_bucket{backend=\"sqlite\",le=\"0.1\"} 0\n"
            "commit_seconds_bucket{backend=\"sqlite\",le=\"1\"} 3\n"
            "commit_seconds_bucket{backend=\"sqlite\",le=\"+Inf\"} 4\n"
            "commit_seconds_sum{backend=\"sqlite\"} 4.75\n"
            "commit_seconds_count{backend=\"sqlite\"} 4\n"
            "# HELP jobs_submitted_total Jobs submitted\n"
            "# TYPE jobs_submitted_total counter\n"
            "jobs_submitted_total 3\n"
            "# HELP queue_depth Pending jobs\\\\by queue\\nper queue\n"
            "# TYPE queue_depth gauge\n"
            "queue_depth{queue=\"a\\\"b\\\\c\\nd\"} 2.5\n");
}

TEST(MetricsRegistryTest, UnlabelledHistogramAndSortedSeries) {
  MetricsRegistry registry;
  registry.AddHistogram("h", "H", {}, {1}).Get().Observe(0.5);
  Family<Counter>& requests = registry.AddCounter("r_total", "R", {"code"});
  requests.WithLabels({"500"}).Increment();
  requests.WithLabels({"200"}).Increment(2);
  EXPECT_EQ(registry.Render(),
            "# HELP h H\n# TYPE h histogram\n"
            "h_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 1\nh_sum 0.5\nh_count 1\n"
            "# HELP r_total R\n# TYPE r_total counter\n"
            "r_total{code=\"200\"} 2\nr_total{code=\"500\"} 1\n");
}

TEST(MetricsRegistryTest, RedeclaringReturnsTheSameFamily) {
  MetricsRegistry registry;
  Family<Counter>& first = registry.AddCounter("c_total", "C", {"x"});
  Family<Counter>& second = registry.AddCounter("c_total", "C", {"x"});
  EXPECT_EQ(&first, &second);
  EXPECT_EQ(&first.WithLabels({"a"}), &second.WithLabels({"a"}));
}

TEST(MetricsRegistryTest, BucketBoundsAreInclusive) {
  Histogram histogram({1, 2});
  histogram.Observe(1);
  histogram.Observe(2);
  histogram.Observe(2.5);
  const Histogram::Snapshot snap = histogram.Read();
  EXPECT_EQ(snap.cumulative, (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(snap.count, 3u);
  EXPECT_DOUBLE_EQ(snap.sum, 5.5);
}

TEST(MetricsRegistryTest, ConcurrentUpdatesAreAllCounted) {
  MetricsRegistry registry;
  Family<Counter>& counter = registry.AddCounter("n_total", "N", {"thread"});
  Family<Histogram>& histogram = registry.AddHistogram("lat", "L", {}, LatencyBucketsSeconds());
  constexpr int kThreads = 8;
  constexpr int kPerThread = 1000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        counter.WithLabels({std::to_string(t % 2)}).Increment();
        histogram.Get().Observe(0.001);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(counter.WithLabels({"0"}).Value() + counter.WithLabels({"1"}).Value(),
            kThreads * kPerThread);
  EXPECT_EQ(histogram.Get().Read().count, static_cast<uint64_t>(kThreads * kPerThread));
}

}  // namespace
}  // namespace gpufleet::api
