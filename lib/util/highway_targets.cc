#include "util/highway_targets.h"

#include "hwy/targets.h"

namespace xval::util {

std::vector<int64_t> HighwayTargets() { return hwy::SupportedAndGeneratedTargets(); }

void PinHighwayTarget(int64_t target) { hwy::SetSupportedTargetsForTest(target); }

}  // namespace xval::util
