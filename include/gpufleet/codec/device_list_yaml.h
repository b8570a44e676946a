#pragma once
// The device file of gpufleet-agent's file provider (docs/agent.md, "The file provider"): the
// accelerators of a node written by hand or by a vendor tool, for hardware that has no library
// the agent loads (Ascend, Cambricon, an in-house ASIC). YAML, so JSON too:
//
//   devices:
//     - vendor: huawei                 # required, lowercase
//       model: Ascend 910B             # required
//       serial: "102345678"            # the rest may be left out
//       uuid: ...
//       pci_bus_id: "0000:c1:00.0"
//       board_part_number: ...
//       memory_bytes: 68719476736
//       driver_version: 24.1.rc2
//       firmware_version: 7.1.0.5.220
//
// Read strictly (codec/yaml_map.h): an unknown key, a value of the wrong type, more than
// kMaxReportDevices devices or a field longer than kMaxReportFieldBytes is an InvalidArgument
// naming "<file>:<line>:<column>".

#include <string>
#include <string_view>
#include <vector>

#include "gpufleet/model/observed_device.h"
#include "gpufleet/status.h"

namespace gpufleet::codec {

// The devices of `text`; `file` names it in messages. An empty list is a node without
// accelerators.
Result<std::vector<ObservedDevice>> ParseDeviceListYaml(std::string_view text,
                                                        const std::string& file);

}  // namespace gpufleet::codec
