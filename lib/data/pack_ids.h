// The ids of a batch's tokens [begin, end) as little-endian uint16 or uint32 bytes: what both
// shard layouts (shards.cc, megatron_writer.cc) write.
#ifndef XVAL_DATA_PACK_IDS_H_
#define XVAL_DATA_PACK_IDS_H_

#include <cstdint>
#include <cstring>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "xval/encoding.h"

namespace xval::data {

// id_bytes 2: an id outside 0..65535 is OutOfRange (nothing is written).
inline absl::Status PackIds(const BatchEncoding& batch, size_t begin, size_t end, uint32_t id_bytes,
                            std::vector<char>* out) {
  out->resize((end - begin) * id_bytes);
  for (size_t i = begin; i < end; ++i) {
    const int32_t id = batch.ids[i];
    if (id_bytes == 2) {
      if (id < 0 || id > 0xFFFF) {
        return absl::OutOfRangeError(absl::StrCat("id ", id, " does not fit in 16 bits"));
      }
      const auto v = static_cast<uint16_t>(id);
      std::memcpy(out->data() + (i - begin) * 2, &v, 2);
    } else {
      std::memcpy(out->data() + (i - begin) * 4, &id, 4);
    }
  }
  return absl::OkStatus();
}

}  // namespace xval::data

#endif  // XVAL_DATA_PACK_IDS_H_
