#pragma once
// GPUFLEET_STORE_ASSIGN_OR_RETURN(lhs, expr): `lhs = value of expr`, or return its Status from
// the enclosing function. Shared by both back ends.

#include <utility>

#include "gpufleet/status.h"

#define GPUFLEET_STORE_CONCAT_INNER(a, b) a##b
#define GPUFLEET_STORE_CONCAT(a, b) GPUFLEET_STORE_CONCAT_INNER(a, b)
#define GPUFLEET_STORE_ASSIGN_OR_RETURN(lhs, expr) \
  GPUFLEET_STORE_ASSIGN_OR_RETURN_IMPL(GPUFLEET_STORE_CONCAT(gf_result_, __LINE__), lhs, expr)
#define GPUFLEET_STORE_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                         \
  if (!tmp.ok()) return tmp.status();                        \
  lhs = std::move(tmp).value()
