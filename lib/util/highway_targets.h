// For tests and benchmarks of the Highway kernels: every target compiled in that this machine
// runs, and pinning one of them for every kernel of the process (Highway's setting is
// process-wide). Each kernel file reports the target it dispatched to itself.
#ifndef XVAL_UTIL_HIGHWAY_TARGETS_H_
#define XVAL_UTIL_HIGHWAY_TARGETS_H_

#include <cstdint>
#include <vector>

namespace xval::util {

std::vector<int64_t> HighwayTargets();
void PinHighwayTarget(int64_t target);  // 0: back to the best one

}  // namespace xval::util

#endif  // XVAL_UTIL_HIGHWAY_TARGETS_H_
