#pragma once
// "May N units of a model go to a place and an end user on a date?" (docs/compliance.md,
// "Transfer questions"): the question as `gpufleet check-transfer` and gpufleetd's
// POST /v1/compliance/check-transfer ask it, resolved against an inventory's sites and
// organisations when it names them, judged by the engine, and the answer as JSON.

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "gpufleet/catalog/catalog.h"
#include "gpufleet/compliance/engine.h"
#include "gpufleet/inventory/inventory.h"
#include "gpufleet/model/date.h"
#include "gpufleet/status.h"

namespace gpufleet::compliance {

struct TransferQuestion {
  std::string model;  // catalog id or alias
  int64_t units = 1;
  std::string to;       // destination country; with to_site, it must be the site's
  std::string to_site;  // a site of the inventory: its country and attributes
  std::string to_org;   // the end user, an organisation of the inventory
  std::string from;     // country it ships from ("" = unknown)
  std::string from_site;
  std::string transfer;                                   // "" = inferred from the route
  std::string end_user, end_user_hq, end_user_parent_hq;  // without to_org
  Date at;
  bool state_funded = false;  // without to_site
  bool public_hub = false;
  std::optional<double> project_completion_pct;
  std::string holding;  // "" = unknown
};

// How the asker names a question's field in an error: "--to-site" on the command line,
// "to_site" in a request body. Fields are named as TransferQuestion's members, and "fleet".
using FieldNamer = std::function<std::string(std::string_view field)>;

struct TransferAnswer {
  const catalog::AcceleratorSpec* chip = nullptr;
  Situation situation;
  bool transfer_inferred = false;
  const inventory::Site* to_site = nullptr;  // into the inventory; nullptr when not named
  const inventory::Site* from_site = nullptr;
  Verdict verdict;
};

// Resolves `q` (sites and organisations from `fleet`, which may be null when the question
// names none), checks that a from_site holds the units on the date, and judges the situation.
// InvalidArgument for contradictory or malformed fields, NotFound for an unknown model, site
// or organisation, FailedPrecondition for units the from_site does not hold; each names the
// field as `name` does.
Result<TransferAnswer> AnswerTransfer(const TransferQuestion& q, const catalog::Catalog& catalog,
                                      const inventory::Inventory* fleet, const Engine& engine,
                                      const FieldNamer& name);

// {"question": {...as resolved}, "verdict": VerdictJson}: what `check-transfer --json` prints.
nlohmann::ordered_json TransferAnswerJson(const TransferQuestion& q, const TransferAnswer& a);

// "4 x NVIDIA H20 -> site gz-hub (CN) for acme (export from US, end user HQ CN) on
// 2025-09-01": the question in one line, as the terminal shows it.
std::string TransferQuestionLine(const TransferQuestion& q, const TransferAnswer& a);

}  // namespace gpufleet::compliance
