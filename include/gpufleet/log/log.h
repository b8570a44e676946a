#pragma once
// Structured logs: one line per event, with a level, a UTC timestamp, an event name and
// key-value fields, as logfmt text (`ts=... level=info event=http.request status=404 ...`) or
// one JSON object per line. Written through spdlog (Debian's, on the project's fmt) to stderr.
//
// Secrets never belong in a field; as a second line of defence, any string value that looks
// like an API token ("gf_" and 64 hex digits) is written as "[redacted]".
// Thread safety: Write and Enabled may be called from any thread; Configure from one thread
// before the others log.

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <string_view>

#include "gpufleet/status.h"

namespace gpufleet::log {

enum class Level : uint8_t { kDebug, kInfo, kWarn, kError, kOff };

struct Options {
  std::string level = "info";   // debug, info, warn, error or off
  std::string format = "text";  // text (logfmt) or json
  // Where lines go; null: stderr. REQUIRES: outlives every Write until the next Configure.
  std::ostream* stream = nullptr;
};

// InvalidArgument naming the option for an unknown level or format; nothing changes then.
// Until it is called, info and above go to stderr as text.
Status Configure(const Options& options);

struct Field {
  std::string_view key;
  nlohmann::json value;
};

bool Enabled(Level level);
void Write(Level level, std::string_view event, std::initializer_list<Field> fields = {});

inline void Debug(std::string_view event, std::initializer_list<Field> fields = {}) {
  Write(Level::kDebug, event, fields);
}
inline void Info(std::string_view event, std::initializer_list<Field> fields = {}) {
  Write(Level::kInfo, event, fields);
}
inline void Warn(std::string_view event, std::initializer_list<Field> fields = {}) {
  Write(Level::kWarn, event, fields);
}
inline void Error(std::string_view event, std::initializer_list<Field> fields = {}) {
  Write(Level::kError, event, fields);
}

// The line Write would emit, without writing it (for tests and for callers that batch).
std::string Render(Level level, std::string_view format, int64_t unix_ms, std::string_view event,
                   std::initializer_list<Field> fields);

}  // namespace gpufleet::log
