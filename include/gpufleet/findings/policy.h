#pragma once
// The operator's policy per kind of finding (docs/findings.md, "Policy"): record it only,
// quarantine the device, or quarantine the node. Read from a small YAML file
// (`gpufleetd --finding-policy FILE`):
//
//   model_differs: quarantine_device
//   node_silent: quarantine_node
//   node_silent_after_s: 300        # thresholds of the checks, in seconds
//   not_seen_after_s: 3600
//
// Kinds left out keep their default (DefaultAction). Thread safety: a value.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "gpufleet/findings/finding.h"
#include "gpufleet/status.h"

namespace gpufleet::findings {

// Without a policy file: quarantine the board when its papers are contradicted by what it is
// (another model or memory, a serial two nodes report), the node when it stops heartbeating
// (its jobs are rescheduled) or is provably elsewhere; record the rest for a person.
Action DefaultAction(Kind kind);

struct Policy {
  std::map<Kind, Action> actions;  // overrides of DefaultAction
  int64_t node_silent_after_ms = 5 * 60 * 1000;
  int64_t not_seen_after_ms = 60 * 60 * 1000;

  Action For(Kind kind) const;
  // A device quarantine needs a device and a node quarantine a node: a finding without one
  // falls back to the other, or to recording.
  Action For(const Detection& d) const;
};

// Strict: an unknown kind, action or key, or a threshold that is not a positive whole number
// of seconds, is InvalidArgument naming the line.
Result<Policy> ParsePolicy(std::string_view yaml, const std::string& name_for_errors);

}  // namespace gpufleet::findings
