#include "gpufleet/catalog/value.h"

namespace gpufleet::catalog {

std::string_view TriName(Tri t) {
  switch (t) {
    case Tri::kFalse:
      return "false";
    case Tri::kTrue:
      return "true";
    case Tri::kUnknown:
      return "unknown";
  }
  return "unknown";
}

}  // namespace gpufleet::catalog
