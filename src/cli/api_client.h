#pragma once
// The HTTP client the `gpufleet job|tenant|fleet|events` commands talk to gpufleetd with:
// where the server is (--url, $GPUFLEET_URL), who is asking (--token, $GPUFLEET_TOKEN), and
// how a reply becomes JSON or an error the user can act on.

#include <CLI/CLI.hpp>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "gpufleet/report/json_text.h"
#include "gpufleet/status.h"

namespace gpufleet::cli {

struct ClientFlags {
  std::string url = "http://127.0.0.1:8080";
  std::string token;
  bool json = false;  // print the server's JSON instead of a table
};

// --url, --token (both also read from the environment) and --json on `cmd`.
void AddClientOptions(CLI::App& cmd, ClientFlags& flags);
// --url and --token only, for commands that work on files unless told to ask gpufleetd and
// have a --json of their own: the --url option, whose count() says whether it was given (on the
// command line or in $GPUFLEET_URL).
CLI::Option* AddServiceOptions(CLI::App& cmd, ClientFlags& flags);

class ApiClient {
 public:
  explicit ApiClient(const ClientFlags& flags) : flags_(flags) {}

  // The reply body as JSON. An HTTP error becomes a Status carrying the server's message
  // ("HTTP 404 not_found: job 7 not found"); an unreachable server, IOError naming the URL.
  // `query` pairs are percent-encoded.
  Result<nlohmann::json> Get(const std::string& path,
                             const std::vector<std::pair<std::string, std::string>>& query = {});
  Result<nlohmann::json> Post(const std::string& path, const nlohmann::json& body,
                              const std::vector<std::pair<std::string, std::string>>& headers = {});
  Result<nlohmann::json> Put(const std::string& path, const nlohmann::json& body);
  Result<nlohmann::json> Delete(const std::string& path);
  // The body of a GET as it came, for replies that are not JSON (a signed checkpoint).
  Result<std::string> GetText(const std::string& path);

 private:
  Result<nlohmann::json> Send(const std::string& method, const std::string& path,
                              const std::string& body,
                              const std::vector<std::pair<std::string, std::string>>& headers);
  Result<std::string> SendRaw(const std::string& method, const std::string& path,
                              const std::string& body,
                              const std::vector<std::pair<std::string, std::string>>& headers);

  const ClientFlags& flags_;
};

// `text` percent-encoded as one path segment ("/v1/assets/" + PathEscape(serial)).
std::string PathEscape(std::string_view text);

// Prints `s` as "gpufleet <command>: <message>" on stderr and returns the exit status for it:
// 2 for a request the server refused (4xx), 1 otherwise.
int ReportClientError(std::string_view command, const Status& s);

// A CLI11 callback for the client command `name`: runs `body(ApiClient&) -> Status` and sets
// `exit_code` from its result.
template <typename Body>
std::function<void()> ClientCallback(std::string name, const ClientFlags& flags, int& exit_code,
                                     Body body) {
  return [name = std::move(name), &flags, &exit_code, body] {
    ApiClient client(flags);
    const Status s = body(client);
    exit_code = s.ok() ? 0 : ReportClientError(name, s);
  };
}

// Prints `reply` as indented JSON with --json, else through `as_text`.
template <typename AsText>
void PrintReply(const nlohmann::json& reply, const ClientFlags& flags, AsText as_text) {
  if (flags.json) {
    std::cout << report::DumpJson(reply, 2) << '\n';
  } else {
    as_text(reply);
  }
}

}  // namespace gpufleet::cli
