// What of the node agents' reports survives a restart (service/observed_nodes_store.h): a
// change is written at once and a heartbeat not at all, until the last-seen flush writes the
// times of every node heard in one batch; a restart reads first_seen, last_change and
// last_seen back; a failed write is made good by the next report or the next flush; a clean
// stop flushes. The flusher is driven by explicit Flush() and Stop() calls, never by waiting.

#include "gpufleet/service/observed_nodes_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>

#include "gpufleet/api/metrics.h"
#include "gpufleet/service/metered_store.h"
#include "service/outage_store.h"

namespace gpufleet::service {
namespace {

NodeReport ReportOf(const std::string& node, const std::string& serial) {
  NodeReport r;
  r.node = node;
  r.agent_version = "0.1.0";
  r.provider = "nvml";
  ObservedDevice d;
  d.vendor = "nvidia";
  d.model = "NVIDIA H100 80GB HBM3";
  d.serial = serial;
  d.memory_bytes = 85'520'809'984;
  r.devices.push_back(d);
  return r;
}

class ObservedNodesStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = ::testing::TempDir() + "/gpufleet_observed_" + test->name() + "_" +
           std::to_string(::getpid());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    Reopen();
  }
  void TearDown() override {
    metered_.reset();
    std::filesystem::remove_all(dir_);
  }

  // A fresh Store on the same file, as a restarted service opens it.
  void Reopen() {
    metered_.reset();
    metrics_ = std::make_unique<api::MetricsRegistry>();
    auto opened = store::OpenSqliteStore(dir_ + "/gpufleet.db");
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    metered_ = std::make_unique<MeteredStore>(std::move(opened).value(), *metrics_);
  }

  // Store writes of `op` so far (gpufleet_store_commit_seconds_count).
  int64_t Writes(const std::string& op) const {
    std::istringstream lines(metrics_->Render());
    const std::string key = "gpufleet_store_commit_seconds_count{op=\"" + op + "\"} ";
    for (std::string line; std::getline(lines, line);) {
      if (line.starts_with(key)) return std::stoll(line.substr(key.size()));
    }
    return 0;
  }

  // Records `report` at `now_ms` and, when it is a change, saves it, as the API does.
  bool Report(ObservedNodes& observed, store::Store& store, const NodeReport& report,
              int64_t now_ms) {
    Result<RecordOutcome> outcome = observed.Record(report, now_ms);
    EXPECT_TRUE(outcome.ok()) << outcome.status().ToString();
    if (outcome.ok() && outcome->changed) {
      const Status s = SaveObservedNode(store, observed, report.node);
      EXPECT_TRUE(s.ok()) << s.ToString();
    }
    return outcome.ok() && outcome->changed;
  }

  std::string dir_;
  std::unique_ptr<api::MetricsRegistry> metrics_;
  std::unique_ptr<MeteredStore> metered_;
};

TEST_F(ObservedNodesStoreTest, AHeartbeatIsNotWrittenAndTheFlushWritesAllHeardInOneBatch) {
  ObservedNodes observed;
  LastSeenFlusher flusher(observed, *metered_, std::chrono::hours(1));
  EXPECT_TRUE(Report(observed, *metered_, ReportOf("sg-0/n0", "S0"), 100));
  EXPECT_TRUE(Report(observed, *metered_, ReportOf("sg-0/n1", "S1"), 100));
  EXPECT_EQ(Writes("observed"), 2);
  for (int64_t t = 200; t < 5200; t += 100) {
    EXPECT_FALSE(Report(observed, *metered_, ReportOf("sg-0/n0", "S0"), t));
    EXPECT_FALSE(Report(observed, *metered_, ReportOf("sg-0/n1", "S1"), t + 1));
  }
  EXPECT_EQ(Writes("observed"), 2);
  EXPECT_EQ(Writes("last_seen"), 0);

  ASSERT_TRUE(flusher.Flush().ok());
  EXPECT_EQ(Writes("last_seen"), 1);
  ASSERT_TRUE(flusher.Flush().ok());  // nothing heard since: no write at all
  EXPECT_EQ(Writes("last_seen"), 1);
  auto rows = metered_->ListObservedNodes();
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].last_seen_ms, 5100);
  EXPECT_EQ((*rows)[1].last_seen_ms, 5101);
}

TEST_F(ObservedNodesStoreTest, AFlushWritesInChunksSoOtherWritersCommitBetweenThem) {
  ObservedNodes observed;
  LastSeenFlusher flusher(observed, *metered_, std::chrono::hours(1));
  const int64_t nodes = static_cast<int64_t>(kLastSeenChunk) + 1;
  for (int64_t i = 0; i < nodes; ++i) {
    EXPECT_TRUE(Report(observed, *metered_, ReportOf("n" + std::to_string(i), "S"), 100));
    EXPECT_FALSE(Report(observed, *metered_, ReportOf("n" + std::to_string(i), "S"), 200 + i));
  }
  ASSERT_TRUE(flusher.Flush().ok());
  EXPECT_EQ(Writes("last_seen"), 2);
  auto rows = metered_->ListObservedNodes();
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), static_cast<size_t>(nodes));
  for (const store::ObservedNodeRow& r : *rows) {
    EXPECT_EQ(r.last_seen_ms, 200 + std::stoll(r.node.substr(1))) << r.node;
  }
}

TEST_F(ObservedNodesStoreTest, ARestartRestoresFirstSeenLastChangeAndLastSeen) {
  {
    ObservedNodes observed;
    LastSeenFlusher flusher(observed, *metered_, std::chrono::hours(1));
    EXPECT_TRUE(Report(observed, *metered_, ReportOf("sg-0/n0", "S0"), 100));
    EXPECT_FALSE(Report(observed, *metered_, ReportOf("sg-0/n0", "S0"), 200));
    EXPECT_TRUE(Report(observed, *metered_, ReportOf("sg-0/n0", "S9"), 300));  // board swapped
    EXPECT_FALSE(Report(observed, *metered_, ReportOf("sg-0/n0", "S9"), 400));
    ASSERT_TRUE(flusher.Stop().ok());  // a clean stop flushes
  }
  Reopen();
  ObservedNodes restored;
  ASSERT_TRUE(LoadObservedNodes(*metered_, restored).ok());
  ASSERT_EQ(restored.size(), 1u);
  const std::optional<ObservedNode> n = restored.Get("sg-0/n0");
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(n->report, ReportOf("sg-0/n0", "S9"));
  EXPECT_EQ(n->first_seen_ms, 100);
  EXPECT_EQ(n->last_change_ms, 300);
  EXPECT_EQ(n->last_seen_ms, 400);
  EXPECT_EQ(n->reports, 0);  // none since this start
  // The restored report is the one held: the agent's next equal report is a heartbeat.
  EXPECT_FALSE(Report(restored, *metered_, ReportOf("sg-0/n0", "S9"), 500));
}

TEST_F(ObservedNodesStoreTest, AStopFlushesWhatARunningFlusherHasNotYet) {
  ObservedNodes observed;
  LastSeenFlusher flusher(observed, *metered_, std::chrono::hours(1));
  flusher.Start();
  EXPECT_TRUE(Report(observed, *metered_, ReportOf("n0", "S0"), 100));
  EXPECT_FALSE(Report(observed, *metered_, ReportOf("n0", "S0"), 700));
  ASSERT_TRUE(flusher.Stop().ok());
  auto rows = metered_->ListObservedNodes();
  ASSERT_TRUE(rows.ok() && rows->size() == 1u);
  EXPECT_EQ((*rows)[0].last_seen_ms, 700);
}

TEST_F(ObservedNodesStoreTest, AChangeThatFailedToBeWrittenIsWrittenByTheNextReport) {
  testing::OutageStore outage(*metered_);
  ObservedNodes observed;
  ASSERT_TRUE(observed.Record(ReportOf("n0", "S0"), 100).ok());
  outage.SetDown(true);
  EXPECT_EQ(SaveObservedNode(outage, observed, "n0").code(), Status::Code::kIOError);
  outage.SetDown(false);
  // Equal to the report held, but that one never reached the store: a change again.
  EXPECT_TRUE(Report(observed, outage, ReportOf("n0", "S0"), 200));
  EXPECT_FALSE(Report(observed, outage, ReportOf("n0", "S0"), 300));
  auto rows = metered_->ListObservedNodes();
  ASSERT_TRUE(rows.ok() && rows->size() == 1u);
  EXPECT_EQ((*rows)[0].last_change_ms, 200);
}

TEST_F(ObservedNodesStoreTest, AFailedFlushIsWrittenByTheNext) {
  testing::OutageStore outage(*metered_);
  ObservedNodes observed;
  LastSeenFlusher flusher(observed, outage, std::chrono::hours(1));
  EXPECT_TRUE(Report(observed, outage, ReportOf("n0", "S0"), 100));
  EXPECT_TRUE(Report(observed, outage, ReportOf("n1", "S1"), 100));
  EXPECT_FALSE(Report(observed, outage, ReportOf("n0", "S0"), 200));
  EXPECT_FALSE(Report(observed, outage, ReportOf("n1", "S1"), 200));
  outage.SetDown(true);
  EXPECT_FALSE(flusher.Flush().ok());
  outage.SetDown(false);
  EXPECT_FALSE(Report(observed, outage, ReportOf("n1", "S1"), 300));  // heard again
  ASSERT_TRUE(flusher.Flush().ok());
  auto rows = metered_->ListObservedNodes();
  ASSERT_TRUE(rows.ok() && rows->size() == 2u);
  EXPECT_EQ((*rows)[0].last_seen_ms, 200);  // from the failed batch
  EXPECT_EQ((*rows)[1].last_seen_ms, 300);  // the later time, not the failed batch's
}

TEST_F(ObservedNodesStoreTest, AStoredReportThatDoesNotReadBackIsCorruption) {
  ASSERT_TRUE(metered_
                  ->PutObservedNode({.node = "n0",
                                     .report = "{not json",
                                     .first_seen_ms = 1,
                                     .last_change_ms = 1,
                                     .last_seen_ms = 1})
                  .ok());
  ObservedNodes observed;
  const Status s = LoadObservedNodes(*metered_, observed);
  EXPECT_EQ(s.code(), Status::Code::kCorruption);
  EXPECT_NE(s.message().find("'n0'"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace gpufleet::service
