#include "gpufleet/status.h"

namespace gpufleet {

std::string Status::ToString() const {
  switch (code_) {
    case Code::kOk:
      return "OK";
    case Code::kInvalidArgument:
      return "invalid argument: " + message_;
    case Code::kNotFound:
      return "not found: " + message_;
    case Code::kCorruption:
      return "corruption: " + message_;
    case Code::kIOError:
      return "I/O error: " + message_;
    case Code::kFailedPrecondition:
      return "failed precondition: " + message_;
    case Code::kPermissionDenied:
      return "permission denied: " + message_;
    case Code::kUnauthenticated:
      return "unauthenticated: " + message_;
    case Code::kAlreadyExists:
      return "already exists: " + message_;
    case Code::kResourceExhausted:
      return "resource exhausted: " + message_;
    case Code::kAborted:
      return "aborted: " + message_;
  }
  return message_;
}

}  // namespace gpufleet
