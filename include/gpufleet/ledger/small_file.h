#pragma once
// The small files the ledger's tools read and replace whole: keys, signed checkpoints, proofs,
// a witness's state. Reads are bounded (none of these is near a MiB, so a larger file is the
// wrong file); replacement is durable and atomic, so a crash leaves the old content or the
// new, never a torn file.
// Thread safety: free functions; concurrent replacements of one path need outside locking.

#include <string>
#include <string_view>

#include "gpufleet/status.h"

namespace gpufleet::ledger {

inline constexpr size_t kMaxSmallFileBytes = 1 << 20;

// The whole file. IOError naming it when it cannot be read; InvalidArgument when it is over
// kMaxSmallFileBytes.
Result<std::string> ReadSmallFile(const std::string& path);

// Writes `text` to "<path>.tmp" with `mode`, syncs it, renames it over `path` and syncs the
// directory. IOError naming the step that failed.
Status ReplaceFileDurably(const std::string& path, std::string_view text, unsigned mode = 0644);

}  // namespace gpufleet::ledger
