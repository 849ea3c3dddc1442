// A Hugging Face tokenizer.json of the Llama kind to an SpmConfig: BPE with merges and byte
// fallback behind a normalizer that prepends "▁" and turns spaces into "▁" (what transformers'
// LlamaConverter writes), or behind an unsplit Metaspace pre-tokenizer.
#include "absl/strings/str_cat.h"
#include "simdjson.h"
#include "text/hf_json.h"
#include "text/spm/spm_loader.h"
#include "util/status_macros.h"

namespace xval::text {
namespace {

constexpr std::string_view kSpace = "\xE2\x96\x81";

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

// The normalizer LlamaConverter writes: Sequence[Prepend("▁"), Replace(" ", "▁")].
absl::Status ReadNormalizer(const JsonFile& f, element root, SpmConfig* config) {
  element norm, pre;
  const bool has_norm = !root["normalizer"].get(norm) && !norm.is_null();
  const bool has_pre = !root["pre_tokenizer"].get(pre) && !pre.is_null();
  config->normalizer.remove_extra_whitespaces = false;
  if (has_norm) {
    std::string_view type;
    if (norm["type"].get_string().get(type)) return f.Error("normalizer.type", "missing");
    array steps;
    if (type == "Sequence") {
      if (norm["normalizers"].get_array().get(steps)) {
        return f.Error("normalizer.normalizers", "expected an array");
      }
    }
    bool prepend = false, replace = false;
    auto check = [&](element step) -> absl::Status {
      const std::string_view t = OptString(step, "type");
      element pattern;
      if (t == "Prepend" && OptString(step, "prepend") == kSpace) {
        prepend = true;
      } else if (t == "Replace" && !step["pattern"].get(pattern) &&
                 OptString(pattern, "String") == " " && OptString(step, "content") == kSpace) {
        replace = true;
      } else {
        return f.Unsupported("normalizer", absl::StrCat("normalizer \"", A(t),
                                                        "\" is not supported for a Llama BPE"));
      }
      return absl::OkStatus();
    };
    if (type == "Sequence") {
      for (element step : steps) RETURN_IF_ERROR(check(step));
    } else {
      RETURN_IF_ERROR(check(norm));
    }
    if (!replace) return f.Unsupported("normalizer", "spaces must be replaced by \"▁\"");
    config->normalizer.add_dummy_prefix = prepend;
    config->normalizer.escape_whitespaces = true;
    // A Split on " " (Gemma's files) finds nothing once the normalizer has replaced every
    // space: the text stays one piece, as sentencepiece encodes it.
    element pattern;
    const bool split_on_space =
        has_pre && OptString(pre, "type") == "Split" && !pre["pattern"].get(pattern) &&
        OptString(pattern, "String") == " " && !OptBool(pre, "invert", false);
    if (has_pre && !split_on_space) {
      return f.Unsupported("pre_tokenizer",
                           "expected null or a Split on \" \" beside this normalizer");
    }
    return absl::OkStatus();
  }
  if (has_pre) {
    const std::string_view type = OptString(pre, "type");
    const std::string_view scheme = OptString(pre, "prepend_scheme", "always");
    const bool split = OptBool(pre, "split", true);
    if (type != "Metaspace" || split ||
        (scheme != "always" && scheme != "first" && scheme != "never")) {
      return f.Unsupported("pre_tokenizer",
                           "only an unsplit Metaspace (prepend_scheme always, first or never) is "
                           "supported");
    }
    config->normalizer.add_dummy_prefix = scheme != "never";
    config->normalizer.escape_whitespaces = true;
    config->metaspace_prefix = true;
    config->prefix_first_only = scheme == "first";
    return absl::OkStatus();
  }
  return f.Unsupported("normalizer", "a Llama BPE needs the \"▁\" normalizer or Metaspace");
}

// sentencepiece's Decode equals tokenizers' decode through the decoder LlamaConverter writes,
// Sequence[Replace("▁", " "), ByteFallback, Fuse, Strip(" ", 1, 0)], when a "▁" is prepended to
// the text (the Strip takes it off), and through the same decoder without the Strip when none
// is (Gemma's files). Any other decoder (or none: tokens joined with spaces) is left to the
// general pipeline.
absl::Status CheckDecoder(const JsonFile& f, element root, bool prepends) {
  element decoder;
  array steps;
  const size_t n_steps = prepends ? 4 : 3;
  bool standard = !root["decoder"].get(decoder) && !decoder.is_null() &&
                  OptString(decoder, "type") == "Sequence" &&
                  !decoder["decoders"].get_array().get(steps) && steps.size() == n_steps;
  if (standard) {
    element replace = steps.at(0), pattern;
    standard = OptString(replace, "type") == "Replace" && !replace["pattern"].get(pattern) &&
               OptString(pattern, "String") == kSpace && OptString(replace, "content") == " " &&
               OptString(steps.at(1), "type") == "ByteFallback" &&
               OptString(steps.at(2), "type") == "Fuse";
  }
  if (standard && prepends) {
    element strip = steps.at(3);
    int64_t start = -1, stop = -1;
    standard = OptString(strip, "type") == "Strip" && OptString(strip, "content") == " " &&
               !strip["start"].get_int64().get(start) && !strip["stop"].get_int64().get(stop) &&
               start == 1 && stop == 0;
  }
  if (!standard) {
    return f.Unsupported("decoder", "not the decoder that matches sentencepiece's decoding");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<SpmConfig> SpmConfigFromLlamaTokenizerJson(absl::string_view data,
                                                          absl::string_view source) {
  JsonFile f(source);
  simdjson::dom::parser parser;
  simdjson::padded_string json(data.data(), data.size());
  element root;
  if (auto err = parser.parse(json).get(root)) {
    return f.Error("JSON", simdjson::error_message(err));
  }
  element model;
  if (root["model"].get(model)) return f.Error("model", "missing");
  std::string_view type;
  if (model["type"].get_string().get(type)) return f.Error("model.type", "missing");
  if (type != "BPE") {
    return f.Unsupported("model.type", absl::StrCat("\"", A(type), "\" is not a BPE model"));
  }
  for (const char* field : {"continuing_subword_prefix", "end_of_word_suffix", "dropout"}) {
    element e;
    if (!model[field].get(e) && !e.is_null()) {
      return f.Unsupported(absl::StrCat("model.", field), "must be null for a Llama BPE");
    }
  }
  RETURN_IF_ERROR(RefuseTruncationAndPadding(f, root));
  SpmConfig config;
  config.source = std::string(source);
  const bool byte_fallback = OptBool(model, "byte_fallback", false);
  config.byte_fallback = byte_fallback;

  // Vocabulary, by id.
  ASSIGN_OR_RETURN(const auto vocab, ReadVocab(f, model));
  ASSIGN_OR_RETURN(std::vector<AddedToken> added,
                   ReadAddedTokens(f, root, vocab.size(), /*has_normalizer=*/true));
  std::vector<VocabPiece> pieces(vocab.size());
  const std::string_view unk_token = OptString(model, "unk_token");
  for (size_t id = 0; id < vocab.size(); ++id) {
    const std::string_view key = vocab[id];
    if (key.empty()) {
      return f.Unsupported("model.vocab", absl::StrCat("id ", id,
                                                       " has no piece (gaps in the ids "
                                                       "are supported for byte-level BPE only)"));
    }
    VocabPiece& p = pieces[id];
    p.piece = std::string(key);
    if (key == unk_token) {
      p.type = PieceType::kUnknown;
      config.unk_id = static_cast<int32_t>(id);
    } else if (byte_fallback && key.size() == 6 && key.substr(0, 3) == "<0x" && key[5] == '>') {
      p.type = PieceType::kByte;
    }
  }
  for (const AddedToken& t : added) {
    if (t.id < static_cast<int32_t>(pieces.size()) && pieces[t.id].piece == t.content &&
        t.special && pieces[t.id].type == PieceType::kNormal) {
      pieces[t.id].type = PieceType::kControl;  // <s>, </s>: invisible when decoding
    }
  }
  // tokenizers' ByteFallback decoder: a run of byte pieces that is not UTF-8 is one U+FFFD per
  // piece; its decode skips special tokens, <unk> among them.
  config.whole_byte_runs = true;
  for (const AddedToken& t : added) {
    if (t.id == config.unk_id && t.special) config.unk_surface.clear();
  }
  for (const AddedToken& t : added) {
    if (t.content == "<s>") config.bos_id = t.id;
    if (t.content == "</s>") config.eos_id = t.id;
  }

  ASSIGN_OR_RETURN(const auto merge_views, ReadMerges(f, model));
  std::vector<std::pair<std::string, std::string>> merges;
  merges.reserve(merge_views.size());
  for (const auto& [a, b] : merge_views) merges.emplace_back(std::string(a), std::string(b));
  RETURN_IF_ERROR(ReadNormalizer(f, root, &config));
  RETURN_IF_ERROR(CheckDecoder(f, root, config.normalizer.add_dummy_prefix));
  ASSIGN_OR_RETURN(config.vocab, BpeVocab::FromMerges(std::move(pieces), merges, source));
  config.added_tokens = std::move(added);
  return config;
}

}  // namespace xval::text
