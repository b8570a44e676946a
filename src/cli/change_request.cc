#include "cli/change_request.h"

#include <cstdio>
#include <iostream>

#include "cli/json_table.h"
#include "gpufleet/model/date.h"
#include "gpufleet/model/utf8.h"

namespace gpufleet::cli {
namespace {

constexpr int64_t kMsPerDay = 86'400'000;

// The fields of a change that say what it did, in words ("site=gz-hub node=n7").
std::string What(const nlohmann::json& change) {
  std::string out;
  for (const char* key : {"site", "node", "owner", "operator", "holding", "how", "corrects"}) {
    if (!change.contains(key)) continue;
    out += (out.empty() ? "" : " ") + std::string(key) + "=" + CellText(change[key]);
  }
  if (change.contains("asset")) {
    const nlohmann::json& a = change["asset"];
    out += (out.empty() ? "" : " ") + CellText(a["model"]) + " at " + CellText(a["site"]) + ", " +
           CellText(a["owner"]) + ", " + CellText(a["arrival"]) + " from " +
           CellText(a["from_country"]);
  }
  if (change.contains("organisation")) out += CellText(change["organisation"]["name"]);
  if (change.contains("place")) out += CellText(change["place"]["name"]);
  return out;
}

}  // namespace

void AddChangeTimingOptions(CLI::App& cmd, ChangeTiming& timing) {
  cmd.add_option("--at", timing.at,
                 "when it happened, YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS]Z (default: now); more "
                 "than 5 minutes back needs --reason");
  cmd.add_option("--reason", timing.reason, "why (required for back-dated changes)");
  cmd.add_option("--licence", timing.licence, "the id of a licence that allows it");
}

Result<int64_t> ParseUtcTime(std::string_view text) {
  const auto bad = [&] {
    return Status::InvalidArgument("--at: '" + Excerpt(text) +
                                   "' is not YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS]Z (UTC)");
  };
  if (text.size() < 10) return bad();
  Result<Date> date = Date::Parse(text.substr(0, 10));
  if (!date.ok()) return bad();
  int64_t ms = static_cast<int64_t>(date->days()) * kMsPerDay;
  if (text.size() == 10) return ms;
  int h = 0, m = 0, s = 0;
  char z = 0;
  const std::string rest(text.substr(10));
  const bool with_seconds = std::sscanf(rest.c_str(), "T%2d:%2d:%2d%c", &h, &m, &s, &z) == 4;
  if (!with_seconds && std::sscanf(rest.c_str(), "T%2d:%2d%c", &h, &m, &z) != 3) return bad();
  const size_t expected = with_seconds ? 10 : 7;  // "THH:MM:SSZ" / "THH:MM"Z
  if (z != 'Z' || rest.size() != expected || h > 23 || m > 59 || s > 59 || h < 0 || m < 0 ||
      s < 0) {
    return bad();
  }
  return ms + ((h * 60 + m) * 60 + s) * int64_t{1000};
}

Status ApplyChangeTiming(const ChangeTiming& timing, nlohmann::json& change) {
  if (timing.at) {
    Result<int64_t> ms = ParseUtcTime(*timing.at);
    if (!ms.ok()) return ms.status();
    change["effective_ms"] = *ms;
  }
  if (timing.reason) change["reason"] = *timing.reason;
  if (timing.licence) change["licence"] = *timing.licence;
  return Status::Ok();
}

Result<nlohmann::json> PostChanges(ApiClient& client, const nlohmann::json& changes) {
  return client.Post("/v1/inventory/changes", {{"changes", changes}, {"atomic", false}});
}

bool AlreadyRecordedSo(const nlohmann::json& outcome) {
  const nlohmann::json& error = outcome["error"];
  return error["code"] == "already_exists" && error["message"].get<std::string>().ends_with(" so");
}

Status SendChanges(ApiClient& client, const ClientFlags& flags, const nlohmann::json& changes) {
  Result<nlohmann::json> r = PostChanges(client, changes);
  if (!r.ok()) return r.status();
  if (flags.json) std::cout << report::DumpJson(*r, 2) << '\n';
  Status first_refusal;
  for (const nlohmann::json& o : (*r)["results"]) {
    const nlohmann::json& c = o["change"];
    const std::string subject = c.contains("serial") ? CellText(c["serial"]) : CellText(c["kind"]);
    if (o["status"] == "accepted") {
      if (!flags.json) {
        std::cout << "entry " << CellText(o["index"]) << ": " << CellText(c["kind"]) << " "
                  << subject;
        if (c.contains("verdict")) std::cout << " (" << CellText(c["verdict"]) << ")";
        if (c.contains("licence")) std::cout << " under licence " << CellText(c["licence"]);
        std::cout << '\n';
      }
      continue;
    }
    std::string message = CellText(o["error"]["message"]);
    if (AlreadyRecordedSo(o)) {
      if (!flags.json) std::cout << "unchanged: " << message << '\n';
      continue;
    }
    if (o.contains("rules")) {
      message += "; rules: " + CellText(o["rules"]);
      if (!flags.json) {
        for (const nlohmann::json& line : o["explanation"]) {
          std::cerr << "  " << CellText(line) << '\n';
        }
      }
    }
    if (first_refusal.ok()) {
      first_refusal =
          Status::FailedPrecondition(CellText(c["kind"]) + " " + subject + " refused: " + message);
    }
  }
  return first_refusal;
}

nlohmann::json HistoryRows(const nlohmann::json& entries) {
  nlohmann::json rows = nlohmann::json::array();
  for (const nlohmann::json& e : entries) {
    const nlohmann::json& c = e["change"];
    rows.push_back({{"index", e["index"]},
                    {"kind", e["kind"]},
                    {"effective", e["effective"]},
                    {"recorded", e["recorded"]},
                    {"what", What(c)},
                    {"verdict", c.value("verdict", "")},
                    {"licence", c.value("licence", "")},
                    {"actor", c.value("actor", "")},
                    {"proof", e.value("proof", "unverified")}});
  }
  return rows;
}

}  // namespace gpufleet::cli
