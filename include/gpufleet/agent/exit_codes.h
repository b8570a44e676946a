#pragma once
// gpufleet-agent's exit codes: one table from Status codes, so a supervisor (systemd, a test)
// can tell a node without the driver from a driver too old, a driver failing, a bad device file
// and a service that refuses the node's token, without reading the message.
//
//   0  ok (--once: the devices were seen, and reported unless --json)
//   1  anything else (an internal error)
//   2  usage: a flag missing or malformed (also CLI11's own parse errors)
//   3  NotFound            the vendor library is not installed
//   4  FailedPrecondition  the vendor library lacks a call the agent needs
//   5  IOError             the library or driver failed, a file could not be read, or the
//                          service could not be reached
//   6  InvalidArgument     the device file (or a report) is malformed
//   7  Unauthenticated / PermissionDenied  the service refused the token (unknown, revoked,
//                          or bound to another node)
// Persisted in unit files and scripts: do not renumber.

#include "gpufleet/status.h"

namespace gpufleet::agent {

inline constexpr int kExitOk = 0;
inline constexpr int kExitInternal = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitLibraryMissing = 3;
inline constexpr int kExitSymbolMissing = 4;
inline constexpr int kExitSourceFailed = 5;
inline constexpr int kExitBadInput = 6;
inline constexpr int kExitRefused = 7;

constexpr int ExitCodeFor(Status::Code code) {
  switch (code) {
    case Status::Code::kOk:
      return kExitOk;
    case Status::Code::kNotFound:
      return kExitLibraryMissing;
    case Status::Code::kFailedPrecondition:
      return kExitSymbolMissing;
    case Status::Code::kIOError:
      return kExitSourceFailed;
    case Status::Code::kInvalidArgument:
      return kExitBadInput;
    case Status::Code::kUnauthenticated:
    case Status::Code::kPermissionDenied:
      return kExitRefused;
    case Status::Code::kCorruption:
    case Status::Code::kAlreadyExists:
    case Status::Code::kResourceExhausted:
    case Status::Code::kAborted:
      return kExitInternal;
  }
  return kExitInternal;
}

}  // namespace gpufleet::agent
