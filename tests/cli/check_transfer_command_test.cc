// `gpufleet check-transfer` end to end on the shipped catalog and rule history, on its own and
// with the example fleet (examples/fleet.yaml) naming sites and organisations, and rule
// overlays (--overlay, shared by every compliance command).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/cli_runner.h"

namespace gpufleet::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::string kSource = GPUFLEET_SOURCE_DIR;
const std::string kFleet = " --fleet " + kSource + "/examples/fleet.yaml";

// Writes `text` to a fresh file and returns its path.
std::string WriteTemp(const std::string& name, const std::string& text) {
  const std::string path = FreshDir("check_transfer_" + name) + "/" + name;
  std::ofstream(path) << text;
  return path;
}

TEST(CheckTransferCommandTest, SameQuestionDifferentDatesDifferentAnswers) {
  CliResult before = RunGpufleet("check-transfer --model H20 --to CN --at 2025-03-01");
  EXPECT_EQ(before.exit_code, 0) << before.out << before.err;
  EXPECT_THAT(before.out, HasSubstr("overall: allowed"));

  CliResult after = RunGpufleet("check-transfer --model H20 --to CN --at 2025-05-02");
  EXPECT_EQ(after.exit_code, 3) << "a licence is needed";
  EXPECT_THAT(after.out, HasSubstr("overall: licence_required"));
  EXPECT_THAT(after.out, HasSubstr("US-2025-H20-IS-INFORMED"));
}

TEST(CheckTransferCommandTest, JsonNamesRulesSourcesAndFacts) {
  CliResult r =
      RunGpufleet("check-transfer --model H100 --to MY --end-user-hq CN --at 2026-03-01 --json");
  EXPECT_EQ(r.exit_code, 3) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j.at("question").at("model"), "nvidia-h100-sxm5-80gb");
  EXPECT_EQ(j.at("verdict").at("overall"), "licence_required");
  bool hq_rule = false;
  for (const auto& jur : j.at("verdict").at("jurisdictions")) {
    for (const auto& rule : jur.at("rules")) {
      EXPECT_FALSE(rule.at("source").get<std::string>().empty());
      hq_rule |= rule.at("id") == "US-2023-HQ";
    }
  }
  EXPECT_TRUE(hq_rule) << "the headquarters rule catches a China-HQ buyer abroad";

  CliResult rented = RunGpufleet(
      "check-transfer --model H100 --to MY --end-user-hq CN "
      "--transfer remote_access --at 2026-03-01");
  EXPECT_EQ(rented.exit_code, 0) << "renting capacity abroad is not an export";
}

TEST(CheckTransferCommandTest, BadInputIsAClearError) {
  CliResult model = RunGpufleet("check-transfer --model H900 --to CN");
  EXPECT_EQ(model.exit_code, 1);
  EXPECT_THAT(model.err, HasSubstr("unknown accelerator 'H900'"));
  CliResult date = RunGpufleet("check-transfer --model H20 --to CN --at 2025-02-30");
  EXPECT_EQ(date.exit_code, 1);
  EXPECT_THAT(date.err, HasSubstr("--at"));
  CliResult transfer = RunGpufleet("check-transfer --model H20 --to CN --transfer smuggle");
  EXPECT_EQ(transfer.exit_code, 1);
  EXPECT_THAT(transfer.err, HasSubstr("smuggle"));
  CliResult rules = RunGpufleet("check-transfer --model H20 --to CN --rules /no/such.yaml");
  EXPECT_EQ(rules.exit_code, 1);
  EXPECT_THAT(rules.err, HasSubstr("/no/such.yaml"));
}

// A country no rule names used to read as "allowed, no rule applies": the one answer a typo
// must never get.
TEST(CheckTransferCommandTest, CountryFlagsTakeAssignedIsoCodesOnly) {
  const struct {
    std::string flags;
    std::string message;
  } cases[] = {
      {"--to China", "--to: 'China' is not an ISO 3166-1 alpha-2 country code (did you mean CN"},
      {"--to cn", "--to: 'cn' is not an ISO 3166-1 alpha-2 country code (did you mean CN"},
      {"--to UK", "--to: 'UK' is not an ISO 3166-1 alpha-2 country code (did you mean GB"},
      {"--to XX", "--to: 'XX' is not an ISO 3166-1 alpha-2 country code"},
      {"--to CN --from EU", "--from: 'EU' is not"},
      {"--to MY --end-user-hq PRC", "--end-user-hq: 'PRC' is not"},
      {"--to MY --end-user-hq SG --end-user-parent-hq ZZ", "--end-user-parent-hq: 'ZZ' is not"},
      {"--to CN --project-completion 150", "--project-completion: expected a percentage"},
      {"--to CN --project-completion -1", "--project-completion: expected a percentage"},
  };
  for (const auto& c : cases) {
    CliResult r = RunGpufleet("check-transfer --model H20 --at 2025-05-02 " + c.flags);
    EXPECT_EQ(r.exit_code, 1) << c.flags << "\n" << r.out;
    EXPECT_THAT(r.err, HasSubstr(c.message)) << c.flags;
    EXPECT_THAT(r.out, Not(HasSubstr("no rule applies"))) << c.flags;
  }
  CliResult good = RunGpufleet(
      "check-transfer --model H20 --at 2025-05-02 --to MY --from TW --end-user-hq SG "
      "--end-user-parent-hq CN --project-completion 30");
  EXPECT_NE(good.exit_code, 1) << good.err;
}

// Selling 4 of acme's H20s at sh-03 (Shanghai) to lumen-ai (Shenzhen, HQ CN) at the gz-hub site
// (Guizhou): both ends in CN, so the transfer is inferred as in_country_transfer. The April 2025
// is-informed letter (US-2025-H20-IS-INFORMED) covers exports and re-exports only, so the sale
// is allowed before and after 2025-04-09, while the export of the same chips to the same
// buyer needs a licence from that day. From 2025-08-12 China's window guidance
// (CN-2025-H20-DISCOURAGE) warns on H20 purchases by Chinese companies, transfers included.
TEST(CheckTransferFleetTest, InCountrySaleIsNotAnExport) {
  const std::string sale = "check-transfer --model H20 --units 4" + kFleet +
                           " --from-site sh-03 --to-site gz-hub " + "--to-org lumen-ai";
  for (const char* date : {"2025-03-01", "2025-05-02"}) {
    CliResult r = RunGpufleet(sale + " --at " + date);
    EXPECT_EQ(r.exit_code, 0) << date << r.out << r.err;
    EXPECT_THAT(r.out, HasSubstr("overall: allowed\n")) << date;
    EXPECT_THAT(r.out, HasSubstr("-> site gz-hub (CN) for lumen-ai (in_country_transfer from "
                                 "site sh-03 (CN)"))
        << date;
  }
  CliResult exported = RunGpufleet("check-transfer --model H20 --units 4" + kFleet +
                                   " --to-site gz-hub --to-org lumen-ai --at 2025-05-02");
  EXPECT_EQ(exported.exit_code, 3) << exported.out << exported.err;
  EXPECT_THAT(exported.out, HasSubstr("(export, end user HQ CN)"));
  EXPECT_THAT(exported.out, HasSubstr("US-2025-H20-IS-INFORMED"));

  CliResult later = RunGpufleet(sale + " --at 2025-12-01");
  EXPECT_EQ(later.exit_code, 0) << later.out << later.err;
  EXPECT_THAT(later.out, HasSubstr("overall: warning"));
  EXPECT_THAT(later.out, HasSubstr("CN-2025-H20-DISCOURAGE"));
}

// bj-01 is a state-funded project at 20% completion: from 2025-11-06 foreign chips there are
// prohibited (CN-2025-STATEFUNDED-DOMESTIC, condition site_state_funded AND
// project_completion_pct < 30). The attributes come from the fleet, not from flags.
TEST(CheckTransferFleetTest, ToSiteCarriesTheSiteAttributes) {
  CliResult r = RunGpufleet("check-transfer --model H20 --units 4" + kFleet +
                            " --from-site sh-03 --to-site bj-01 --to-org acme --at 2025-12-01");
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("overall: prohibited"));
  EXPECT_THAT(r.out, HasSubstr("CN-2025-STATEFUNDED-DOMESTIC"));
  EXPECT_THAT(r.out, HasSubstr("site_state_funded=true"));
  EXPECT_THAT(r.out, HasSubstr("project_completion_pct=20"));

  CliResult flags = RunGpufleet("check-transfer --model H20" + kFleet +
                                " --to-site bj-01 --state-funded --at 2025-12-01");
  EXPECT_EQ(flags.exit_code, 1);
  EXPECT_THAT(flags.err, HasSubstr("--state-funded"));
}

// acme-sg is headquartered in Singapore, but its parent chain (acme-hk -> acme) ends in China.
// Moving its H100s within sg-01 (SG -> SG: in_country_transfer) on 2026-03-01 is caught by the
// headquarters rules, which read the ultimate parent: US-2023-HQ (3A090.a, CN-MO-D5 HQ,
// in-country transfers included) and US-2026-H200-HQ-ABROAD (the H100 is under the 2026
// ceiling). The same move for kite-robotics (HQ SG, no parent) meets no rule.
TEST(CheckTransferFleetTest, ToOrgReadsTheUltimateParent) {
  const std::string move =
      "check-transfer --model H100 --units 4" + kFleet + " --from-site sg-01 --to-site sg-01 ";
  CliResult r = RunGpufleet(move + "--to-org acme-sg --at 2026-03-01 --json");
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  const nlohmann::json& q = j.at("question");
  EXPECT_EQ(q.at("to"), "SG");
  EXPECT_EQ(q.at("to_site"), "sg-01");
  EXPECT_EQ(q.at("to_org"), "acme-sg");
  EXPECT_EQ(q.at("from"), "SG");
  EXPECT_EQ(q.at("from_site"), "sg-01");
  EXPECT_EQ(q.at("transfer"), "in_country_transfer");
  EXPECT_EQ(q.at("transfer_inferred"), true);
  EXPECT_EQ(q.at("end_user"), "acme-sg");
  EXPECT_EQ(q.at("end_user_hq"), "SG");
  EXPECT_EQ(q.at("end_user_parent_hq"), "CN");
  EXPECT_EQ(j.at("verdict").at("overall"), "licence_required");
  std::vector<std::string> rules;
  for (const auto& jur : j.at("verdict").at("jurisdictions")) {
    for (const auto& rule : jur.at("rules")) rules.push_back(rule.at("id"));
  }
  EXPECT_THAT(rules, ::testing::UnorderedElementsAre("US-2023-HQ", "US-2026-H200-HQ-ABROAD"));

  CliResult local = RunGpufleet(move + "--to-org kite-robotics --at 2026-03-01");
  EXPECT_EQ(local.exit_code, 0) << local.out << local.err;
  EXPECT_THAT(local.out, HasSubstr("no rule applies"));
}

// H20 to acme at gz-hub on 2025-09-01. From 2025-08-11 exports to China of the H20 take the
// 15% revenue-share route (US-2025-H20-REVSHARE, transfers [export], carving out the is-informed
// letter) for a holder of a granted licence (acme's LIC-H20-2025-001 in the example overlay);
// re-exports keep the letter's licence requirement. No origin, or the designer's country (US),
// is an export; Taiwan is a third country, so a re-export, unless --transfer says otherwise.
TEST(CheckTransferFleetTest, TransferIsInferredFromTheRoute) {
  const std::string q = "check-transfer --model H20" + kFleet + " --overlay " + kSource +
                        "/examples/acme-rules.yaml --to-site gz-hub --to-org acme --at 2025-09-01";
  struct Case {
    std::string extra;
    int exit_code;
    std::string transfer;
    std::string overall;
  };
  const Case cases[] = {
      {"", 0, "export", "allowed_with_revenue_share"},
      {" --from US", 0, "export", "allowed_with_revenue_share"},
      {" --from TW", 3, "reexport", "licence_required"},
      {" --from TW --transfer export", 0, "export", "allowed_with_revenue_share"},
  };
  for (const Case& c : cases) {
    CliResult r = RunGpufleet(q + c.extra + " --json");
    EXPECT_EQ(r.exit_code, c.exit_code) << c.extra << r.err;
    const nlohmann::json j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j.at("question").at("transfer"), c.transfer) << c.extra;
    EXPECT_EQ(j.at("question").at("transfer_inferred"), c.extra.find("--transfer") == c.extra.npos)
        << c.extra;
    EXPECT_EQ(j.at("verdict").at("overall"), c.overall) << c.extra;
  }
}

// The licence record decides the route: only a granted licence in force opens it. lumen-ai
// holds none in the example overlay, so the same export needs a licence; each other state of
// a licence for it leaves the route closed (denied: prohibited).
TEST(CheckTransferFleetTest, OnlyAGrantedLicenceInForceOpensTheRoute) {
  const std::string dir = FreshDir("licence_states");
  const auto overlay = [&](const std::string& name, const std::string& fields) {
    const std::string path = dir + "/" + name + ".yaml";
    std::ofstream(path) << "licences:\n  - id: LIC-LUMEN\n    holder: lumen-ai\n"
                           "    models: [H20]\n    locations: [CN]\n    transfers: [export]\n"
                        << fields;
    return " --overlay " + path;
  };
  const std::string q = "check-transfer --model H20" + kFleet +
                        " --to-site gz-hub --to-org lumen-ai --from US --at 2025-09-01 --json";
  struct Case {
    std::string name, overlay, overall, state;
  };
  const Case cases[] = {
      {"none", "", "licence_required", ""},
      {"granted", overlay("granted", "    status: granted\n    revenue_share_pct: 15\n"),
       "allowed_with_revenue_share", "granted"},
      {"pending", overlay("pending", "    status: pending\n"), "licence_required", "pending"},
      {"denied", overlay("denied", "    status: denied\n"), "prohibited", "denied"},
      {"revoked", overlay("revoked", "    status: revoked\n    revoked_on: 2025-08-20\n"),
       "licence_required", "revoked"},
      {"revoked-later",
       overlay("revoked_later", "    status: revoked\n    revoked_on: 2025-10-01\n"),
       "allowed_with_revenue_share", "granted"},
      {"expired",
       overlay("expired",
               "    status: granted\n    valid_from: 2025-01-01\n"
               "    valid_to: 2025-08-31\n"),
       "licence_required", "expired"},
      {"not-yet", overlay("not_yet", "    status: granted\n    valid_from: 2025-10-01\n"),
       "licence_required", "not yet valid"},
  };
  for (const Case& c : cases) {
    CliResult r = RunGpufleet(q + c.overlay);
    ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 3) << c.name << r.err;
    EXPECT_EQ(r.exit_code, c.overall == "allowed_with_revenue_share" ? 0 : 3) << c.name;
    const nlohmann::json j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j.at("verdict").at("overall"), c.overall) << c.name;
    std::string route_state;
    for (const auto& jur : j.at("verdict").at("jurisdictions")) {
      for (const auto& rule : jur.at("rules")) {
        if (rule.at("id") != "US-2025-H20-REVSHARE") continue;
        EXPECT_EQ(rule.at("route_closed"), c.state != "granted") << c.name;
        if (rule.contains("licence")) route_state = rule.at("licence").at("state");
      }
    }
    EXPECT_EQ(route_state, c.state) << c.name;
  }
}

// A verdict that turns on a fact the user left out asks for it by name, with the flag that
// gives it, and exits 4 (manual classification); given, the verdict settles. Malaysia's
// permit rule reads from_country: a US chip to Japan with no origin may need it.
TEST(CheckTransferCommandTest, MissingOriginIsAskedForByName) {
  CliResult r =
      RunGpufleet("check-transfer --model H100 --to JP --transfer reexport --at 2025-09-01");
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("overall: needs_manual_classification"));
  EXPECT_THAT(r.out, HasSubstr("from_country: give --from COUNTRY"));
  CliResult json =
      RunGpufleet("check-transfer --model H100 --to JP --transfer reexport --at 2025-09-01 --json");
  const nlohmann::json j = nlohmann::json::parse(json.out);
  EXPECT_EQ(j.at("verdict").at("overall"), "needs_manual_classification");
  EXPECT_EQ(j.at("verdict").at("missing_facts"), nlohmann::json::array({"from_country"}));
  CliResult given =
      RunGpufleet("check-transfer --model H100 --to JP --from MY --at 2025-09-01 --json");
  const nlohmann::json g = nlohmann::json::parse(given.out);
  EXPECT_EQ(g.at("verdict").at("missing_facts"), nlohmann::json::array());
  EXPECT_NE(g.at("verdict").at("overall"), "needs_manual_classification");
}

// On 2025-05-02 sh-03 holds the eight H20s acquired 2024-11-20; serial 1655023004417 is
// registered twice (a diversion flag in the example), and one board is one unit. The next
// batch arrives 2025-09-10.
TEST(CheckTransferFleetTest, FromSiteMustHoldTheUnits) {
  const std::string q =
      "check-transfer --model H20" + kFleet + " --from-site sh-03 --to CN --at 2025-05-02";
  CliResult nine = RunGpufleet(q + " --units 9");
  EXPECT_EQ(nine.exit_code, 1) << nine.out;
  EXPECT_THAT(nine.err,
              HasSubstr("site 'sh-03' holds 8 units of nvidia-h20-96gb on 2025-05-02, fewer "
                        "than 9"));
  CliResult eight = RunGpufleet(q + " --units 8");
  EXPECT_EQ(eight.exit_code, 0) << eight.out << eight.err;
  EXPECT_THAT(eight.out, HasSubstr("8 x NVIDIA H20"));
  CliResult before = RunGpufleet("check-transfer --model H20" + kFleet +
                                 " --from-site sh-03 --to CN --at 2024-11-19");
  EXPECT_EQ(before.exit_code, 1);
  EXPECT_THAT(before.err, HasSubstr("holds 0 units"));
}

TEST(CheckTransferFleetTest, BadFleetFlagsAreClearErrors) {
  CliResult site = RunGpufleet("check-transfer --model H20" + kFleet + " --to-site nowhere");
  EXPECT_EQ(site.exit_code, 1);
  EXPECT_THAT(site.err, HasSubstr("--to-site: unknown site 'nowhere'"));
  EXPECT_THAT(site.err, Not(HasSubstr("sh-03"))) << "the known ids are not listed";
  CliResult from =
      RunGpufleet("check-transfer --model H20" + kFleet + " --from-site nowhere --to CN");
  EXPECT_EQ(from.exit_code, 1);
  EXPECT_THAT(from.err, HasSubstr("--from-site: unknown site 'nowhere'"));
  CliResult org = RunGpufleet("check-transfer --model H20" + kFleet + " --to CN --to-org nobody");
  EXPECT_EQ(org.exit_code, 1);
  EXPECT_THAT(org.err, HasSubstr("--to-org: unknown organisation 'nobody'"));
  EXPECT_THAT(org.err, Not(HasSubstr("lumen-ai")));

  CliResult nowhere = RunGpufleet("check-transfer --model H20" + kFleet + " --to-org lumen-ai");
  EXPECT_EQ(nowhere.exit_code, 1);
  EXPECT_THAT(nowhere.err, HasSubstr("give --to or --to-site"));
  CliResult no_fleet = RunGpufleet("check-transfer --model H20 --to CN --to-org lumen-ai");
  EXPECT_EQ(no_fleet.exit_code, 1);
  EXPECT_THAT(no_fleet.err, HasSubstr("--to-org needs --fleet"));
  CliResult clash = RunGpufleet("check-transfer --model H20" + kFleet + " --to CN --to-site sg-01");
  EXPECT_EQ(clash.exit_code, 1);
  EXPECT_THAT(clash.err, HasSubstr("--to CN contradicts --to-site 'sg-01', which is in SG"));
  CliResult same = RunGpufleet("check-transfer --model H20" + kFleet +
                               " --to SG --to-site sg-01 --at 2025-03-01");
  EXPECT_EQ(same.exit_code, 0) << same.err;
  CliResult hq = RunGpufleet("check-transfer --model H20" + kFleet +
                             " --to CN --to-org lumen-ai --end-user-hq SG");
  EXPECT_EQ(hq.exit_code, 1);
  EXPECT_THAT(hq.err, HasSubstr("--end-user-hq"));
}

// A granted licence for acme-sg's in-country H100 move (licence_required under the HQ rules,
// see ToOrgReadsTheUltimateParent), as an operator would keep it in its own overlay file.
std::string SgLicence(const std::string& status) {
  return "description: acme-sg's licences\n"
         "licences:\n"
         "  - id: LIC-SG-H100-001\n"
         "    jurisdiction: US\n"
         "    holder: acme-sg\n"
         "    models: [H100]\n"
         "    locations: [SG]\n"
         "    transfers: [in_country_transfer]\n"
         "    valid_from: 2026-01-01\n"
         "    valid_to: 2026-12-31\n"
         "    status: " +
         status + "\n";
}

const std::string kSgMove = "check-transfer --model H100 --units 4" + kFleet +
                            " --from-site sg-01 --to-site sg-01 --to-org acme-sg --at 2026-03-01";

TEST(ComplianceOverlayTest, GrantedLicenceAllowsTheTransfer) {
  const std::string granted = WriteTemp("granted.yaml", SgLicence("granted"));
  CliResult r = RunGpufleet(kSgMove + " --overlay " + granted);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("overall: allowed\n"));
  EXPECT_THAT(r.out, HasSubstr("licence LIC-SG-H100-001 granted"));

  // With a revenue share the licence's terms are the verdict.
  const std::string shared =
      WriteTemp("shared.yaml", SgLicence("granted") + "    revenue_share_pct: 15\n");
  CliResult share = RunGpufleet(kSgMove + " --overlay " + shared + " --json");
  EXPECT_EQ(share.exit_code, 0) << share.err;
  EXPECT_EQ(nlohmann::json::parse(share.out).at("verdict").at("overall"),
            "allowed_with_revenue_share");
}

// The second overlay replaces the first's licence of the same id.
TEST(ComplianceOverlayTest, OverlaysApplyInOrder) {
  const std::string pending = WriteTemp("pending.yaml", SgLicence("pending"));
  const std::string granted = WriteTemp("granted.yaml", SgLicence("granted"));
  CliResult grant_last = RunGpufleet(kSgMove + " --overlay " + pending + " --overlay " + granted);
  EXPECT_EQ(grant_last.exit_code, 0) << grant_last.out << grant_last.err;
  CliResult pending_last = RunGpufleet(kSgMove + " --overlay " + granted + " --overlay " + pending);
  EXPECT_EQ(pending_last.exit_code, 3) << pending_last.out << pending_last.err;
  EXPECT_THAT(pending_last.out, HasSubstr("licence LIC-SG-H100-001 pending"));
}

TEST(ComplianceOverlayTest, MalformedOverlayNamesItsFileAndLine) {
  const std::string typo = WriteTemp("typo.yaml", "description: x\nlicenses: []\n");
  CliResult key = RunGpufleet("check-transfer --model H20 --to CN --overlay " + typo);
  EXPECT_EQ(key.exit_code, 1);
  EXPECT_THAT(key.err, HasSubstr(typo + ":2:1"));
  EXPECT_THAT(key.err, HasSubstr("licenses"));

  const std::string syntax = WriteTemp("syntax.yaml", "licences:\n  - id: X\n    holder: [oops\n");
  CliResult yaml = RunGpufleet("check-transfer --model H20 --to CN --overlay " + syntax);
  EXPECT_EQ(yaml.exit_code, 1);
  EXPECT_THAT(yaml.err, HasSubstr(syntax + ":"));

  // Found in the merged set: named as rules + overlay, with the licence id.
  const std::string status = WriteTemp("status.yaml", SgLicence("maybe"));
  CliResult merged = RunGpufleet("check-transfer --model H20 --to CN --overlay " + status);
  EXPECT_EQ(merged.exit_code, 1);
  EXPECT_THAT(merged.err, HasSubstr("default.yaml + " + status));
  EXPECT_THAT(merged.err, HasSubstr("LIC-SG-H100-001"));

  CliResult missing = RunGpufleet("check --fleet " + kSource +
                                  "/examples/fleet.yaml --overlay /no/such/overlay.yaml");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("/no/such/overlay.yaml"));
}

// `impact` merges its change into the rules with the overlays applied. The overlay licenses
// northstar-compute's four A800s, moved within China on 2024-05-30 (licence_required under
// US-2023-3A090A-CN); the change withdraws that licence, so exactly those four become
// non-compliant. Without the overlay the change names a licence the rules lack.
TEST(ComplianceOverlayTest, ImpactAppliesItsChangeOnTopOfTheOverlays) {
  const std::string overlay = WriteTemp("northstar.yaml",
                                        "licences:\n"
                                        "  - id: LIC-NS-A800\n"
                                        "    jurisdiction: US\n"
                                        "    holder: northstar-compute\n"
                                        "    models: [A800]\n"
                                        "    locations: [CN]\n"
                                        "    transfers: [in_country_transfer]\n"
                                        "    valid_from: 2024-01-01\n"
                                        "    valid_to: 2024-12-31\n"
                                        "    status: granted\n");
  const std::string change = WriteTemp("withdraw.yaml", "remove_licences: [LIC-NS-A800]\n");
  const std::string impact = "impact" + kFleet + " --change " + change + " --at 2026-03-01";
  CliResult r = RunGpufleet(impact + " --overlay " + overlay + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j.at("total").at("became_violation"), 4);
  EXPECT_EQ(j.at("total").at("cleared"), 0);
  for (const auto& c : j.at("changes")) {
    EXPECT_EQ(c.at("owner"), "northstar-compute");
    EXPECT_EQ(c.at("model"), "nvidia-a800-sxm4-80gb");
  }

  CliResult bare = RunGpufleet(impact);
  EXPECT_EQ(bare.exit_code, 1);
  EXPECT_THAT(bare.err, HasSubstr("LIC-NS-A800"));
}

}  // namespace
}  // namespace gpufleet::testing
