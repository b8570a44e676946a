#pragma once
// The dated cases of timeline_test.cc: one question each about the shipped rule history
// (data/rules/default.yaml) and the verdict ../shared/reference/export-controls.md gives for
// it. Expected verdicts come from the reference, not from the engine's output; the comment on
// each case says which part of the reference decides it.

#include <optional>
#include <ostream>
#include <vector>

#include "gpufleet/compliance/rule_set.h"

namespace gpufleet::compliance::timeline {

inline constexpr Action kAllowed = Action::kAllowed;
inline constexpr Action kWarning = Action::kWarning;
inline constexpr Action kRevenueShare = Action::kAllowedWithRevenueShare;
inline constexpr Action kNotify = Action::kNotificationRequired;
inline constexpr Action kLicence = Action::kLicenceRequired;
inline constexpr Action kProhibited = Action::kProhibited;

inline constexpr TransferType kExport = TransferType::kExport;
inline constexpr TransferType kReexport = TransferType::kReexport;
inline constexpr TransferType kInCountry = TransferType::kInCountryTransfer;
inline constexpr TransferType kRemote = TransferType::kRemoteAccess;
inline constexpr TransferType kUse = TransferType::kUse;

// One dated question and the verdict the reference gives for it.
struct TimelineCase {
  const char* name;  // test name: [A-Za-z0-9_]
  const char* chip;  // catalog id or alias
  const char* date;
  const char* location;
  const char* from = "";  // ships from; "" = unknown
  TransferType transfer = kExport;
  const char* end_user_hq = "CN";
  const char* end_user_parent_hq = "";
  bool state_funded = false;
  std::optional<double> completion_pct = std::nullopt;
  Action overall = kAllowed;
  Action us = kAllowed;
  Action cn = kAllowed;
  bool needs_manual = false;
  // The end user holds granted licences for the licensed routes (timeline_test.cc kLicences).
  bool licensed = false;
  std::optional<double> us_revenue_share = std::nullopt;
  // A rule that must be among those deciding its jurisdiction's verdict ("" = not checked).
  const char* deciding_rule = "";
  // A third jurisdiction to check (e.g. MY), with its expected action.
  const char* other_jurisdiction = "";
  Action other = kAllowed;
};

// Failure messages name the case instead of dumping its bytes.
inline void PrintTo(const TimelineCase& c, std::ostream* os) { *os << c.name; }

inline const std::vector<TimelineCase>& Cases() {
  static const std::vector<TimelineCase> cases = {
      // --- H100 at a China site: restricted throughout, except through the 2026 route ---
      // Reference 2.1: nothing controlled the H100 before 2022-10-07.
      {.name = "H100_China_2022_06_01_BeforeTheFirstRule",
       .chip = "H100",
       .date = "2022-06-01",
       .location = "CN",
       .from = "US"},
      // 2.1: TPP 15832 >= 4800 and NVLink 900 >= 600 GB/s.
      {.name = "H100_China_2022_11_01_Oct2022Rule",
       .chip = "H100",
       .date = "2022-11-01",
       .location = "CN",
       .from = "US",
       .overall = kLicence,
       .us = kLicence,
       .deciding_rule = "US-2022-3A090"},
      // 2.2: 3A090.a, data-centre part, no NAC.
      {.name = "H100_China_2024_06_01_3A090a",
       .chip = "H100",
       .date = "2024-06-01",
       .location = "CN",
       .from = "US",
       .overall = kLicence,
       .us = kLicence,
       .deciding_rule = "US-2023-3A090A-CN"},
      // Conventions: BIS treats Hong Kong as China.
      {.name = "H100_HongKong_2024_06_01_TreatedAsChina",
       .chip = "H100",
       .date = "2024-06-01",
       .location = "HK",
       .from = "US",
       .end_user_hq = "HK",
       .overall = kLicence,
       .us = kLicence,
       .deciding_rule = "US-2023-3A090A-CN"},
      // 2.9: the H100 is a "lesser" part under the TPP 21000 / 6500 GB/s ceiling that was sold in
      // the US at publication, so exports from the US get case-by-case licences with 25 %.
      {.name = "H100_China_2026_03_01_ExportFromUsH200Route",
       .chip = "H100",
       .date = "2026-03-01",
       .location = "CN",
       .from = "US",
       .overall = kRevenueShare,
       .us = kRevenueShare,
       .licensed = true,
       .us_revenue_share = 25,
       .deciding_rule = "US-2026-H200-CBC"},
      // 2.9: re-exports and in-country transfers stay presumption of denial.
      {.name = "H100_China_2026_03_01_ReexportFromSingapore",
       .chip = "H100",
       .date = "2026-03-01",
       .location = "CN",
       .from = "SG",
       .transfer = kReexport,
       .overall = kLicence,
       .us = kLicence,
       .deciding_rule = "US-2026-H200-REEXPORT"},
      {.name = "H100_China_2026_03_01_InCountryTransfer",
       .chip = "H100",
       .date = "2026-03-01",
       .location = "CN",
       .from = "CN",
       .transfer = kInCountry,
       .overall = kLicence,
       .us = kLicence,
       .deciding_rule = "US-2026-H200-REEXPORT"},

      // --- China variants: legal until the rule they were cut for changed ---
      // 2.1: NVLink cut to 400 GB/s escapes the 600 GB/s prong.
      {.name = "H800_China_2023_06_01_BelowOct2022Interconnect",
       .chip = "H800",
       .date = "2023-06-01",
       .location = "CN",
       .from = "US"},
      // 2.2: the interconnect prong is gone; TPP alone makes it 3A090.a.
      {.name = "H800_China_2023_12_01_Oct2023Rule",
       .chip = "H800",
       .date = "2023-12-01",
       .location = "CN",
       .from = "US",
       .overall = kLicence,
       .us = kLicence,
       .deciding_rule = "US-2023-3A090A-CN"},

      // --- H20: allowed, then licensed, then licensed with 15 % ---
      // 2.2: TPP 2368 < 2400 and PD 2.91 < 3.2: outside 3A090.a and .b.
      {.name = "H20_China_2025_03_01_BeforeIsInformed",
       .chip = "H20",
       .date = "2025-03-01",
       .location = "CN",
       .from = "US"},
      // 2.6: the is-informed letter of 2025-04-09 (DRAM 4000 >= 1400 GB/s).
      {.name = "H20_China_2025_05_02_IsInformed",
       .chip = "H20",
       .date = "2025-05-02",
       .location = "CN",
       .from = "US",
       .overall = kLicence,
       .us = kLicence,
       .deciding_rule = "US-2025-H20-IS-INFORMED"},
      // 2.8: licences with a 15 % revenue share from 2025-08-11; section 4: Beijing discourages
      // H20 purchases from Aug 2025 (a warning, less restrictive than the revenue share).
      {.name = "H20_China_2025_09_01_RevenueShare",
       .chip = "H20",
       .date = "2025-09-01",
       .location = "CN",
       .from = "US",
       .overall = kRevenueShare,
       .us = kRevenueShare,
       .cn = kWarning,
       .licensed = true,
       .us_revenue_share = 15,
       .deciding_rule = "US-2025-H20-REVSHARE"},
      {.name = "H20_China_2025_09_01_DiscouragedByBeijing",
       .chip = "H20",
       .date = "2025-09-01",
       .location = "CN",
       .from = "US",
       .overall = kRevenueShare,
       .us = kRevenueShare,
       .cn = kWarning,
       .licensed = true,
       .us_revenue_share = 15,
       .deciding_rule = "CN-2025-H20-DISCOURAGE"},
      // The route is for licence holders only: without a granted licence the letter's
      // requirement stands.
      {.name = "H20_China_2025_09_01_NoLicenceNoRoute",
       .chip = "H20",
       .date = "2025-09-01",
       .location = "CN",
       .from = "US",
       .overall = kLicence,
       .us = kLicence,
       .cn = kWarning,
       .deciding_rule = "US-2025-H20-IS-INFORMED"},
      // The 15 % arrangement covers exports; a re-export keeps the letter's requirement.
      {.name = "H20_China_2025_09_01_ReexportStillLicensed",
       .chip = "H20",
       .date = "2025-09-01",
       .location = "CN",
       .from = "SG",
       .transfer = kReexport,
       .overall = kLicence,
       .us = kLicence,
       .cn = kWarning,
       .deciding_rule = "US-2025-H20-IS-INFORMED"},
      // 2.6: the letter also reaches companies headquartered in China that sit elsewhere.
      {.name = "H20_Malaysia_2025_05_02_ChinaHqSubsidiary",
       .chip = "H20",
       .date = "2025-05-02",
       .location = "MY",
       .from = "US",
       .end_user_hq = "MY",
       .end_user_parent_hq = "CN",
       .overall = kLicence,
       .us = kLicence,
       .deciding_rule = "US-2025-H20-IS-INFORMED-HQ"},

      // --- H200 for a Chinese customer ---
      // Before the 2026 rule: 3A090.a, presumption of denial (the 2025-12-08 announcement took
      // effect through the 2026-01-15 rule).
      {.name = "H200_China_2025_12_01_PresumptionOfDenial",
       .chip = "H200",
       .date = "2025-12-01",
       .location = "CN",
       .from = "US",
       .overall = kLicence,
       .us = kLicence,
       .deciding_rule = "US-2023-3A090A-CN"},
      // Section 4: Chinese customs stopped H200 imports on 2026-01-13, two days before the US
      // route opened.
      {.name = "H200_China_2026_01_14_CustomsBeforeUsRoute",
       .chip = "H200",
       .date = "2026-01-14",
       .location = "CN",
       .from = "US",
       .overall = kProhibited,
       .us = kLicence,
       .cn = kProhibited,
       .deciding_rule = "CN-2026-H200-CUSTOMS"},
      // 2.9: case by case with 25 % from the US; China still refuses the import.
      {.name = "H200_China_2026_01_16_ExportFromUs",
       .chip = "H200",
       .date = "2026-01-16",
       .location = "CN",
       .from = "US",
       .overall = kProhibited,
       .us = kRevenueShare,
       .cn = kProhibited,
       .licensed = true,
       .us_revenue_share = 25,
       .deciding_rule = "US-2026-H200-CBC"},
      {.name = "H200_China_2026_01_16_ReexportFromTaiwan",
       .chip = "H200",
       .date = "2026-01-16",
       .location = "CN",
       .from = "TW",
       .transfer = kReexport,
       .overall = kProhibited,
       .us = kLicence,
       .cn = kProhibited,
       .deciding_rule = "US-2026-H200-REEXPORT"},
      // 2.9: a Chinese company's overseas data centre cannot use the route.
      {.name = "H200_Singapore_2026_03_01_ChinaHqSubsidiary",
       .chip = "H200",
       .date = "2026-03-01",
       .location = "SG",
       .from = "US",
       .end_user_hq = "SG",
       .end_user_parent_hq = "CN",
       .overall = kLicence,
       .us = kLicence,
       .deciding_rule = "US-2026-H200-HQ-ABROAD"},

      // --- Renting versus buying abroad (2.10, implementers' note 3) ---
      {.name = "H100_Malaysia_2026_03_01_RentedByChinaHq",
       .chip = "H100",
       .date = "2026-03-01",
       .location = "MY",
       .transfer = kRemote},
      {.name = "H100_UAE_2026_03_01_RentedByChinaHq",
       .chip = "H100",
       .date = "2026-03-01",
       .location = "AE",
       .transfer = kRemote},
      // 2.2: the headquarters rule follows the owner.
      {.name = "H100_Malaysia_2026_03_01_BoughtByChinaHqSubsidiary",
       .chip = "H100",
       .date = "2026-03-01",
       .location = "MY",
       .from = "US",
       .end_user_hq = "MY",
       .end_user_parent_hq = "CN",
       .overall = kLicence,
       .us = kLicence,
       .deciding_rule = "US-2023-HQ"},
      // 2.2: the UAE is in D:4 and not in D:5, A:5 or A:6: licence for anyone.
      {.name = "H100_UAE_2026_03_01_BoughtByLocalFirm",
       .chip = "H100",
       .date = "2026-03-01",
       .location = "AE",
       .from = "US",
       .end_user_hq = "AE",
       .overall = kLicence,
       .us = kLicence,
       .deciding_rule = "US-2023-3A090-D1D4"},
      // Section 6: Israel is in D:4 but also in A:6, which takes it out.
      {.name = "H100_Israel_2024_06_01_A6Excluded",
       .chip = "H100",
       .date = "2024-06-01",
       .location = "IL",
       .from = "US",
       .end_user_hq = "IL"},
      // 2.9b: installed base of a China-HQ operator may keep running.
      {.name = "H100_Malaysia_2026_06_01_InstalledBaseOfChinaHq",
       .chip = "H100",
       .date = "2026-06-01",
       .location = "MY",
       .transfer = kUse,
       .deciding_rule = "US-2026-HQ-EXISTING-USE"},

      // --- Consumer GPUs (Note 2 to 3A090, NAC) ---
      {.name = "Rtx4090_China_2024_06_01_NacNotification",
       .chip = "RTX 4090",
       .date = "2024-06-01",
       .location = "CN",
       .from = "US",
       .overall = kNotify,
       .us = kNotify,
       .deciding_rule = "US-2023-NONDC"},
      {.name = "Rtx4090D_China_2024_06_01_BelowTpp4800",
       .chip = "RTX 4090D",
       .date = "2024-06-01",
       .location = "CN",
       .from = "US"},
      // 2.2: in-country transfers inside China do not use the notification.
      {.name = "Rtx4090_China_2024_06_01_InCountryTransfer",
       .chip = "RTX 4090",
       .date = "2024-06-01",
       .location = "CN",
       .from = "CN",
       .transfer = kInCountry,
       .overall = kLicence,
       .us = kLicence,
       .deciding_rule = "US-2023-NONDC-ICT"},
      // 2.2: License Exception ACA to D:1/D:4 destinations outside D:5 [VERIFY in the reference].
      {.name = "Rtx4090_Vietnam_2024_06_01_Aca",
       .chip = "RTX 4090",
       .date = "2024-06-01",
       .location = "VN",
       .from = "US",
       .end_user_hq = "VN",
       .deciding_rule = "US-2023-NONDC-ACA"},

      // --- Chinese chips in China (2.7, GP10) ---
      {.name = "Ascend910B_China_2025_03_01_UseBeforeGp10",
       .chip = "Ascend 910B",
       .date = "2025-03-01",
       .location = "CN",
       .transfer = kUse},
      {.name = "Ascend910B_China_2025_06_01_UseWarnedByGp10",
       .chip = "Ascend 910B",
       .date = "2025-06-01",
       .location = "CN",
       .transfer = kUse,
       .overall = kWarning,
       .us = kWarning,
       .deciding_rule = "US-2025-GP10-PRC-IC"},

      // --- Unknown compute: manual classification, never a silent "allowed" (section 7) ---
      {.name = "Mi308x_China_2024_06_01_UnknownTppNeedsManualClassification",
       .chip = "MI308X",
       .date = "2024-06-01",
       .location = "CN",
       .from = "US",
       .needs_manual = true},
      // A Chinese-designed, Chinese-made chip at home would be outside the US rules (derived
      // fact us_subject), but the P800's foundry is not established: it is never assumed
      // domestic, so whether the US rules reach it (and its unknown TPP) needs a person...
      {.name = "KunlunP800_China_2024_06_01_FabUnknownNeedsManualClassification",
       .chip = "Kunlun P800",
       .date = "2024-06-01",
       .location = "CN",
       .from = "CN",
       .transfer = kInCountry,
       .needs_manual = true},
      // ...and from 2025-05-13 GP10 reaches PRC-made 3A090-level chips anywhere, and whether the
      // P800 is one depends on its unpublished TPP.
      {.name = "KunlunP800_China_2025_06_01_Gp10NeedsManualClassification",
       .chip = "Kunlun P800",
       .date = "2025-06-01",
       .location = "CN",
       .from = "CN",
       .transfer = kInCountry,
       .needs_manual = true},
      // 2.6: named in the letter and DRAM 5300 >= 1400 GB/s: the licence requirement is settled
      // without the TPP. Whether its TPP reaches the 21000 ceiling (US-BLACKWELL-CN) is still
      // open, so manual classification stays on.
      {.name = "Mi308x_China_2025_06_01_SettledByBandwidth",
       .chip = "MI308X",
       .date = "2025-06-01",
       .location = "CN",
       .from = "US",
       .overall = kLicence,
       .us = kLicence,
       .needs_manual = true,
       .deciding_rule = "US-2025-H20-IS-INFORMED"},
      // 2.8: the 15 % licences covered the MI308 too.
      {.name = "Mi308x_China_2025_09_01_RevenueShare",
       .chip = "MI308X",
       .date = "2025-09-01",
       .location = "CN",
       .from = "US",
       .overall = kRevenueShare,
       .us = kRevenueShare,
       .needs_manual = true,
       .licensed = true,
       .us_revenue_share = 15,
       .deciding_rule = "US-2025-H20-REVSHARE"},

      // --- Above the 2026 ceiling: no route (2.9, US-BLACKWELL-CN) ---
      {.name = "B200_China_2026_03_01_AboveCeiling",
       .chip = "B200",
       .date = "2026-03-01",
       .location = "CN",
       .from = "US",
       .overall = kProhibited,
       .us = kProhibited,
       .deciding_rule = "US-BLACKWELL-CN"},

      // --- AI Diffusion: four months in force, then not enforced (2.5) ---
      {.name = "H100_Singapore_2025_03_01_AidTier2",
       .chip = "H100",
       .date = "2025-03-01",
       .location = "SG",
       .from = "US",
       .end_user_hq = "SG",
       .overall = kLicence,
       .us = kLicence,
       .deciding_rule = "US-2025-AID-T2"},
      {.name = "H100_Singapore_2025_06_01_AidNotEnforced",
       .chip = "H100",
       .date = "2025-06-01",
       .location = "SG",
       .from = "US",
       .end_user_hq = "SG"},
      {.name = "H100_Japan_2025_03_01_AidTier1",
       .chip = "H100",
       .date = "2025-03-01",
       .location = "JP",
       .from = "US",
       .end_user_hq = "JP",
       .deciding_rule = "US-2025-AID-T1"},

      // --- Malaysia's Strategic Trade Permit (section 3, MY-2025-STP) ---
      {.name = "H100_Thailand_2025_07_01_BeforeMalaysianPermit",
       .chip = "H100",
       .date = "2025-07-01",
       .location = "TH",
       .from = "MY",
       .transfer = kReexport,
       .end_user_hq = "TH"},
      {.name = "H100_Thailand_2025_08_01_ReexportFromMalaysia",
       .chip = "H100",
       .date = "2025-08-01",
       .location = "TH",
       .from = "MY",
       .transfer = kReexport,
       .end_user_hq = "TH",
       .overall = kLicence,
       .deciding_rule = "MY-2025-STP",
       .other_jurisdiction = "MY",
       .other = kLicence},

      // --- China's state-funded data centres (section 4, Nov 2025) ---
      {.name = "H20_China_2025_12_01_StateFundedEarlyProject",
       .chip = "H20",
       .date = "2025-12-01",
       .location = "CN",
       .transfer = kUse,
       .state_funded = true,
       .completion_pct = 10,
       .overall = kProhibited,
       .cn = kProhibited,
       .deciding_rule = "CN-2025-STATEFUNDED-DOMESTIC"},
      {.name = "H20_China_2025_12_01_StateFundedAdvancedProject",
       .chip = "H20",
       .date = "2025-12-01",
       .location = "CN",
       .transfer = kUse,
       .state_funded = true,
       .completion_pct = 60,
       .overall = kWarning,
       .cn = kWarning,
       .deciding_rule = "CN-2025-STATEFUNDED-DOMESTIC-REVIEW"},
      {.name = "H20_China_2025_12_01_StateFundedCompletionUnknown",
       .chip = "H20",
       .date = "2025-12-01",
       .location = "CN",
       .transfer = kUse,
       .state_funded = true,
       .needs_manual = true},
      {.name = "H20_China_2025_10_01_StateFundedBeforeGuidance",
       .chip = "H20",
       .date = "2025-10-01",
       .location = "CN",
       .transfer = kUse,
       .state_funded = true,
       .completion_pct = 10},
      {.name = "Ascend910B_China_2025_12_01_StateFundedDomesticChip",
       .chip = "Ascend 910B",
       .date = "2025-12-01",
       .location = "CN",
       .transfer = kUse,
       .state_funded = true,
       .completion_pct = 10,
       .overall = kWarning,
       .us = kWarning,
       .deciding_rule = "US-2025-GP10-PRC-IC"},
  };
  return cases;
}

}  // namespace gpufleet::compliance::timeline
