// SpmTokenizer::Decode: ids back to text exactly as sentencepiece's
// SentencePieceProcessor::Decode does it (sentencepiece_processor.cc):
//  - control pieces (<s>, </s>) vanish; <unk> shows the unknown surface " ⁇ ";
//  - runs of byte pieces <0xAB> are joined and read as UTF-8, each invalid byte as U+FFFD
//    (with whole_byte_runs, tokenizers' rule: a run that is not UTF-8 is U+FFFD per byte);
//  - "▁" becomes a space, and the first piece loses one leading "▁" (the dummy prefix) as
//    long as only control pieces came before it.
// DecodeKeepingSpecial writes control and unknown pieces as their text instead, as transformers'
// decode(skip_special_tokens=False) does on the converted tokenizer (Replace, ByteFallback,
// Fuse, Strip of one leading space from the whole text).
#include "absl/strings/str_cat.h"
#include "text/bytelevel/utf8_replace.h"
#include "text/spm/spm_tokenizer.h"
#include "util/utf8.h"

namespace xval::text {
namespace {

// Appends bytes read as UTF-8, one U+FFFD for each invalid byte; or with whole_run, the bytes
// if they are all valid UTF-8, else one U+FFFD for each byte.
void AppendBytesAsText(absl::string_view bytes, bool whole_run, std::string* text) {
  if (whole_run) {
    if (Utf8Replace(bytes) == bytes) {
      text->append(bytes.data(), bytes.size());
    } else {
      for (size_t i = 0; i < bytes.size(); ++i) text->append("\xEF\xBF\xBD");
    }
    return;
  }
  for (size_t i = 0, len; i < bytes.size(); i += len) {
    if (util::IsValidUtf8Char(bytes.data() + i, bytes.size() - i, &len)) {
      text->append(bytes.data() + i, len);
    } else {
      text->append("\xEF\xBF\xBD");
      len = 1;
    }
  }
}

void AppendWithSpaces(absl::string_view piece, absl::string_view space_symbol, std::string* text) {
  for (size_t pos; (pos = piece.find(space_symbol)) != absl::string_view::npos;) {
    text->append(piece.data(), pos);
    text->push_back(' ');
    piece.remove_prefix(pos + space_symbol.size());
  }
  text->append(piece.data(), piece.size());
}

}  // namespace

bool SpmTokenizer::OpensRun(int32_t id) const {
  return config_.whole_byte_runs && id >= 0 && id < config_.vocab.size() &&
         config_.vocab.piece(id).type == PieceType::kByte;
}

absl::StatusOr<std::string> SpmTokenizer::DecodePieces(absl::Span<const int32_t> ids,
                                                       bool keep_special) const {
  const BpeVocab& vocab = config_.vocab;
  const bool strip_first_space =
      config_.normalizer.add_dummy_prefix || config_.normalizer.remove_extra_whitespaces;
  std::string text;
  std::string bytes;
  bool at_start = true;  // nothing but control pieces so far
  auto flush_bytes = [&] {
    if (bytes.empty()) return;
    AppendBytesAsText(bytes, config_.whole_byte_runs, &text);
    bytes.clear();
    at_start = false;
  };
  for (const int32_t id : ids) {
    if (id < 0 || id >= vocab_size()) {
      return absl::OutOfRangeError(
          absl::StrCat("id ", id, " is outside the vocabulary (size ", vocab_size(), ")"));
    }
    if (id >= vocab.size()) {  // an added token beyond the model's vocabulary
      flush_bytes();
      for (const AddedToken& t : config_.added_tokens) {
        if (t.id == id) text.append(t.content);
      }
      at_start = false;
      continue;
    }
    const VocabPiece& p = vocab.piece(id);
    switch (p.type) {
      case PieceType::kByte: {
        bytes.push_back(static_cast<char>(std::stoi(p.piece.substr(3, 2), nullptr, 16)));
        continue;
      }
      case PieceType::kControl:
        flush_bytes();
        if (keep_special) {
          text.append(p.piece);
          at_start = false;
        }
        continue;
      case PieceType::kUnknown:
        flush_bytes();
        text.append(keep_special ? p.piece : config_.unk_surface);
        at_start = false;
        continue;
      default: {
        flush_bytes();
        absl::string_view piece = p.piece;
        if (at_start && strip_first_space && piece.substr(0, kSpaceSymbol.size()) == kSpaceSymbol) {
          piece.remove_prefix(kSpaceSymbol.size());
        }
        AppendWithSpaces(piece, kSpaceSymbol, &text);
        at_start = false;
      }
    }
  }
  flush_bytes();
  return text;
}

}  // namespace xval::text
