// The living inventory as service state: seeding from the example fleet, changes checked by
// what may follow what and by the rules at their effective time, batches written whole or not
// at all, a store failure that leaves the state as it was, and the replay at start that
// rebuilds the same state and tree head and catches edits of the log and of the assets table.

#include "gpufleet/service/inventory_service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "service/api_v1_fixture.h"
#include "service/outage_store.h"
#include "service/scheduler_test_fleet.h"

namespace gpufleet::service {
namespace {

using inventory::Change;
using inventory::ChangeKind;
using ::testing::HasSubstr;
using Code = Status::Code;

constexpr int64_t kMinute = 60'000;

class InventoryServiceTest : public ::testing::Test {
 protected:
  InventoryServiceTest() : file_("inventory"), clock_(testing::kStartMs, 0) {}

  void SetUp() override {
    store_ = file_.Open();
    ASSERT_NE(store_, nullptr);
    service_ = Make(*store_);
    ASSERT_TRUE(service_->Load().ok());
    Result<std::vector<ChangeOutcome>> refused =
        service_->Seed(testing::SharedFleet().inventory, "examples/fleet.yaml");
    ASSERT_TRUE(refused.ok()) << refused.status().ToString();
    seed_refused_ = *refused;
  }

  std::unique_ptr<InventoryService> Make(store::Store& store) {
    const FleetContext& fleet = testing::SharedFleet();
    return std::make_unique<InventoryService>(store, clock_, *fleet.catalog, *fleet.engine);
  }

  Change At(ChangeKind kind, const std::string& serial) {
    Change c;
    c.kind = kind;
    c.serial = serial;
    c.effective_ms = clock_.NowMs();
    return c;
  }

  ChangeOutcome One(Change c, InventoryService* service = nullptr) {
    Result<std::vector<ChangeOutcome>> out =
        (service ? service : service_.get())->Submit({std::move(c)}, "tok_test", true);
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    return out.ok() ? out->front() : ChangeOutcome{};
  }

  // Runs `sql` on the store's database behind the service's back.
  void Tamper(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(file_.path().c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK)
        << (error ? error : "");
    sqlite3_free(error);
    sqlite3_close(db);
  }

  testing::StoreFile file_;
  SimulatedClock clock_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<InventoryService> service_;
  std::vector<ChangeOutcome> seed_refused_;
};

TEST_F(InventoryServiceTest, SeedingRecordsEveryPlaceAndAssetOnceAndOnlyOnce) {
  const inventory::Inventory& fleet = testing::SharedFleet().inventory;
  ASSERT_EQ(seed_refused_.size(), 2u);  // the example's two deliberate repeats
  for (const ChangeOutcome& o : seed_refused_) {
    EXPECT_EQ(o.status.code(), Code::kAlreadyExists)
        << o.change.serial << ": " << o.status.ToString();
  }
  // Each repeat is refused but recorded as a finding, as is the asset whose papers contradict
  // the catalog (docs/findings.md): three finding entries beside the places and assets.
  EXPECT_EQ(service_->size(),
            static_cast<int64_t>(fleet.organisations().size() + fleet.sites().size() +
                                 fleet.assets().size() - 2 + 3));
  std::vector<std::string> kinds;
  for (const findings::FindingView& f :
       service_->ListFindings([](const findings::FindingView&) { return true; }, 0, 10)) {
    kinds.push_back(f.record.kind);
  }
  EXPECT_EQ(kinds, (std::vector<std::string>{"serial_at_two_sites", "serial_registered_twice",
                                             "specs_contradict_catalog"}));
  EXPECT_EQ(*store_->InventorySize(), service_->size());
  EXPECT_EQ(service_->Organisations().size(), fleet.organisations().size());
  std::vector<inventory::Site> sites = fleet.sites();
  std::sort(sites.begin(), sites.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  EXPECT_EQ(service_->Sites(), sites);  // by id
  // Seeding again is refused: the log is not empty.
  EXPECT_EQ(service_->Seed(fleet, "again").status().code(), Code::kFailedPrecondition);
  // A register of an asset that arrived against the rules is still a fact: recorded with its
  // verdict. Some of the example's assets are in violation.
  int judged = 0;
  const Result<std::vector<store::InventoryEntry>> entries = store_->ReadInventory(0, 1000);
  ASSERT_TRUE(entries.ok());
  for (const store::InventoryEntry& e : *entries) {
    const Result<Change> c = inventory::Decode(e.body);
    ASSERT_TRUE(c.ok());
    if (!c->verdict.empty()) ++judged;
  }
  EXPECT_GT(judged, 100);
}

TEST_F(InventoryServiceTest, ChangesAreCheckedBeforeAnythingIsWritten) {
  const int64_t size = service_->size();
  const ledger::Hash root = service_->root();
  // An H100 of acme's Singapore subsidiary (a Chinese parent) moved to Shanghai: the rules
  // refuse it, and say which ones.
  Change move = At(ChangeKind::kMove, "1654823001201");
  move.site = "sh-03";
  ChangeOutcome o = One(move);
  EXPECT_EQ(o.status.code(), Code::kFailedPrecondition);
  EXPECT_TRUE(o.non_compliant);
  EXPECT_FALSE(o.rules.empty());
  EXPECT_FALSE(o.explanation.empty());
  EXPECT_THAT(o.verdict, ::testing::AnyOf("prohibited", "licence_required"));
  EXPECT_EQ(service_->FindAsset("1654823001201")->record.site, "sg-01");

  move.serial = "no-such-serial";
  EXPECT_EQ(One(move).status.code(), Code::kNotFound);
  move.serial = "1654823001201";
  move.site = "mars-01";
  EXPECT_EQ(One(move).status.code(), Code::kNotFound);
  Change transfer = At(ChangeKind::kTransfer, "1654823001201");
  transfer.owner = "nobody-org";
  EXPECT_EQ(One(transfer).status.code(), Code::kNotFound);
  Change reg = At(ChangeKind::kRegister, "1654823001201");
  reg.asset = service_->FindAsset("1654823001201")->record;
  const Change repeat = reg;
  reg.serial = reg.asset->serial = "NEW-1";
  reg.asset->model = "no-such-chip";
  EXPECT_EQ(One(reg).status.code(), Code::kNotFound);
  Change future = At(ChangeKind::kRetire, "1654823001201");
  future.effective_ms += 6 * kMinute;
  EXPECT_EQ(One(future).status.code(), Code::kInvalidArgument);

  EXPECT_EQ(service_->size(), size);
  EXPECT_EQ(service_->root(), root);
  EXPECT_EQ(*store_->InventorySize(), size);

  // A second register of a serial is refused too, and changes no asset, but the attempt is
  // itself a finding (a second set of papers for one board): one entry, that finding.
  EXPECT_EQ(One(repeat).status.code(), Code::kAlreadyExists);
  ASSERT_EQ(service_->size(), size + 1);
  const Result<std::vector<store::InventoryEntry>> last = store_->ReadInventory(size, 1);
  ASSERT_TRUE(last.ok() && last->size() == 1u);
  EXPECT_EQ(last->front().kind, "finding");
  EXPECT_EQ(service_->FindAsset("1654823001201")->record.site, "sg-01");
}

TEST_F(InventoryServiceTest, ABatchIsWrittenWholeOrNotAtAll) {
  const int64_t size = service_->size();
  Change retire = At(ChangeKind::kRetire, "1654823001202");
  Change lost = At(ChangeKind::kLost, "1654823001204");
  lost.how = "stolen";
  Change bad = At(ChangeKind::kRetire, "no-such-serial");
  Result<std::vector<ChangeOutcome>> out = service_->Submit({retire, lost, bad}, "tok_t", true);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ((*out)[0].status.code(), Code::kAborted);
  EXPECT_EQ((*out)[2].status.code(), Code::kNotFound);
  EXPECT_EQ(service_->size(), size);
  EXPECT_EQ(service_->FindAsset("1654823001202")->status, inventory::AssetStatus::kActive);

  out = service_->Submit({retire, lost, bad}, "tok_t", false);
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE((*out)[0].status.ok());
  EXPECT_EQ((*out)[0].index, size);
  EXPECT_EQ((*out)[1].index, size + 1);
  EXPECT_EQ(service_->size(), size + 2);
  EXPECT_EQ(service_->FindAsset("1654823001204")->status, inventory::AssetStatus::kLost);
  EXPECT_EQ((*out)[1].change.actor, "tok_t");
  EXPECT_EQ((*out)[1].change.recorded_ms, clock_.NowMs());
  const Result<std::optional<store::AssetRow>> row = store_->GetAsset("1654823001204");
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_EQ((*row)->status, "lost");
  EXPECT_EQ((*row)->last_entry, size + 1);

  EXPECT_EQ(service_->Submit({}, "tok_t", true).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(service_->Submit(std::vector<Change>(kMaxChangesPerBatch + 1, retire), "t", true)
                .status()
                .code(),
            Code::kInvalidArgument);
}

TEST_F(InventoryServiceTest, AStoreFailureLeavesTheStateAsItWas) {
  testing::OutageStore outage(*store_);
  std::unique_ptr<InventoryService> service = Make(outage);
  ASSERT_TRUE(service->Load().ok());
  const int64_t size = service->size();
  const ledger::Hash root = service->root();
  outage.SetDown(true);
  Change retire = At(ChangeKind::kRetire, "1654823001202");
  EXPECT_FALSE(service->Submit({retire}, "t", true).ok());
  EXPECT_EQ(service->size(), size);
  EXPECT_EQ(service->root(), root);
  EXPECT_EQ(service->FindAsset("1654823001202")->status, inventory::AssetStatus::kActive);
  outage.SetDown(false);
  const ChangeOutcome o = One(retire, service.get());
  ASSERT_TRUE(o.status.ok()) << o.status.ToString();
  EXPECT_EQ(o.index, size);
  // A fresh replay agrees with what the service holds.
  std::unique_ptr<InventoryService> again = Make(*store_);
  ASSERT_TRUE(again->Load().ok());
  EXPECT_EQ(again->root(), service->root());
  EXPECT_EQ(again->size(), size + 1);
}

// Random histories of changes, some refused: a replay from the store gives the same state and
// tree head, and the assets table matches it.
TEST_F(InventoryServiceTest, ReplayRebuildsTheSameStateAndTreeHead) {
  std::vector<std::string> serials;
  for (const inventory::Asset& a : testing::SharedFleet().inventory.assets()) {
    serials.push_back(a.serial);
  }
  const std::vector<std::string> sites = {"sh-03", "bj-01", "gz-hub", "hk-01", "sg-01", "johor-dc"};
  const std::vector<std::string> orgs = {"acme", "acme-cloud", "lumen-ai", "northstar-compute"};
  std::mt19937 rng(7);
  int accepted = 0;
  for (int step = 0; step < 60; ++step) {
    clock_.Advance(kMinute);
    std::vector<Change> batch;
    for (int k = 0; k < 1 + static_cast<int>(rng() % 4); ++k) {
      const std::string& serial = serials[rng() % serials.size()];
      Change c;
      switch (rng() % 4) {
        case 0:
          c = At(ChangeKind::kMove, serial);
          c.site = sites[rng() % sites.size()];
          break;
        case 1:
          c = At(ChangeKind::kTransfer, serial);
          c.owner = orgs[rng() % orgs.size()];
          break;
        case 2:
          c = At(ChangeKind::kLeaseStart, serial);
          c.operator_org = orgs[rng() % orgs.size()];
          c.holding = inventory::Holding::kLeased;
          break;
        default:
          c = At(rng() % 3 == 0 ? ChangeKind::kRetire : ChangeKind::kLeaseEnd, serial);
          break;
      }
      batch.push_back(std::move(c));
    }
    Result<std::vector<ChangeOutcome>> out = service_->Submit(batch, "tok_r", rng() % 2 == 0);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    for (const ChangeOutcome& o : *out) accepted += o.status.ok() ? 1 : 0;
  }
  EXPECT_GT(accepted, 20);
  std::unique_ptr<InventoryService> replayed = Make(*store_);
  ASSERT_TRUE(replayed->Load().ok());
  EXPECT_EQ(replayed->read_only_reason(), "");
  EXPECT_EQ(replayed->root(), service_->root());
  EXPECT_EQ(replayed->size(), service_->size());
  for (const std::string& serial : serials) {
    EXPECT_EQ(replayed->FindAsset(serial), service_->FindAsset(serial)) << serial;
  }
}

TEST_F(InventoryServiceTest, EditsBehindTheLogsBackAreCaughtAtStart) {
  store_.reset();
  service_.reset();
  // An asset row edited in place: the service starts read-only for the inventory, naming it.
  Tamper("UPDATE assets SET site = 'hk-01' WHERE serial = '1654823001201'");
  store_ = file_.Open();
  std::unique_ptr<InventoryService> service = Make(*store_);
  ASSERT_TRUE(service->Load().ok());
  EXPECT_THAT(service->read_only_reason(), HasSubstr("1654823001201"));
  const Result<std::vector<ChangeOutcome>> refused =
      service->Submit({At(ChangeKind::kRetire, "1654823001202")}, "t", true);
  EXPECT_EQ(refused.status().code(), Code::kFailedPrecondition);
  EXPECT_THAT(refused.status().message(), HasSubstr("read-only"));
  store_.reset();
  service.reset();

  // An entry's bytes edited (the serial inside changed): the replay refuses the log.
  Tamper("UPDATE assets SET site = 'sg-01' WHERE serial = '1654823001201'");
  Tamper(
      "UPDATE inventory_entries SET body = replace(body, '1654823001203', '1654823001299') "
      "WHERE subject = '1654823001203'");
  store_ = file_.Open();
  service = Make(*store_);
  const Status s = service->Load();
  EXPECT_EQ(s.code(), Code::kCorruption);
  EXPECT_THAT(s.message(), HasSubstr("entry"));
}

}  // namespace
}  // namespace gpufleet::service
