// A SentencePiece `.model` file to a tokenizer: BPE models to an SpmTokenizer, UNIGRAM models to
// a UnigramTokenizer (sentencepiece's rules); either with its precompiled character map.
#include "absl/strings/str_cat.h"
#include "text/spm/model_proto.h"
#include "text/spm/spm_loader.h"
#include "text/unigram/unigram_tokenizer.h"
#include "util/status_macros.h"

namespace xval::text {
namespace {

absl::StatusOr<std::shared_ptr<const PrecompiledCharsmap>> Charsmap(std::string blob,
                                                                    absl::string_view source) {
  if (blob.empty()) return nullptr;
  ASSIGN_OR_RETURN(PrecompiledCharsmap map, PrecompiledCharsmap::Parse(std::move(blob), source));
  return std::make_shared<const PrecompiledCharsmap>(std::move(map));
}

// The id of the CONTROL piece `piece`, or -1.
int32_t ControlId(const SpmModelProto& proto, const std::string& piece) {
  for (size_t id = 0; id < proto.pieces.size(); ++id) {
    if (proto.pieces[id].piece == piece && proto.pieces[id].type == PieceType::kControl) {
      return static_cast<int32_t>(id);
    }
  }
  return -1;
}

absl::Status CheckCommon(const SpmModelProto& proto, absl::string_view source, int32_t* unk_id) {
  bool has_byte = false;
  *unk_id = -1;
  for (size_t id = 0; id < proto.pieces.size(); ++id) {
    if (proto.pieces[id].type == PieceType::kUnknown && *unk_id < 0) {
      *unk_id = static_cast<int32_t>(id);
    }
    has_byte |= proto.pieces[id].type == PieceType::kByte;
  }
  if (has_byte && !proto.byte_fallback) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": byte pieces are present but byte_fallback is off"));
  }
  if (*unk_id < 0) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": no piece of type UNKNOWN"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Tokenizer>> Unigram(SpmModelProto proto, absl::string_view source) {
  UnigramConfig config;
  config.rules = UnigramConfig::Rules::kSentencePiece;
  config.source = std::string(source);
  RETURN_IF_ERROR(CheckCommon(proto, source, &config.unk_id));
  ASSIGN_OR_RETURN(config.charsmap, Charsmap(std::move(proto.precompiled_charsmap), source));
  config.add_dummy_prefix = proto.add_dummy_prefix;
  config.remove_extra_whitespaces = proto.remove_extra_whitespaces;
  config.escape_whitespaces = proto.escape_whitespaces;
  config.treat_whitespace_as_suffix = proto.treat_whitespace_as_suffix;
  config.byte_fallback = proto.byte_fallback;
  config.bos_id = ControlId(proto, proto.bos_piece);
  config.eos_id = ControlId(proto, proto.eos_piece);
  const int32_t pad_id = ControlId(proto, proto.pad_piece);
  config.pieces = std::move(proto.pieces);
  ASSIGN_OR_RETURN(auto tokenizer, UnigramTokenizer::Create(std::move(config)));
  tokenizer->SetPadId(pad_id);
  return std::unique_ptr<Tokenizer>(std::move(tokenizer));
}

}  // namespace

absl::StatusOr<SpmConfig> SpmConfigFromModelProto(absl::string_view data,
                                                  absl::string_view source) {
  ASSIGN_OR_RETURN(SpmModelProto proto, ParseSpmModelProto(data, source));
  if (proto.model_type != 2) {
    static const char* kNames[] = {"?", "UNIGRAM", "BPE", "WORD", "CHAR"};
    const char* name =
        proto.model_type >= 1 && proto.model_type <= 4 ? kNames[proto.model_type] : "unknown";
    return absl::UnimplementedError(absl::StrCat(source, ": model type ", name,
                                                 " is not supported (BPE and UNIGRAM models are)"));
  }
  SpmConfig config;
  config.source = std::string(source);
  ASSIGN_OR_RETURN(config.normalizer.charsmap,
                   Charsmap(std::move(proto.precompiled_charsmap), source));
  config.normalizer.add_dummy_prefix = proto.add_dummy_prefix;
  config.normalizer.remove_extra_whitespaces = proto.remove_extra_whitespaces;
  config.normalizer.escape_whitespaces = proto.escape_whitespaces;
  config.normalizer.treat_whitespace_as_suffix = proto.treat_whitespace_as_suffix;
  config.byte_fallback = proto.byte_fallback;
  config.unk_surface = proto.unk_surface;
  RETURN_IF_ERROR(CheckCommon(proto, source, &config.unk_id));
  for (size_t id = 0; id < proto.pieces.size(); ++id) {
    const VocabPiece& p = proto.pieces[id];
    if (p.type == PieceType::kUserDefined) {
      config.user_defined.push_back(AddedToken{p.piece, static_cast<int32_t>(id), false});
    }
  }
  config.bos_id = ControlId(proto, proto.bos_piece);
  config.eos_id = ControlId(proto, proto.eos_piece);
  ASSIGN_OR_RETURN(config.vocab, BpeVocab::FromScoredPieces(std::move(proto.pieces), source));
  return config;
}

absl::StatusOr<std::unique_ptr<Tokenizer>> LoadSentencePieceModel(absl::string_view data,
                                                                  absl::string_view source,
                                                                  const TokenizerOptions& options) {
  ASSIGN_OR_RETURN(SpmModelProto proto, ParseSpmModelProto(data, source));
  if (proto.model_type == 1) {
    if (options.digits.enabled()) {
      return absl::UnimplementedError(
          absl::StrCat(source, ": digit splitting is not supported for UNIGRAM models yet"));
    }
    return Unigram(std::move(proto), source);
  }
  const int32_t pad_id = ControlId(proto, proto.pad_piece);
  ASSIGN_OR_RETURN(SpmConfig config, SpmConfigFromModelProto(data, source));
  ASSIGN_OR_RETURN(auto tokenizer, SpmTokenizer::Create(std::move(config), options));
  tokenizer->SetPadId(pad_id);
  return std::unique_ptr<Tokenizer>(std::move(tokenizer));
}

}  // namespace xval::text
