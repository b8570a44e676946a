#pragma once
// GPUFLEET_DCHECK: programmer errors only, active in debug and sanitizer builds. Never fires
// on user input (that is a Status).

#include <cstdio>
#include <cstdlib>

#ifdef NDEBUG
#define GPUFLEET_DCHECK(cond) \
  do {                        \
  } while (false && (cond))
#else
#define GPUFLEET_DCHECK(cond)                                                                 \
  do {                                                                                        \
    if (!(cond)) {                                                                            \
      std::fprintf(stderr, "%s:%d: GPUFLEET_DCHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                           \
    }                                                                                         \
  } while (false)
#endif
