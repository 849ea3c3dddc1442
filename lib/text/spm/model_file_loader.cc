// A SentencePiece `.model` file to an SpmConfig.
#include "absl/strings/str_cat.h"
#include "text/spm/model_proto.h"
#include "text/spm/spm_loader.h"
#include "util/status_macros.h"

namespace xval::text {

absl::StatusOr<SpmConfig> SpmConfigFromModelProto(absl::string_view data,
                                                  absl::string_view source) {
  ASSIGN_OR_RETURN(SpmModelProto proto, ParseSpmModelProto(data, source));
  if (proto.model_type != 2) {
    static const char* kNames[] = {"?", "UNIGRAM", "BPE", "WORD", "CHAR"};
    const char* name =
        proto.model_type >= 1 && proto.model_type <= 4 ? kNames[proto.model_type] : "unknown";
    return absl::UnimplementedError(
        absl::StrCat(source, ": model type ", name, " is not supported (only BPE models are)"));
  }
  if (!proto.precompiled_charsmap.empty()) {
    return absl::UnimplementedError(
        absl::StrCat(source, ": normalizer \"", proto.normalizer_name,
                     "\" has a precompiled character map, which is not supported (only identity)"));
  }
  SpmConfig config;
  config.source = std::string(source);
  config.normalizer.add_dummy_prefix = proto.add_dummy_prefix;
  config.normalizer.remove_extra_whitespaces = proto.remove_extra_whitespaces;
  config.normalizer.escape_whitespaces = proto.escape_whitespaces;
  config.normalizer.treat_whitespace_as_suffix = proto.treat_whitespace_as_suffix;
  config.byte_fallback = proto.byte_fallback;
  config.unk_surface = proto.unk_surface;
  bool has_byte = false;
  for (size_t id = 0; id < proto.pieces.size(); ++id) {
    const VocabPiece& p = proto.pieces[id];
    if (p.type == PieceType::kUnknown) config.unk_id = static_cast<int32_t>(id);
    if (p.type == PieceType::kUserDefined) {
      config.user_defined.push_back(AddedToken{p.piece, static_cast<int32_t>(id), false});
    }
    has_byte |= p.type == PieceType::kByte;
  }
  if (has_byte && !proto.byte_fallback) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": byte pieces are present but byte_fallback is off"));
  }
  if (config.unk_id < 0) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": no piece of type UNKNOWN"));
  }
  auto control_id = [&](const std::string& piece) -> int32_t {
    for (size_t id = 0; id < proto.pieces.size(); ++id) {
      if (proto.pieces[id].piece == piece && proto.pieces[id].type == PieceType::kControl) {
        return static_cast<int32_t>(id);
      }
    }
    return -1;
  };
  config.bos_id = control_id(proto.bos_piece);
  config.eos_id = control_id(proto.eos_piece);
  ASSIGN_OR_RETURN(config.vocab, BpeVocab::FromScoredPieces(std::move(proto.pieces), source));
  return config;
}

}  // namespace xval::text
