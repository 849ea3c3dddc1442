// Checks shared by the xVal fuzz targets: failures abort, which libFuzzer reports as a crash.
#ifndef XVAL_TESTS_FUZZ_FUZZ_CHECKS_H_
#define XVAL_TESTS_FUZZ_FUZZ_CHECKS_H_

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond)                                                           \
  do {                                                                             \
    if (!(cond)) {                                                                 \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                \
    }                                                                              \
  } while (0)

#endif  // XVAL_TESTS_FUZZ_FUZZ_CHECKS_H_
