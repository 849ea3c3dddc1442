#include "text/spm/model_proto.h"

#include <cstdint>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "util/status_macros.h"

namespace xval::text {
namespace {

enum WireType { kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5 };

// Reads protobuf wire format from a byte range; every error names the source file, the
// message being read and the byte offset in the file.
class WireReader {
 public:
  WireReader(absl::string_view data, size_t base, absl::string_view source, absl::string_view what)
      : data_(data), base_(base), source_(source), what_(what) {}

  bool done() const { return pos_ >= data_.size(); }
  size_t offset() const { return base_ + pos_; }

  absl::Status Error(absl::string_view msg) const {
    return absl::InvalidArgumentError(absl::StrCat(source_, ": not a valid SentencePiece model (",
                                                   msg, " in ", what_, " at byte ", offset(), ")"));
  }

  absl::StatusOr<uint64_t> Varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= data_.size()) return Error("truncated varint");
      const uint8_t b = static_cast<uint8_t>(data_[pos_++]);
      v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if ((b & 0x80) == 0) return v;
    }
    return Error("varint longer than 10 bytes");
  }

  // Reads a field key; returns {field number, wire type}.
  absl::StatusOr<std::pair<uint32_t, int>> Key() {
    ASSIGN_OR_RETURN(uint64_t key, Varint());
    const uint32_t field = static_cast<uint32_t>(key >> 3);
    const int type = static_cast<int>(key & 7);
    if (field == 0) return Error("field number 0");
    return std::make_pair(field, type);
  }

  absl::StatusOr<absl::string_view> Bytes(size_t* start) {
    ASSIGN_OR_RETURN(uint64_t len, Varint());
    if (len > data_.size() - pos_) return Error("length runs past the end (file truncated?)");
    *start = base_ + pos_;
    absl::string_view v = data_.substr(pos_, len);
    pos_ += len;
    return v;
  }

  absl::StatusOr<float> Fixed32Float() {
    if (data_.size() - pos_ < 4) return Error("truncated float");
    float f;
    std::memcpy(&f, data_.data() + pos_, 4);  // little-endian on every machine we build for
    pos_ += 4;
    return f;
  }

  absl::Status Skip(int type) {
    switch (type) {
      case kVarint:
        return Varint().status();
      case kFixed64:
        if (data_.size() - pos_ < 8) return Error("truncated fixed64");
        pos_ += 8;
        return absl::OkStatus();
      case kLengthDelimited: {
        size_t start;
        return Bytes(&start).status();
      }
      case kFixed32:
        if (data_.size() - pos_ < 4) return Error("truncated fixed32");
        pos_ += 4;
        return absl::OkStatus();
      default:
        return Error(absl::StrCat("unknown wire type ", type));
    }
  }

  absl::Status Expect(int type, int want) {
    if (type != want) return Error(absl::StrCat("unexpected wire type ", type));
    return absl::OkStatus();
  }

 private:
  absl::string_view data_;
  size_t base_;
  size_t pos_ = 0;
  absl::string_view source_;
  absl::string_view what_;
};

absl::Status ParsePiece(absl::string_view data, size_t base, absl::string_view source,
                        VocabPiece* piece) {
  WireReader r(data, base, source, "ModelProto.pieces");
  bool has_piece = false;
  while (!r.done()) {
    ASSIGN_OR_RETURN(auto key, r.Key());
    size_t start;
    switch (key.first) {
      case 1: {
        RETURN_IF_ERROR(r.Expect(key.second, kLengthDelimited));
        ASSIGN_OR_RETURN(absl::string_view v, r.Bytes(&start));
        piece->piece = std::string(v);
        has_piece = true;
        break;
      }
      case 2: {
        RETURN_IF_ERROR(r.Expect(key.second, kFixed32));
        ASSIGN_OR_RETURN(piece->score, r.Fixed32Float());
        break;
      }
      case 3: {
        RETURN_IF_ERROR(r.Expect(key.second, kVarint));
        ASSIGN_OR_RETURN(uint64_t t, r.Varint());
        if (t < 1 || t > 6) return r.Error(absl::StrCat("unknown piece type ", t));
        piece->type = static_cast<PieceType>(t);
        break;
      }
      default:
        RETURN_IF_ERROR(r.Skip(key.second));
    }
  }
  if (!has_piece) return r.Error("a piece without its text");
  return absl::OkStatus();
}

absl::Status ParseTrainerSpec(absl::string_view data, size_t base, absl::string_view source,
                              SpmModelProto* m) {
  WireReader r(data, base, source, "TrainerSpec");
  while (!r.done()) {
    ASSIGN_OR_RETURN(auto key, r.Key());
    size_t start;
    auto read_bool = [&](bool* out) -> absl::Status {
      RETURN_IF_ERROR(r.Expect(key.second, kVarint));
      ASSIGN_OR_RETURN(uint64_t v, r.Varint());
      *out = v != 0;
      return absl::OkStatus();
    };
    auto read_string = [&](std::string* out) -> absl::Status {
      RETURN_IF_ERROR(r.Expect(key.second, kLengthDelimited));
      ASSIGN_OR_RETURN(absl::string_view v, r.Bytes(&start));
      *out = std::string(v);
      return absl::OkStatus();
    };
    switch (key.first) {
      case 3: {
        RETURN_IF_ERROR(r.Expect(key.second, kVarint));
        ASSIGN_OR_RETURN(uint64_t v, r.Varint());
        m->model_type = static_cast<int>(v);
        break;
      }
      case 24:
        RETURN_IF_ERROR(read_bool(&m->treat_whitespace_as_suffix));
        break;
      case 25:
        RETURN_IF_ERROR(read_bool(&m->split_digits));
        break;
      case 35:
        RETURN_IF_ERROR(read_bool(&m->byte_fallback));
        break;
      case 44:
        RETURN_IF_ERROR(read_string(&m->unk_surface));
        break;
      case 45:
        RETURN_IF_ERROR(read_string(&m->unk_piece));
        break;
      case 46:
        RETURN_IF_ERROR(read_string(&m->bos_piece));
        break;
      case 47:
        RETURN_IF_ERROR(read_string(&m->eos_piece));
        break;
      case 48:
        RETURN_IF_ERROR(read_string(&m->pad_piece));
        break;
      default:
        RETURN_IF_ERROR(r.Skip(key.second));
    }
  }
  return absl::OkStatus();
}

absl::Status ParseNormalizerSpec(absl::string_view data, size_t base, absl::string_view source,
                                 SpmModelProto* m) {
  WireReader r(data, base, source, "NormalizerSpec");
  while (!r.done()) {
    ASSIGN_OR_RETURN(auto key, r.Key());
    size_t start;
    auto read_bool = [&](bool* out) -> absl::Status {
      RETURN_IF_ERROR(r.Expect(key.second, kVarint));
      ASSIGN_OR_RETURN(uint64_t v, r.Varint());
      *out = v != 0;
      return absl::OkStatus();
    };
    auto read_string = [&](std::string* out) -> absl::Status {
      RETURN_IF_ERROR(r.Expect(key.second, kLengthDelimited));
      ASSIGN_OR_RETURN(absl::string_view v, r.Bytes(&start));
      *out = std::string(v);
      return absl::OkStatus();
    };
    switch (key.first) {
      case 1:
        RETURN_IF_ERROR(read_string(&m->normalizer_name));
        break;
      case 2:
        RETURN_IF_ERROR(read_string(&m->precompiled_charsmap));
        break;
      case 3:
        RETURN_IF_ERROR(read_bool(&m->add_dummy_prefix));
        break;
      case 4:
        RETURN_IF_ERROR(read_bool(&m->remove_extra_whitespaces));
        break;
      case 5:
        RETURN_IF_ERROR(read_bool(&m->escape_whitespaces));
        break;
      default:
        RETURN_IF_ERROR(r.Skip(key.second));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<SpmModelProto> ParseSpmModelProto(absl::string_view data, absl::string_view source) {
  SpmModelProto m;
  if (data.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": not a valid SentencePiece model (the file is empty)"));
  }
  WireReader r(data, 0, source, "ModelProto");
  bool has_trainer_spec = false;
  while (!r.done()) {
    ASSIGN_OR_RETURN(auto key, r.Key());
    size_t start;
    switch (key.first) {
      case 1: {
        RETURN_IF_ERROR(r.Expect(key.second, kLengthDelimited));
        ASSIGN_OR_RETURN(absl::string_view v, r.Bytes(&start));
        VocabPiece piece;
        RETURN_IF_ERROR(ParsePiece(v, start, source, &piece));
        m.pieces.push_back(std::move(piece));
        break;
      }
      case 2: {
        RETURN_IF_ERROR(r.Expect(key.second, kLengthDelimited));
        ASSIGN_OR_RETURN(absl::string_view v, r.Bytes(&start));
        RETURN_IF_ERROR(ParseTrainerSpec(v, start, source, &m));
        has_trainer_spec = true;
        break;
      }
      case 3: {
        RETURN_IF_ERROR(r.Expect(key.second, kLengthDelimited));
        ASSIGN_OR_RETURN(absl::string_view v, r.Bytes(&start));
        RETURN_IF_ERROR(ParseNormalizerSpec(v, start, source, &m));
        break;
      }
      default:
        RETURN_IF_ERROR(r.Skip(key.second));
    }
  }
  if (m.pieces.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": not a valid SentencePiece model (no pieces)"));
  }
  if (!has_trainer_spec) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": not a valid SentencePiece model (no trainer_spec)"));
  }
  return m;
}

}  // namespace xval::text
