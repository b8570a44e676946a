#include "gpufleet/compliance/licence.h"

namespace gpufleet::compliance {

LicenceState LicenceStateOn(const Licence& l, Date d) {
  switch (l.status) {
    case LicenceStatus::kPending:
      return LicenceState::kPending;
    case LicenceStatus::kDenied:
      return LicenceState::kDenied;
    case LicenceStatus::kRevoked:
      // Until its revocation a revoked licence held as granted; dates outside its validity
      // say expired or not yet valid below.
      if (!l.revoked_on || *l.revoked_on <= d) return LicenceState::kRevoked;
      break;
    case LicenceStatus::kGranted:
      break;
  }
  if (d < l.valid_from) return LicenceState::kNotYetValid;
  if (l.valid_to < d) return LicenceState::kExpired;
  return LicenceState::kGranted;
}

}  // namespace gpufleet::compliance
