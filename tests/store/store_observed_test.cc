// The Store contract for what node agents report (PutObservedNode, SetLastSeen,
// ListObservedNodes), on every back end: rows round trip and survive reopening, a change
// replaces the report but never first_seen, a later change is not overwritten by an earlier
// one, last-seen times move only forward and skip nodes with no row, and malformed rows are
// refused before anything is written.

#include <string>
#include <vector>

#include "store/store_conformance_fixture.h"

namespace gpufleet::store {
namespace {

using Code = Status::Code;

class StoreObservedTest : public StoreConformanceTest {
 protected:
  std::vector<ObservedNodeRow> Rows() {
    Result<std::vector<ObservedNodeRow>> rows = store_->ListObservedNodes();
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    return rows.ok() ? *rows : std::vector<ObservedNodeRow>{};
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, StoreObservedTest, StoreBackendNames(), BackendTestName);

ObservedNodeRow Row(const std::string& node, const std::string& report, int64_t first,
                    int64_t change, int64_t seen) {
  return {.node = node,
          .report = report,
          .first_seen_ms = first,
          .last_change_ms = change,
          .last_seen_ms = seen};
}

TEST_P(StoreObservedTest, RowsRoundTripByNameAndSurviveReopening) {
  const ObservedNodeRow b = Row("sg-0/n1", R"({"node":"sg-0/n1"})", 10, 10, 12);
  const ObservedNodeRow a = Row("sg-0/n0", R"({"node":"sg-0/n0","devices":["\"q\""]})", 5, 7, 9);
  ASSERT_TRUE(store_->PutObservedNode(b).ok());
  ASSERT_TRUE(store_->PutObservedNode(a).ok());
  EXPECT_EQ(Rows(), (std::vector<ObservedNodeRow>{a, b}));

  store_ = Open();
  ASSERT_NE(store_, nullptr);
  EXPECT_EQ(Rows(), (std::vector<ObservedNodeRow>{a, b}));
}

TEST_P(StoreObservedTest, AChangeReplacesTheReportButKeepsFirstSeen) {
  ASSERT_TRUE(store_->PutObservedNode(Row("n0", "old", 100, 100, 100)).ok());
  ASSERT_TRUE(store_->PutObservedNode(Row("n0", "new", 900, 300, 300)).ok());
  EXPECT_EQ(Rows(), (std::vector<ObservedNodeRow>{Row("n0", "new", 100, 300, 300)}));
}

TEST_P(StoreObservedTest, AnEarlierChangeArrivingLateDoesNotReplaceALaterOne) {
  ASSERT_TRUE(store_->PutObservedNode(Row("n0", "later", 100, 300, 300)).ok());
  ASSERT_TRUE(store_->PutObservedNode(Row("n0", "earlier", 100, 200, 200)).ok());
  EXPECT_EQ(Rows(), (std::vector<ObservedNodeRow>{Row("n0", "later", 100, 300, 300)}));
}

TEST_P(StoreObservedTest, LastSeenMovesOnlyForwardAndSkipsNodesWithNoRow) {
  ASSERT_TRUE(store_->PutObservedNode(Row("n0", "r0", 100, 100, 150)).ok());
  ASSERT_TRUE(store_->PutObservedNode(Row("n1", "r1", 100, 100, 500)).ok());
  ASSERT_TRUE(store_
                  ->SetLastSeen({{.node = "n0", .last_seen_ms = 400},
                                 {.node = "n1", .last_seen_ms = 200},  // older than stored
                                 {.node = "never-reported", .last_seen_ms = 400}})
                  .ok());
  EXPECT_EQ(Rows(), (std::vector<ObservedNodeRow>{Row("n0", "r0", 100, 100, 400),
                                                  Row("n1", "r1", 100, 100, 500)}));
  EXPECT_TRUE(store_->SetLastSeen({}).ok());
}

TEST_P(StoreObservedTest, ALargeBatchOfLastSeenTimesIsOneCall) {
  std::vector<NodeLastSeen> seen;
  for (int i = 0; i < 2000; ++i) {
    const std::string node = "n" + std::to_string(i);
    ASSERT_TRUE(store_->PutObservedNode(Row(node, "r", 1, 1, 1)).ok());
    seen.push_back({.node = node, .last_seen_ms = 1000 + i});
  }
  ASSERT_TRUE(store_->SetLastSeen(seen).ok());
  const std::vector<ObservedNodeRow> rows = Rows();
  ASSERT_EQ(rows.size(), 2000u);
  for (const ObservedNodeRow& r : rows) {
    EXPECT_EQ(r.last_seen_ms, 1000 + std::stoi(r.node.substr(1))) << r.node;
  }
}

TEST_P(StoreObservedTest, MalformedRowsAreRefusedNamingTheField) {
  const Status no_name = store_->PutObservedNode(Row("", "r", 1, 1, 1));
  EXPECT_EQ(no_name.code(), Code::kInvalidArgument);
  EXPECT_NE(no_name.message().find("node"), std::string::npos) << no_name.message();
  const Status huge =
      store_->PutObservedNode(Row("n0", std::string(kMaxObservedReportBytes + 1, 'x'), 1, 1, 1));
  EXPECT_EQ(huge.code(), Code::kInvalidArgument);
  EXPECT_EQ(store_->PutObservedNode(Row("n0", "r", -1, 1, 1)).code(), Code::kInvalidArgument);
  EXPECT_TRUE(Rows().empty());
}

}  // namespace
}  // namespace gpufleet::store
