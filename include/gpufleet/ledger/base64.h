#pragma once
// Standard base64 (RFC 4648 §4, with padding), as checkpoints, signed notes, keys and the
// export file write it. Decoding is strict: a length that is not a multiple of four, a
// character outside the alphabet, misplaced padding or non-zero bits after the last byte are
// errors, so each byte string has exactly one accepted spelling (a tampered spelling of the
// same bytes is not silently accepted).

#include <optional>
#include <string>
#include <string_view>

namespace gpufleet::ledger {

std::string Base64Encode(std::string_view bytes);

// The decoded bytes, or nullopt when `text` is not canonical base64.
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace gpufleet::ledger
