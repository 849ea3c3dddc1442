#include "xval/version.h"

namespace xval {

const char* Version() { return XVAL_VERSION_STRING; }

}  // namespace xval
