#pragma once
// Event replay: pods arrive at their trace creation time and leave after their trace run
// time (deletion - scheduled, or deletion - creation when never scheduled). A pod that does
// not fit waits in a FIFO queue; whenever capacity frees up the queue is retried in order
// and any waiting pod that now fits is placed (backfill: a big pod at the head does not
// block smaller ones behind it). Per policy we report GPU utilisation over time, queueing
// delay (mean, p50, p99) and the pods never placed before the replay ends.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "gpufleet/codec/alibaba_trace.h"
#include "gpufleet/model/fleet.h"
#include "gpufleet/status.h"

namespace gpufleet::sim {

struct UtilisationSample {
  int64_t time = 0;          // seconds, trace-relative
  double allocated_pct = 0;  // allocated GPU milli / capacity
  int64_t queued_pods = 0;   // waiting at that time
};

struct EventRun {
  std::string policy;
  uint64_t seed = 0;
  int64_t pods = 0;              // pods replayed (with usable times)
  int64_t placed = 0;            // placed at some point
  int64_t never_placed = 0;      // still queued when the replay ended (with pods that fit
                                 // no node even of the empty cluster: they never queue)
  double never_placed_gpus = 0;  // their GPU request, in GPUs
  int64_t skipped = 0;           // trace rows without creation/deletion time
  double mean_delay_s = 0;       // queueing delay of placed pods (placement - creation)
  double p50_delay_s = 0;        // nearest rank: the smallest delay with >= 50% of placed
  double p99_delay_s = 0;        // pods at or below it; 0 when nothing was placed
  double max_delay_s = 0;
  // Time-weighted over [first arrival, last event]; 0 when that span is empty.
  double mean_allocated_pct = 0;
  // Time-weighted over [first arrival, last arrival]: how busy the policy kept the GPUs while
  // work was still coming in, before the drain at the end dilutes the mean.
  double arrival_allocated_pct = 0;
  // `samples` evenly spaced times over the same span, first and last included; each sample
  // is the state after every event at or before its time.
  std::vector<UtilisationSample> utilisation;
  double seconds = 0;  // wall time
};

struct EventReport {
  std::string trace;
  int64_t cluster_gpus = 0;
  std::vector<EventRun> runs;  // policy-major, then seed
};

struct EventOptions {
  std::vector<std::string> policies;   // registry names; empty = all
  std::vector<uint64_t> seeds = {42};  // seed the tie-break order and random choices
  bool indexed = true;
  int samples = 200;  // utilisation samples over the replay span
  // Queued pods are retried when capacity frees; at most this many queue entries are tried
  // per release, so a long queue of unplaceable pods cannot make the replay quadratic.
  // Precisely: one retry pass follows each batch of departures at a time point, and it
  // calls the placer at most this many times. Entries known to fail without asking the
  // placer (a request above the largest free capacity, or one that already failed in the
  // pass) are skipped and not counted. Entries left untried wait for the next release.
  int64_t max_retries_per_release = 4096;
  std::function<void(size_t, size_t)> on_progress;
};

// `pods` as read from a trace (creation_time / deletion_time required; rows without them
// are counted in `skipped`).
Result<EventReport> RunEventReplay(const Fleet& fleet, const std::vector<codec::TracePod>& pods,
                                   const EventOptions& options);

}  // namespace gpufleet::sim
