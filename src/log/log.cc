#include "gpufleet/log/log.h"

#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <memory>
#include <mutex>

namespace gpufleet::log {
namespace {

constexpr std::string_view kLevelNames[] = {"debug", "info", "warn", "error", "off"};
constexpr spdlog::level::level_enum kSpdLevels[] = {spdlog::level::debug, spdlog::level::info,
                                                    spdlog::level::warn, spdlog::level::err,
                                                    spdlog::level::off};

struct State {
  std::mutex mu;  // guards logger replacement; the logger itself is thread-safe
  std::shared_ptr<spdlog::logger> logger = std::make_shared<spdlog::logger>(
      "gpufleet", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  std::atomic<bool> json{false};
  std::atomic<Level> level{Level::kInfo};
};

State& TheState() {
  static State* state = [] {
    auto* s = new State();  // never destroyed: threads may log during static destruction
    s->logger->set_pattern("%v");
    s->logger->set_level(spdlog::level::trace);  // filtering is ours (Enabled)
    s->logger->flush_on(spdlog::level::trace);
    return s;
  }();
  return *state;
}

bool LooksLikeToken(std::string_view s) {
  if (s.size() != 67 || !s.starts_with("gf_")) return false;
  for (const char c : s.substr(3)) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

nlohmann::json Scrubbed(const nlohmann::json& value) {
  if (value.is_string() && LooksLikeToken(value.get_ref<const std::string&>())) {
    return "[redacted]";
  }
  return value;
}

std::string IsoUtc(int64_t unix_ms) {
  const std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(unix_ms % 1000));
  return buf;
}

// logfmt: bare when the value has no space, quote or '=', else a JSON string.
void AppendLogfmt(std::string& out, std::string_view key, const nlohmann::json& value) {
  out += ' ';
  out += key;
  out += '=';
  if (value.is_string()) {
    const std::string& s = value.get_ref<const std::string&>();
    const bool bare = !s.empty() && s.find_first_of(" \"=\t\n\r\\") == std::string::npos;
    out += bare ? s : value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  } else {
    out += value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
}

}  // namespace

Status Configure(const Options& options) {
  Level level = Level::kInfo;
  bool found = false;
  for (size_t i = 0; i < std::size(kLevelNames); ++i) {
    if (options.level == kLevelNames[i]) {
      level = static_cast<Level>(i);
      found = true;
    }
  }
  if (!found) {
    return Status::InvalidArgument("log level '" + options.level +
                                   "' is not debug, info, warn, error or off");
  }
  if (options.format != "text" && options.format != "json") {
    return Status::InvalidArgument("log format '" + options.format + "' is not text or json");
  }
  std::shared_ptr<spdlog::sinks::sink> sink;
  if (options.stream != nullptr) {
    sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(*options.stream, /*force_flush=*/true);
  } else {
    sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  }
  auto logger = std::make_shared<spdlog::logger>("gpufleet", std::move(sink));
  logger->set_pattern("%v");
  logger->set_level(spdlog::level::trace);
  logger->flush_on(spdlog::level::trace);  // a line is out before the process can die
  State& state = TheState();
  const std::lock_guard<std::mutex> lock(state.mu);
  state.logger = std::move(logger);
  state.json = options.format == "json";
  state.level = level;
  return Status::Ok();
}

bool Enabled(Level level) { return level != Level::kOff && level >= TheState().level.load(); }

std::string Render(Level level, std::string_view format, int64_t unix_ms, std::string_view event,
                   std::initializer_list<Field> fields) {
  const std::string_view level_name = kLevelNames[static_cast<size_t>(level)];
  if (format == "json") {
    nlohmann::ordered_json line;
    line["ts"] = IsoUtc(unix_ms);
    line["level"] = level_name;
    line["event"] = event;
    for (const Field& f : fields) line[std::string(f.key)] = Scrubbed(f.value);
    return line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  }
  std::string out = "ts=" + IsoUtc(unix_ms) + " level=" + std::string(level_name);
  AppendLogfmt(out, "event", event);
  for (const Field& f : fields) AppendLogfmt(out, f.key, Scrubbed(f.value));
  return out;
}

void Write(Level level, std::string_view event, std::initializer_list<Field> fields) {
  if (!Enabled(level)) return;
  State& state = TheState();
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  const std::string line = Render(level, state.json ? "json" : "text", now_ms, event, fields);
  std::shared_ptr<spdlog::logger> logger;
  {
    const std::lock_guard<std::mutex> lock(state.mu);
    logger = state.logger;
  }
  logger->log(kSpdLevels[static_cast<size_t>(level)], "{}", line);
}

}  // namespace gpufleet::log
