// Changes to the living inventory: the canonical encoding round-trips and refuses anything
// else, Apply enforces what may follow what, and replaying encoded entries rebuilds the state
// exactly (a property over random histories).

#include "gpufleet/inventory/change.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "gpufleet/catalog/catalog.h"
#include "gpufleet/inventory/live_inventory.h"

namespace gpufleet::inventory {
namespace {

using ::testing::HasSubstr;
using Code = Status::Code;

constexpr int64_t kNow = 1'790'000'000'000;
constexpr int64_t kMinute = 60'000;

LiveInventory Places() {
  return LiveInventory(
      {{"acme", "Acme", OrgKind::kCompany, "", "CN"},
       {"acme-sg", "Acme SG", OrgKind::kSubsidiary, "acme", "SG"},
       {"rival", "Rival", OrgKind::kCounterparty, "", "CN"}},
      {{"bj-01", "Beijing 1", "CN", "Beijing", "", SiteOwnership::kOwned, false, false, {}, {}, {}},
       {"sg-01", "Singapore 1", "SG", "", "", SiteOwnership::kOwned, false, false, {}, {}, {}}});
}

Asset MakeAsset(const std::string& serial) {
  Asset a;
  a.serial = serial;
  a.model = "nvidia-h20-96gb";
  a.site = "bj-01";
  a.owner = "acme";
  a.operator_org = "acme";
  a.acquired = *Date::Parse("2025-03-01");
  a.arrival = Arrival::kExport;
  a.from_country = "TW";
  a.declared_memory_gb = 96;
  return a;
}

Change Register(const std::string& serial, int64_t at = kNow) {
  Change c;
  c.kind = ChangeKind::kRegister;
  c.serial = serial;
  c.effective_ms = at;
  c.recorded_ms = at;
  c.actor = "tok_0123456789abcdef";
  c.asset = MakeAsset(serial);
  return c;
}

Change Simple(ChangeKind kind, const std::string& serial, int64_t at) {
  Change c;
  c.kind = kind;
  c.serial = serial;
  c.effective_ms = at;
  c.recorded_ms = at;
  return c;
}

TEST(ChangeEncodingTest, IsCanonicalAndRoundTrips) {
  Change c = Register("SN-1");
  c.reason = "arrived with papers for 96 GB";
  const std::string bytes = Encode(c);
  EXPECT_THAT(bytes, ::testing::StartsWith(R"({"actor":"tok_0123456789abcdef","asset":{)"));
  EXPECT_EQ(bytes.find(' '), bytes.find("with") - 1) << "no whitespace outside strings";
  const Result<Change> back = Decode(bytes);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, c);
}

TEST(ChangeEncodingTest, AnythingButTheCanonicalBytesIsRefused) {
  const std::string good = Encode(Simple(ChangeKind::kRetire, "SN-1", kNow));
  ASSERT_TRUE(Decode(good).ok());
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"{ " + good.substr(1), "canonical"},                       // whitespace
      {R"({"v":2)" + good.substr(good.find(",\"serial\"")), ""},  // not the order
      {good.substr(0, good.size() - 1) + R"(,"v":2})", ""},       // duplicate key
      {good.substr(0, good.size() - 1) + R"(,"zzz":1})", "unknown field 'zzz'"},
      {R"({"actor":"","effective_ms":1.5,"kind":"retire","recorded_ms":1,"serial":"S","v":1})",
       "effective_ms"},
      {R"({"actor":"","effective_ms":1,"kind":"retire","recorded_ms":1,"serial":"S","v":2})",
       "version 2"},
      {R"({"actor":"","effective_ms":1,"kind":"melt","recorded_ms":1,"serial":"S","v":1})",
       "unknown 'melt'"},
      {R"({"actor":"","effective_ms":1,"kind":"move","recorded_ms":1,"serial":"S","v":1})", "site"},
      {"not json", "not JSON"},
  };
  for (const auto& [bytes, message] : bad) {
    const Result<Change> r = Decode(bytes);
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << bytes;
    EXPECT_THAT(r.status().message(), HasSubstr(message)) << bytes;
  }
}

Change OrgChange(const std::string& id, const std::string& parent, int64_t at = kNow) {
  Change c = Simple(ChangeKind::kOrg, "", at);
  c.organisation =
      Organisation{id, "Org " + id, parent.empty() ? OrgKind::kCounterparty : OrgKind::kSubsidiary,
                   parent, "MY"};
  return c;
}

Change SiteChange(const std::string& id, int64_t at = kNow) {
  Change c = Simple(ChangeKind::kSite, "", at);
  c.place = Site{id,    "Site " + id, "MY",         "Johor", "Tanjung", SiteOwnership::kRented,
                 false, false,        std::nullopt, 1.46,    103.76};
  return c;
}

TEST(ChangeEncodingTest, PlacesRoundTripAndAreChecked) {
  Change site = SiteChange("jb-02");
  site.place->project_completion_pct = 40;
  Change org = OrgChange("tanjung-2", "acme");
  for (const Change& c : {site, org}) {
    ASSERT_TRUE(Validate(c).ok()) << Validate(c).ToString();
    const Result<Change> back = Decode(Encode(c));
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(*back, c);
  }
  EXPECT_EQ(Subject(site), "site:jb-02");
  EXPECT_EQ(Subject(org), "org:tanjung-2");
  EXPECT_EQ(Subject(Register("SN-9")), "SN-9");

  const std::vector<std::pair<Change, std::string>> bad = [&] {
    std::vector<std::pair<Change, std::string>> out;
    Change c = site;
    c.place->lon.reset();
    out.emplace_back(c, "lat and lon");
    c = site;
    c.place->lat = 91;
    out.emplace_back(c, "-90 to 90");
    c = site;
    c.place->country = "XX";
    out.emplace_back(c, "ISO 3166-1");
    c = site;
    c.place->provider.clear();
    out.emplace_back(c, "provider");
    c = site;
    c.place->id = "Bad Id";
    out.emplace_back(c, "slug");
    c = site;
    c.serial = "SN-1";
    out.emplace_back(c, "not for org, site, node, rules or findings");
    c = org;
    c.organisation->parent.clear();
    out.emplace_back(c, "names its parent");
    c = org;
    c.place = site.place;
    out.emplace_back(c, "only for site");
    c = Register("SN-1");
    c.verdict_rules = {"US-2025-H20"};
    out.emplace_back(c, "only with a verdict");
    return out;
  }();
  for (const auto& [c, message] : bad) {
    EXPECT_EQ(Validate(c).code(), Code::kInvalidArgument) << message;
    EXPECT_THAT(Validate(c).message(), HasSubstr(message));
  }

  Change judged = Register("SN-3");
  judged.verdict = "licence_required";
  judged.verdict_rules = {"US-2025-H20-REVSHARE", "CN-2025-H20"};
  judged.licence = "BIS-2025-0042";
  const Result<Change> back = Decode(Encode(judged));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, judged);
}

Change NodeChange(const std::string& site, const std::string& id, int32_t cores,
                  int64_t at = kNow) {
  Change c = Simple(ChangeKind::kNode, "", at);
  c.host = Node{id, site, "host-" + id, cores, 512};
  return c;
}

TEST(LiveInventoryTest, NodesAreRecordedAtKnownSites) {
  LiveInventory inv = Places();
  const Change node = NodeChange("bj-01", "bj01-n07", 64);
  ASSERT_TRUE(Validate(node).ok());
  EXPECT_EQ(Subject(node), "node:bj-01/bj01-n07");
  const Result<Change> back = Decode(Encode(node));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, node);
  EXPECT_EQ(inv.Apply(NodeChange("zz-99", "n1", 8)).code(), Code::kNotFound);
  ASSERT_TRUE(inv.Apply(node).ok());
  EXPECT_EQ(inv.Apply(node).code(), Code::kAlreadyExists) << "the same record again";
  ASSERT_TRUE(inv.Apply(NodeChange("bj-01", "bj01-n07", 128, kNow + kMinute)).ok());
  EXPECT_EQ(inv.FindNode("bj-01", "bj01-n07")->cpu_cores, 128);
  Change bad = NodeChange("bj-01", "n2", 0);
  EXPECT_THAT(Validate(bad).message(), HasSubstr("host.cpu_cores"));
  bad = NodeChange("bj-01", "", 8);
  EXPECT_THAT(Validate(bad).message(), HasSubstr("host.id"));
}

TEST(LiveInventoryTest, PlacesAreDefinedAndReplacedByEntries) {
  LiveInventory inv;
  EXPECT_EQ(inv.Apply(OrgChange("child", "parent")).code(), Code::kNotFound);
  ASSERT_TRUE(inv.Apply(OrgChange("parent", "")).ok());
  ASSERT_TRUE(inv.Apply(OrgChange("child", "parent")).ok());
  EXPECT_THAT(inv.Apply(OrgChange("parent", "child")).message(), HasSubstr("loops back"));
  Change reg = Register("SN-1");
  reg.asset->owner = reg.asset->operator_org = "child";
  reg.asset->site = "jb-02";
  EXPECT_EQ(inv.Apply(reg).code(), Code::kNotFound);  // no such site yet
  ASSERT_TRUE(inv.Apply(SiteChange("jb-02")).ok());
  ASSERT_TRUE(inv.Apply(reg).ok());
  Change renamed = SiteChange("jb-02", kNow + kMinute);
  renamed.place->name = "Johor Bahru 2";
  ASSERT_TRUE(inv.Apply(renamed).ok());
  EXPECT_EQ(inv.FindSite("jb-02")->name, "Johor Bahru 2");
  EXPECT_EQ(inv.entries(), 5);
}

// The shipped example fleet as entries: places first, then one register per asset; the
// replay holds every organisation and site, and every asset but the two deliberate repeats
// (one serial twice at a site, one at two sites): a board is registered once.
TEST(LiveInventoryTest, TheExampleFleetReplaysFromItsEntries) {
  const std::string dir = GPUFLEET_SOURCE_DIR;
  Result<catalog::Catalog> cat = catalog::Catalog::Load(dir + "/data/catalog/accelerators.yaml");
  ASSERT_TRUE(cat.ok()) << cat.status().ToString();
  Result<Inventory> fleet = Inventory::Load(dir + "/examples/fleet.yaml", *cat);
  ASSERT_TRUE(fleet.ok()) << fleet.status().ToString();
  LiveInventory live;
  std::vector<Change> changes = PlaceChanges(*fleet, kNow, "");
  for (Change& c : RegisterChanges(*fleet, kNow, "", "imported")) changes.push_back(std::move(c));
  std::vector<std::string> refused;
  for (const Change& c : changes) {
    const Result<Change> back = Decode(Encode(c));
    ASSERT_TRUE(back.ok() && *back == c) << back.status().ToString();
    if (const Status s = live.Apply(c); !s.ok()) refused.push_back(c.serial + ": " + s.message());
  }
  EXPECT_THAT(refused, ::testing::UnorderedElementsAre(HasSubstr("1655023004417: asset"),
                                                       HasSubstr("1654823001203: asset")));
  EXPECT_EQ(live.organisations().size(), fleet->organisations().size());
  EXPECT_EQ(live.sites().size(), fleet->sites().size());
  for (const Site& s : fleet->sites()) EXPECT_EQ(*live.FindSite(s.id), s);
  EXPECT_EQ(live.assets().size(), fleet->assets().size() - 2);
}

TEST(LiveInventoryTest, WhatMayFollowWhat) {
  LiveInventory inv = Places();
  ASSERT_TRUE(inv.Apply(Register("SN-1")).ok());
  EXPECT_EQ(inv.Apply(Register("SN-1")).code(), Code::kAlreadyExists);
  EXPECT_EQ(inv.Apply(Simple(ChangeKind::kRetire, "SN-404", kNow)).code(), Code::kNotFound);

  Change move = Simple(ChangeKind::kMove, "SN-1", kNow + kMinute);
  move.site = "nowhere";
  EXPECT_EQ(inv.Apply(move).code(), Code::kNotFound);
  move.site = "sg-01";
  move.node = "sg01-n07";
  ASSERT_TRUE(inv.Apply(move).ok());
  EXPECT_EQ(inv.Find("SN-1")->record.site, "sg-01");

  Change sale = Simple(ChangeKind::kTransfer, "SN-1", kNow + 2 * kMinute);
  sale.owner = "rival";
  ASSERT_TRUE(inv.Apply(sale).ok());
  EXPECT_EQ(inv.Find("SN-1")->record.operator_org, "rival") << "the operator follows the owner";
  EXPECT_EQ(inv.Apply(Simple(ChangeKind::kLeaseEnd, "SN-1", kNow + 3 * kMinute)).code(),
            Code::kFailedPrecondition);

  // Back-dated: a reason, and no earlier than the asset's last entry.
  Change late = Simple(ChangeKind::kLost, "SN-1", kNow - 10 * kMinute);
  late.recorded_ms = kNow + 4 * kMinute;
  late.how = "stolen";
  late.reason = "police report 42";
  EXPECT_EQ(inv.Apply(late).code(), Code::kInvalidArgument);  // before the sale
  late.effective_ms = kNow + 2 * kMinute;
  late.recorded_ms = kNow + 60 * kMinute;
  late.reason.clear();
  EXPECT_THAT(inv.Apply(late).message(), HasSubstr("needs a reason"));
  late.reason = "police report 42";
  ASSERT_TRUE(inv.Apply(late).ok());
  EXPECT_EQ(inv.Find("SN-1")->status, AssetStatus::kLost);
  move.effective_ms = move.recorded_ms = kNow + 61 * kMinute;
  EXPECT_EQ(inv.Apply(move).code(), Code::kFailedPrecondition);  // a lost asset does not move

  Change future = Register("SN-2", kNow);
  future.effective_ms = kNow + 6 * kMinute;
  EXPECT_THAT(inv.Apply(future).message(), HasSubstr("more than 5 minutes"));

  Change fix = Register("SN-1", kNow + 62 * kMinute);
  fix.kind = ChangeKind::kCorrect;
  fix.corrects = 0;
  fix.reason = "the papers said 96 GB; the board has 141 GB";
  fix.asset->declared_memory_gb = 141;
  ASSERT_TRUE(inv.Apply(fix).ok()) << "a correction applies to a lost asset too";
  EXPECT_EQ(inv.Find("SN-1")->record.declared_memory_gb, 141);
  EXPECT_EQ(inv.Find("SN-1")->record.site, "sg-01") << "a correction does not move";
  fix.corrects = 99;
  EXPECT_EQ(inv.Apply(fix).code(), Code::kNotFound);
  EXPECT_EQ(inv.entries(), 5);
}

// Random histories: every change Apply accepts, encoded and decoded, rebuilds the same state
// in a second inventory; refused changes change nothing, and a change reverted leaves nothing.
TEST(LiveInventoryTest, ReplayingEncodedEntriesRebuildsTheState) {
  for (uint32_t seed = 1; seed <= 20; ++seed) {
    std::mt19937 rng(seed);
    LiveInventory live = Places();
    std::vector<std::string> log;
    int64_t t = kNow;
    const std::vector<std::string> sites = {"bj-01", "sg-01", "xx-99"};
    const std::vector<std::string> orgs = {"acme", "acme-sg", "rival", "ghost"};
    for (int step = 0; step < 300; ++step) {
      t += kMinute;
      const std::string serial = "SN-" + std::to_string(rng() % 40);
      Change c;
      switch (rng() % 11) {
        case 10:
          c = NodeChange(sites[rng() % sites.size()], "n" + std::to_string(rng() % 3),
                         static_cast<int32_t>(1 + rng() % 64), t);
          break;
        case 8:
          c = SiteChange(sites[rng() % sites.size()], t);
          break;
        case 9:
          c = OrgChange(orgs[rng() % orgs.size()], rng() % 2 == 0 ? "" : "acme", t);
          break;
        case 0:
          c = Register(serial, t);
          c.asset->site = sites[rng() % sites.size()];
          break;
        case 1:
          c = Simple(ChangeKind::kMove, serial, t);
          c.site = sites[rng() % sites.size()];
          break;
        case 2:
          c = Simple(ChangeKind::kTransfer, serial, t);
          c.owner = orgs[rng() % orgs.size()];
          break;
        case 3:
          c = Simple(ChangeKind::kLeaseStart, serial, t);
          c.operator_org = orgs[rng() % orgs.size()];
          c.holding = Holding::kLeased;
          break;
        case 4:
          c = Simple(ChangeKind::kLeaseEnd, serial, t);
          break;
        case 5:
          c = Simple(rng() % 4 == 0 ? ChangeKind::kRetire : ChangeKind::kMove, serial, t);
          if (c.kind == ChangeKind::kMove) c.site = "bj-01";
          break;
        case 6:
          c = Simple(ChangeKind::kLost, serial, t);
          c.how = rng() % 2 == 0 ? "lost" : "stolen";
          break;
        default:
          c = Register(serial, t);
          c.kind = ChangeKind::kCorrect;
          c.reason = "fix";
          c.corrects = live.entries() == 0 ? 0 : static_cast<int64_t>(rng() % live.entries());
          c.asset->declared_memory_gb = static_cast<double>(rng() % 200);
          break;
      }
      const LiveInventory before = live;
      LiveInventory::Undo undo;
      if (rng() % 5 == 0 && live.Apply(c, &undo).ok()) {
        // Taken back: the state is exactly what it was.
        live.Revert(undo);
        EXPECT_EQ(live.assets(), before.assets());
        EXPECT_EQ(live.organisations(), before.organisations());
        EXPECT_EQ(live.sites(), before.sites());
        EXPECT_EQ(live.nodes(), before.nodes());
        EXPECT_EQ(live.entries(), before.entries());
      } else if (live.Apply(c).ok()) {
        log.push_back(Encode(c));
      } else {
        EXPECT_EQ(live.assets(), before.assets()) << "a refused change changed the state";
        EXPECT_EQ(live.entries(), before.entries());
      }
    }
    LiveInventory replayed = Places();
    for (const std::string& bytes : log) {
      const Result<Change> c = Decode(bytes);
      ASSERT_TRUE(c.ok()) << c.status().ToString();
      ASSERT_TRUE(replayed.Apply(*c).ok()) << bytes;
    }
    EXPECT_EQ(replayed.assets(), live.assets()) << "seed " << seed;
    EXPECT_EQ(replayed.organisations(), live.organisations()) << "seed " << seed;
    EXPECT_EQ(replayed.sites(), live.sites()) << "seed " << seed;
    EXPECT_EQ(replayed.nodes(), live.nodes()) << "seed " << seed;
    EXPECT_GT(log.size(), 25u) << "seed " << seed << ": too few accepted changes to mean much";
  }
}

// Entries about the rules: a scheduled change carries its id, name and document, a withdrawal
// only the id; both round-trip byte for byte, and what a kind does not take is refused.
TEST(ChangeEncodingTest, RuleEntriesRoundTripAndAreChecked) {
  Change scheduled;
  scheduled.kind = ChangeKind::kRuleChange;
  scheduled.effective_ms = 1'800'000'000'000;
  scheduled.recorded_ms = 1'790'000'000'000;
  scheduled.actor = "tok_1";
  scheduled.rule_change = RuleChangeRecord{
      .id = "rc-1", .name = "h20-ban.yaml", .document = "rules:\n  - id: X # \u00e9\n"};
  Change withdrawn = scheduled;
  withdrawn.kind = ChangeKind::kRuleWithdraw;
  withdrawn.rule_change = RuleChangeRecord{.id = "rc-1", .name = "", .document = ""};
  for (const Change& c : {scheduled, withdrawn}) {
    ASSERT_TRUE(Validate(c).ok()) << Validate(c).ToString();
    const Result<Change> back = Decode(Encode(c));
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(*back, c);
    EXPECT_EQ(Subject(c), "rules:rc-1");
    EXPECT_TRUE(IsRulesEntry(c));
  }
  std::vector<std::pair<Change, std::string>> bad;
  Change c = scheduled;
  c.rule_change->document.clear();
  bad.emplace_back(c, "rule_change.document");
  c = scheduled;
  c.rule_change->id.clear();
  bad.emplace_back(c, "rule_change.id");
  c = withdrawn;
  c.rule_change->name = "x";
  bad.emplace_back(c, "only for rule_change");
  c = scheduled;
  c.rule_change.reset();
  bad.emplace_back(c, "rule_change");
  c = scheduled;
  c.serial = "SN-1";
  bad.emplace_back(c, "not for org, site, node, rules or findings");
  c = Register("SN-9");
  c.rule_change = scheduled.rule_change;
  bad.emplace_back(c, "only for rule_change and rule_withdraw");
  for (const auto& [change, message] : bad) {
    EXPECT_EQ(Validate(change).code(), Code::kInvalidArgument) << message;
    EXPECT_THAT(Validate(change).message(), HasSubstr(message));
  }
}

// The shipped rule file recorded at start: the full record and the first one (no old hash, no
// stamp) round-trip byte for byte in the documented encoding, and malformed records are refused.
TEST(ChangeEncodingTest, RulesShippedEntriesRoundTripAndAreChecked) {
  const std::string a(64, 'a');
  const std::string b = std::string(63, 'b') + "0";
  Change full;
  full.kind = ChangeKind::kRulesShipped;
  full.effective_ms = kNow;
  full.recorded_ms = kNow;
  full.rules_shipped = RulesShippedRecord{.old_hash = a,
                                          .new_hash = b,
                                          .compiled = "2026-11-23",
                                          .binary_version = "0.1.0",
                                          .downgrade = true,
                                          .layered_hash = std::string(64, 'c')};
  Change first = full;
  first.rules_shipped = RulesShippedRecord{.old_hash = "",
                                           .new_hash = a,
                                           .compiled = "",
                                           .binary_version = "0.1.0",
                                           .downgrade = false,
                                           .layered_hash = ""};
  for (const Change& c : {full, first}) {
    ASSERT_TRUE(Validate(c).ok()) << Validate(c).ToString();
    const Result<Change> back = Decode(Encode(c));
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(*back, c);
    EXPECT_EQ(Subject(c), "rules:shipped");
    EXPECT_TRUE(IsRulesEntry(c));
    EXPECT_EQ(ChangeKindName(c.kind), "rules_shipped");
  }
  // docs/ledger.md shows this encoding: keys in byte order, absent fields left out.
  EXPECT_EQ(Encode(first),
            "{\"actor\":\"\",\"effective_ms\":1790000000000,\"kind\":\"rules_shipped\","
            "\"recorded_ms\":1790000000000,\"rules_shipped\":{\"binary_version\":\"0.1.0\","
            "\"new_hash\":\"" +
                a + "\"},\"v\":1}");
  // One spelling: an explicit false is not the canonical bytes of the entry it parses to.
  std::string spelled = Encode(first);
  spelled.replace(spelled.find("\"new_hash\""), 0, "\"downgrade\":false,");
  EXPECT_EQ(Decode(spelled).status().code(), Code::kInvalidArgument);

  std::vector<std::pair<Change, std::string>> bad;
  Change c = full;
  c.rules_shipped->new_hash = std::string(64, 'A');
  bad.emplace_back(c, "rules_shipped.new_hash");
  c = full;
  c.rules_shipped->old_hash = "abc";
  bad.emplace_back(c, "rules_shipped.old_hash");
  c = full;
  c.rules_shipped->old_hash = b;
  bad.emplace_back(c, "the same file is no downgrade");
  c = full;
  c.rules_shipped->layered_hash = "xyz";
  bad.emplace_back(c, "rules_shipped.layered_hash");
  c = full;
  c.rules_shipped->compiled = "2026-11-31";
  bad.emplace_back(c, "rules_shipped.compiled");
  c = full;
  c.rules_shipped->binary_version.clear();
  bad.emplace_back(c, "rules_shipped.binary_version");
  c = first;
  c.rules_shipped->downgrade = true;
  bad.emplace_back(c, "a downgrade names the file it replaces");
  c = full;
  c.rules_shipped.reset();
  bad.emplace_back(c, "rules_shipped");
  c = full;
  c.serial = "SN-1";
  bad.emplace_back(c, "not for org, site, node, rules or findings");
  c = Register("SN-9");
  c.rules_shipped = full.rules_shipped;
  bad.emplace_back(c, "only for rules_shipped");
  for (const auto& [change, message] : bad) {
    EXPECT_EQ(Validate(change).code(), Code::kInvalidArgument) << message;
    EXPECT_THAT(Validate(change).message(), HasSubstr(message));
  }
}

}  // namespace
}  // namespace gpufleet::inventory

namespace gpufleet::inventory {
namespace {

// Findings' entries (docs/findings.md): an opening and an update round-trip in the canonical
// encoding, and what either may not carry is refused naming the field.
TEST(ChangeEncodingTest, FindingEntriesRoundTripAndAreChecked) {
  Change open;
  open.kind = ChangeKind::kFinding;
  open.effective_ms = open.recorded_ms = 1'790'000'000'000;
  open.finding = FindingRecord{.id = "f-12",
                               .kind = "model_differs",
                               .source = "agent",
                               .subject = "S1",
                               .serial = "S1",
                               .node = "sh-03/n1",
                               .detail = "declared H20, observed H100",
                               .evidence = {"report of sh-03/n1"},
                               .action = "quarantine_device"};
  Change update;
  update.kind = ChangeKind::kFindingUpdate;
  update.effective_ms = update.recorded_ms = 1'790'000'000'001;
  update.actor = "tok_1";
  update.reason = "verified";
  update.finding = FindingRecord{.id = "f-12", .release = true};
  for (const Change& c : {open, update}) {
    ASSERT_TRUE(Validate(c).ok()) << Validate(c).ToString();
    const Result<Change> back = Decode(Encode(c));
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(*back, c);
    EXPECT_EQ(Subject(c), "finding:f-12");
    EXPECT_TRUE(IsFindingEntry(c));
    EXPECT_TRUE(IsRecordOnlyEntry(c));
    EXPECT_FALSE(IsRulesEntry(c));
  }
  const auto refused = [](Change c, const char* field) {
    const Status s = Validate(c);
    EXPECT_FALSE(s.ok()) << field;
    EXPECT_NE(s.message().find(field), std::string::npos) << s.ToString();
  };
  Change bad = open;
  bad.finding->id = "12";
  refused(bad, "finding.id");
  bad = open;
  bad.finding->action = "shoot";
  refused(bad, "finding.action");
  bad = open;
  bad.finding->serial = "";
  refused(bad, "finding.serial");  // a device quarantine names the device
  bad = open;
  bad.finding->state = "resolved";
  refused(bad, "finding.state");
  bad = update;
  bad.finding->state = "resolved";  // and release: one or the other
  refused(bad, "finding.state");
  bad = update;
  bad.finding->kind = "model_differs";
  refused(bad, "finding.kind");
  bad = open;
  bad.serial = "S1";
  refused(bad, "serial");
  bad = open;
  bad.finding.reset();
  refused(bad, "finding");
}

}  // namespace
}  // namespace gpufleet::inventory
