// The book of findings: opening, updating, holds, reconciling, and that replaying the entries
// it wrote rebuilds it exactly.

#include "gpufleet/findings/findings_book.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

#include "gpufleet/findings/observed_checks.h"

namespace gpufleet::findings {
namespace {

using ::testing::HasSubstr;

Detection Found(Kind kind, std::string subject, std::string serial = "", std::string node = "") {
  return {.kind = kind,
          .subject = std::move(subject),
          .serial = std::move(serial),
          .node = std::move(node),
          .detail = "something looks wrong",
          .evidence = {"a report"}};
}

// Applies `entries` in order from index `first`; the indexes used.
int64_t ApplyAll(FindingsBook& book, const std::vector<inventory::Change>& entries, int64_t first) {
  for (const inventory::Change& c : entries) {
    const Status s = book.Apply(c, first++);
    EXPECT_TRUE(s.ok()) << s.ToString();
    // Every entry is what the ledger stores: it must survive its own encoding.
    Result<inventory::Change> back = inventory::Decode(inventory::Encode(c));
    EXPECT_TRUE(back.ok()) << back.status().ToString();
    if (back.ok()) {
      EXPECT_EQ(*back, c);
    }
  }
  return first;
}

inventory::Change Update(const std::string& id, const std::string& state, bool release = false) {
  inventory::Change c;
  c.kind = inventory::ChangeKind::kFindingUpdate;
  c.effective_ms = c.recorded_ms = 5;
  c.actor = "tok_1";
  c.reason = "checked";
  c.finding = inventory::FindingRecord{.id = id, .state = state, .release = release};
  return c;
}

TEST(FindingsBookTest, OpensOnceQuarantinesByPolicyAndReleasesOnRequest) {
  FindingsBook book;
  const Policy policy;
  const std::vector<Detection> found = {Found(Kind::kModelDiffers, "S1", "S1", "sh/n1"),
                                        Found(Kind::kNodeSilent, "sh/n2", "", "sh/n2"),
                                        Found(Kind::kDeviceNotInInventory, "X", "X", "sh/n1")};
  std::vector<inventory::Change> entries = book.Reconcile(found, ObservedKinds(), policy, 1);
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].finding->id, "f-1");
  EXPECT_EQ(entries[2].finding->id, "f-3");
  ApplyAll(book, entries, 10);
  EXPECT_THAT(book.Reconcile(found, ObservedKinds(), policy, 2), ::testing::IsEmpty())
      << "found again: the same findings, nothing new";
  EXPECT_EQ(book.holds().serials.at("S1"), std::vector<std::string>{"f-1"});
  EXPECT_EQ(book.holds().nodes.at("sh/n2"), std::vector<std::string>{"f-2"});
  EXPECT_EQ(book.holds().serials.count("X"), 0u) << "recorded only";

  ASSERT_TRUE(book.Apply(Update("f-1", "", /*release=*/true), 13).ok());
  EXPECT_EQ(book.holds().serials.count("S1"), 0u);
  EXPECT_EQ(book.Find("f-1")->state, State::kOpen) << "releasing is not resolving";
  const Status again = book.Check(Update("f-1", "", true));
  EXPECT_EQ(again.code(), Status::Code::kFailedPrecondition);
  EXPECT_THAT(again.message(), HasSubstr("holds no hardware"));
  EXPECT_EQ(book.Check(Update("f-9", "resolved")).code(), Status::Code::kNotFound);
}

TEST(FindingsBookTest, TransientFindingsNoLongerFoundResolveOthersStay) {
  FindingsBook book;
  const Policy policy;
  std::vector<Detection> found = {Found(Kind::kModelDiffers, "S1", "S1", "sh/n1"),
                                  Found(Kind::kMoveTooFast, "entry 7", "S2")};
  ApplyAll(book, book.Reconcile(found, ObservedKinds(), policy, 1), 0);
  // Next pass: nothing found at all. The model finding resolves (its check ran); the move is a
  // fact of the ledger and stays; the quarantine stays until a person releases it.
  std::vector<inventory::Change> next = book.Reconcile({}, ObservedKinds(), policy, 2);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].finding->id, "f-1");
  EXPECT_EQ(next[0].finding->state, "resolved");
  ApplyAll(book, next, 2);
  EXPECT_EQ(book.Find("f-1")->state, State::kResolved);
  EXPECT_TRUE(book.Find("f-1")->held);
  EXPECT_EQ(book.Find("f-2")->state, State::kOpen);
  // Found again after resolving: a new finding. A resolved ledger fact is not reopened.
  ApplyAll(book, book.Reconcile(found, ObservedKinds(), policy, 3), 3);
  ASSERT_EQ(book.all().size(), 3u);
  EXPECT_EQ(book.all()[2].record.kind, "model_differs");
  ApplyAll(book, {Update("f-2", "resolved")}, 4);
  EXPECT_THAT(book.Reconcile(found, ObservedKinds(), policy, 5), ::testing::IsEmpty());
}

TEST(FindingsBookTest, APassOpensAtMostABoundedNumberAndTheNextPassTheRest) {
  FindingsBook book;
  std::vector<Detection> found;
  for (size_t i = 0; i < kMaxOpenedAtOnce + 5; ++i) {
    found.push_back(Found(Kind::kDeviceNotInInventory, "X" + std::to_string(i)));
  }
  size_t deferred = 0;
  std::vector<inventory::Change> first = book.Reconcile(found, ObservedKinds(), {}, 1, &deferred);
  EXPECT_EQ(first.size(), kMaxOpenedAtOnce);
  EXPECT_EQ(deferred, 5u);
  ApplyAll(book, first, 0);
  std::vector<inventory::Change> second = book.Reconcile(found, ObservedKinds(), {}, 2, &deferred);
  EXPECT_EQ(second.size(), 5u);
  EXPECT_EQ(deferred, 0u);
  EXPECT_EQ(second.front().finding->id, "f-" + std::to_string(kMaxOpenedAtOnce + 1));
}

TEST(FindingsBookTest, KindsNotCheckedThisPassAreLeftAlone) {
  FindingsBook book;
  ApplyAll(book,
           book.Reconcile({Found(Kind::kLocationContradictsSite, "sh/n1", "", "sh/n1")},
                          {Kind::kLocationContradictsSite}, Policy{}, 1),
           0);
  EXPECT_THAT(book.Reconcile({}, ObservedKinds(), Policy{}, 2), ::testing::IsEmpty());
  EXPECT_EQ(book.Reconcile({}, {Kind::kLocationContradictsSite}, Policy{}, 2).size(), 1u);
}

TEST(FindingsBookTest, StateChangesFollowTheLifecycle) {
  FindingsBook book;
  ApplyAll(book, book.Reconcile({Found(Kind::kNotSeen, "S1", "S1")}, ObservedKinds(), {}, 1), 0);
  EXPECT_TRUE(book.Check(Update("f-1", "acknowledged")).ok());
  ApplyAll(book, {Update("f-1", "acknowledged")}, 1);
  EXPECT_EQ(book.Check(Update("f-1", "acknowledged")).code(), Status::Code::kFailedPrecondition);
  ApplyAll(book, {Update("f-1", "resolved")}, 2);
  EXPECT_EQ(book.Check(Update("f-1", "resolved")).code(), Status::Code::kFailedPrecondition);
  EXPECT_EQ(book.Check(Update("f-1", "acknowledged")).code(), Status::Code::kFailedPrecondition);
  const FindingView& f = *book.Find("f-1");
  ASSERT_EQ(f.history.size(), 3u);
  EXPECT_EQ(f.history[1].what, "acknowledged");
  EXPECT_EQ(f.history[1].actor, "tok_1");
  EXPECT_EQ(f.history[2].index, 2);
}

TEST(FindingsBookTest, OpeningsMustComeInOrderAndMatchTheirSource) {
  FindingsBook book;
  inventory::Change c =
      book.Reconcile({Found(Kind::kNotSeen, "S1", "S1")}, ObservedKinds(), {}, 1)[0];
  c.finding->id = "f-2";
  EXPECT_THAT(book.Check(c).message(), HasSubstr("out of order"));
  c.finding->id = "f-1";
  c.finding->source = "ledger";
  EXPECT_THAT(book.Check(c).message(), HasSubstr("comes from agent"));
  c.finding->source = "agent";
  c.finding->kind = "made_up";
  EXPECT_THAT(book.Check(c).message(), HasSubstr("unknown kind"));
}

// Random passes and updates: the holds are exactly the held findings', at most one live
// finding per key, and replaying every entry into a new book gives the same book.
TEST(FindingsBookTest, PropertyReplayRebuildsAndHoldsMatchFindings) {
  std::mt19937 rng(11);
  for (int trial = 0; trial < 50; ++trial) {
    FindingsBook book;
    std::vector<inventory::Change> log;
    for (int step = 0; step < 40; ++step) {
      std::vector<inventory::Change> entries;
      if (rng() % 3 != 0) {
        std::vector<Detection> found;
        for (int i = 0; i < 4; ++i) {
          const std::string s = "S" + std::to_string(rng() % 6);
          const Kind kinds[] = {Kind::kModelDiffers, Kind::kNodeSilent, Kind::kNotSeen,
                                Kind::kSerialAtTwoSites};
          const Kind k = kinds[rng() % 4];
          if (rng() % 2)
            found.push_back(Found(k, k == Kind::kNodeSilent ? "n/" + s : s, s, "n/" + s));
        }
        entries = book.Reconcile(found, ObservedKinds(), Policy{}, step);
      } else if (!book.all().empty()) {
        const std::string id = "f-" + std::to_string(1 + rng() % book.all().size());
        const int what = static_cast<int>(rng() % 3);
        inventory::Change u = Update(id,
                                     what == 0   ? "acknowledged"
                                     : what == 1 ? "resolved"
                                                 : "",
                                     what == 2);
        if (book.Check(u).ok()) entries.push_back(u);
      }
      const int64_t first = static_cast<int64_t>(log.size());
      ApplyAll(book, entries, first);
      log.insert(log.end(), entries.begin(), entries.end());
    }
    Holds expected;
    std::map<std::string, int> live;
    for (const FindingView& f : book.all()) {
      if (f.held && f.record.action == "quarantine_device") {
        expected.serials[f.record.serial].push_back(f.record.id);
      }
      if (f.held && f.record.action == "quarantine_node") {
        expected.nodes[f.record.node].push_back(f.record.id);
      }
      if (f.state != State::kResolved) {
        EXPECT_EQ(++live[f.key], 1) << f.key;
      }
    }
    EXPECT_EQ(book.holds(), expected);
    FindingsBook replayed;
    for (size_t i = 0; i < log.size(); ++i) {
      ASSERT_TRUE(replayed.Apply(log[i], static_cast<int64_t>(i)).ok());
    }
    EXPECT_EQ(replayed.holds(), book.holds());
    ASSERT_EQ(replayed.all().size(), book.all().size());
    for (size_t i = 0; i < book.all().size(); ++i) {
      EXPECT_EQ(replayed.all()[i].state, book.all()[i].state);
      EXPECT_EQ(replayed.all()[i].held, book.all()[i].held);
    }
  }
}

}  // namespace
}  // namespace gpufleet::findings
