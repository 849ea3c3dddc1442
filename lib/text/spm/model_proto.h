// Reads the parts of a SentencePiece `.model` file (a serialized ModelProto, defined in
// sentencepiece's src/sentencepiece_model.proto) that encoding and decoding depend on.
// A small protobuf wire-format reader, so that a truncated or corrupt file gets an error that
// says where it breaks.
#ifndef XVAL_TEXT_SPM_MODEL_PROTO_H_
#define XVAL_TEXT_SPM_MODEL_PROTO_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "text/bpe/bpe_vocab.h"

namespace xval::text {

struct SpmModelProto {
  std::vector<VocabPiece> pieces;  // ModelProto.pieces (field 1)
  // TrainerSpec (field 2), with the proto's defaults.
  int model_type = 1;  // UNIGRAM=1, BPE=2, WORD=3, CHAR=4
  bool byte_fallback = false;
  bool split_digits = false;
  bool treat_whitespace_as_suffix = false;
  std::string unk_piece = "<unk>";
  std::string bos_piece = "<s>";
  std::string eos_piece = "</s>";
  std::string pad_piece = "<pad>";
  std::string unk_surface = " \xE2\x81\x87 ";  // " ⁇ "
  // NormalizerSpec (field 3).
  std::string normalizer_name;
  std::string precompiled_charsmap;
  bool add_dummy_prefix = true;
  bool remove_extra_whitespaces = true;
  bool escape_whitespaces = true;
};

// `source` names the file in errors.
absl::StatusOr<SpmModelProto> ParseSpmModelProto(absl::string_view data, absl::string_view source);

}  // namespace xval::text

#endif  // XVAL_TEXT_SPM_MODEL_PROTO_H_
