#pragma once
// The parts of an HTTP request target the router needs: the percent-decoded path, split into
// segments, and the query string's parameters. Kept apart from http_server.cc so that these
// pure functions are tested without a socket and compile without Beast.

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace gpufleet::api {

struct RequestTarget {
  bool valid = false;  // origin-form: starts with '/'
  std::string path;    // percent-decoded ('+' stays '+'), without the query
  // The raw path split at '/', then each segment percent-decoded on its own: "%2F" stays
  // inside its segment (a node named "site/node" is one path parameter).
  std::vector<std::string> segments;
  std::string query;  // raw, after the first '?'; "" when none
};

// Splits "/path?query" (a fragment, which clients should not send, is dropped). An invalid
// percent escape is kept as it is.
RequestTarget ParseRequestTarget(std::string_view target);

// "/a/b/" -> {"a", "b", ""}. REQUIRES: path starts with '/'.
std::vector<std::string_view> SplitPath(std::string_view path);

// "a=1&b=x+y&a=2" -> {a: 1, a: 2, b: "x y"}: keys and values percent-decoded with '+' as a
// space; a parameter without '=' has an empty value; empty keys are dropped.
std::multimap<std::string, std::string> ParseQuery(std::string_view query);

// `text` with A-Z lowered (header names compare case-insensitively).
std::string AsciiLowercase(std::string_view text);

}  // namespace gpufleet::api
