#pragma once
// `gpufleet landmark`: measure a node's distance for gpufleetd (docs/agent.md, "Location
// evidence"). Sends the node's agent fresh nonces, times each signed echo on a monotonic
// clock, keeps the smallest round trip, and posts it to POST /v1/landmarks/measurements as a
// note signed with the landmark's own key. Exit 0 when the service kept the measurement, 2 when
// it refused it (4xx), 1 when the agent or the service could not be reached or answered wrong.

#include <CLI/CLI.hpp>

namespace gpufleet::cli {

void AddLandmarkCommand(CLI::App& app, int& exit_code);

}  // namespace gpufleet::cli
