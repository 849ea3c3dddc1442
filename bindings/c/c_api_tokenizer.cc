// The C ABI's tokenizer, decode and stream functions (xval/xval.h): each checks its arguments,
// calls the C++ API and turns its Status into an xval_status.
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bindings/c/c_api_internal.h"
#include "xval/version.h"

using xval::c_api::CheckCapacity;
using xval::c_api::Fail;
using xval::c_api::Guard;
using xval::c_api::NullArgument;
using xval::c_api::Return;

namespace xval::c_api {
namespace {
thread_local std::string last_error;
}  // namespace

xval_status Fail(const absl::Status& status) noexcept {
  try {
    last_error.assign(status.message().data(), status.message().size());
  } catch (...) {
    last_error.clear();  // no memory for the message: the code still says what happened
  }
  if (status.code() == absl::StatusCode::kOk) return XVAL_OK;
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kOutOfRange:
    case absl::StatusCode::kUnimplemented:
    case absl::StatusCode::kInternal:
      return static_cast<xval_status>(status.code());
    default:
      return XVAL_UNKNOWN;
  }
}

xval_status CheckCapacity(const char* function, size_t needed, size_t capacity) noexcept {
  if (needed <= capacity) return XVAL_OK;
  try {
    last_error =
        absl::StrCat(function, ": needs room for ", needed, ", the buffer holds ", capacity);
  } catch (...) {
    last_error.clear();
  }
  return XVAL_BUFFER_TOO_SMALL;
}

const char* LastError() { return last_error.c_str(); }

// Copies `text` out as the buffer conventions say.
xval_status CopyText(const char* function, const std::string& text, char* out, size_t capacity,
                     size_t* length) {
  if (length == nullptr) return NullArgument(function, "length");
  *length = text.size();
  if (xval_status s = CheckCapacity(function, text.size(), capacity); s != XVAL_OK) return s;
  if (out == nullptr) return text.empty() ? XVAL_OK : NullArgument(function, "text");
  if (!text.empty()) std::memcpy(out, text.data(), text.size());
  if (capacity > text.size()) out[text.size()] = '\0';
  return XVAL_OK;
}

}  // namespace xval::c_api

using xval::c_api::CopyText;

namespace {

using xval::Tokenizer;

using xval::c_api::RawEnum;

absl::StatusOr<xval::TokenizerOptions> BaseOptions(const xval_tokenizer_options& o) {
  xval::TokenizerOptions options;
  if (o.data_dir != nullptr) options.data_dir = o.data_dir;
  const long digits = RawEnum(o.digits);
  if (digits != XVAL_DIGITS_NONE) {
    if (digits != XVAL_DIGITS_LEFT_TO_RIGHT && digits != XVAL_DIGITS_RIGHT_TO_LEFT) {
      return absl::InvalidArgumentError(absl::StrCat("options.digits: unknown mode ", digits));
    }
    if (o.digit_group < 1 || o.digit_group > 64) {
      return absl::InvalidArgumentError(
          absl::StrCat("options.digit_group: ", o.digit_group, " is not in 1..64"));
    }
    options.digits.direction = digits == XVAL_DIGITS_LEFT_TO_RIGHT
                                   ? xval::DigitSplit::Direction::kLeftToRight
                                   : xval::DigitSplit::Direction::kRightToLeft;
    options.digits.group_size = o.digit_group;
  }
  return options;
}

absl::StatusOr<xval::XvalOptions> NumberOptions(const xval_tokenizer_options& o) {
  xval::XvalOptions x;
  const long numbers = RawEnum(o.numbers);
  if (numbers == XVAL_NUMBERS_PAPER) {
    x = xval::XvalOptions::Paper();
    if (o.grammar != 0) {
      return absl::InvalidArgumentError("options.grammar: the paper's regex takes no flags");
    }
  } else if (numbers != XVAL_NUMBERS_XVAL) {
    return absl::InvalidArgumentError(absl::StrCat("options.numbers: unknown mode ", numbers));
  }
  if (o.grammar & ~0x7Fu) {
    return absl::InvalidArgumentError(absl::StrCat("options.grammar: unknown flags ", o.grammar));
  }
  xval::NumberGrammar& g = x.numbers.grammar;
  g.plus_sign = o.grammar & XVAL_GRAMMAR_PLUS_SIGN;
  g.leading_dot = o.grammar & XVAL_GRAMMAR_LEADING_DOT;
  g.trailing_dot = o.grammar & XVAL_GRAMMAR_TRAILING_DOT;
  g.exponent = !(o.grammar & XVAL_GRAMMAR_NO_EXPONENT);
  g.group_separators = o.grammar & XVAL_GRAMMAR_GROUP_SEPARATORS;
  g.unicode_digits = o.grammar & XVAL_GRAMMAR_UNICODE_DIGITS;
  g.binary_minus_as_sign = o.grammar & XVAL_GRAMMAR_BINARY_MINUS_AS_SIGN;
  if (o.group_separator != 0) g.group_separator = o.group_separator;
  if (o.transform != nullptr) {
    auto transform = xval::ValueTransform::Parse(o.transform);
    if (!transform.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("options.transform: ", transform.status().message()));
    }
    x.transform = *std::move(transform);
  }
  const long out_of_range = RawEnum(o.out_of_range);
  switch (out_of_range) {
    case XVAL_OUT_OF_RANGE_DEFAULT:
      break;
    case XVAL_OUT_OF_RANGE_TEXT:
      x.out_of_range = xval::OutOfRangePolicy::kText;
      break;
    case XVAL_OUT_OF_RANGE_ERROR:
      x.out_of_range = xval::OutOfRangePolicy::kError;
      break;
    case XVAL_OUT_OF_RANGE_SATURATE:
      x.out_of_range = xval::OutOfRangePolicy::kSaturate;
      break;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("options.out_of_range: unknown policy ", out_of_range));
  }
  if (o.max_significant_digits < 0) {
    return absl::InvalidArgumentError("options.max_significant_digits: negative");
  }
  x.max_significant_digits = o.max_significant_digits;
  if (o.float16 < -1 || o.float16 > 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("options.float16: ", o.float16, " (-1: the default, 0: float32, 1: float16)"));
  }
  if (o.float16 == 0) x.precision = xval::ValuePrecision::kFloat32;
  if (o.float16 == 1) x.precision = xval::ValuePrecision::kFloat16;
  if (o.num_token != nullptr) x.num_token = o.num_token;
  return x;
}

// Loads the base (from a file, or from bytes when `data` is given) and wraps it for numbers.
// `tiktoken`, when given, names a tiktoken encoding's pattern and special tokens.
xval_status Load(const char* function, const char* path, const void* data, size_t size,
                 const xval_tokenizer_options* options, xval_tokenizer** out,
                 const xval::TokenizerOptions* tiktoken = nullptr) {
  if (out == nullptr) return NullArgument(function, "out");
  *out = nullptr;
  xval_tokenizer_options defaults;
  xval_tokenizer_options_init(&defaults);
  const xval_tokenizer_options& o = options != nullptr ? *options : defaults;
  auto base_options = BaseOptions(o);
  if (!base_options.ok()) return Fail(base_options.status());
  if (tiktoken != nullptr) {
    base_options->tiktoken_pattern = tiktoken->tiktoken_pattern;
    base_options->tiktoken_special_tokens = tiktoken->tiktoken_special_tokens;
  }
  absl::StatusOr<std::unique_ptr<Tokenizer>> base =
      data == nullptr
          ? xval::LoadBaseTokenizer(path, *base_options)
          : xval::LoadBaseTokenizerFromMemory(
                absl::string_view(static_cast<const char*>(data), size), path, *base_options);
  if (!base.ok()) return Fail(base.status());
  auto handle = std::make_unique<xval_tokenizer>();
  if (RawEnum(o.numbers) == XVAL_NUMBERS_NONE) {
    handle->tokenizer = *std::move(base);
  } else {
    auto numbers = NumberOptions(o);
    if (!numbers.ok()) return Fail(numbers.status());
    auto x = xval::XvalTokenizer::Create(*std::move(base), *numbers);
    if (!x.ok()) return Fail(x.status());
    handle->numbers = x->get();
    handle->tokenizer = *std::move(x);
  }
  *out = handle.release();
  return XVAL_OK;
}

xval::EncodeOptions EncodeOptionsOf(const xval_encode_options* o) {
  xval::EncodeOptions options;
  if (o != nullptr) {
    options.add_bos = o->add_bos != 0;
    options.add_eos = o->add_eos != 0;
    options.parse_special = o->parse_special != 0;
    options.add_special_tokens = o->add_special_tokens != 0;
  }
  return options;
}

// xval_decode and xval_decode_keeping_special: `decode` is the Tokenizer method they call.
template <typename DecodeFn>
xval_status DecodeThrough(const char* function, const xval_tokenizer* tokenizer, const int32_t* ids,
                          size_t n_ids, char* text, size_t capacity, size_t* length,
                          DecodeFn decode) {
  return Guard(function, [&] {
    if (tokenizer == nullptr) return NullArgument(function, "tokenizer");
    if (ids == nullptr && n_ids != 0) return NullArgument(function, "ids");
    auto decoded = decode(*tokenizer->tokenizer, absl::MakeConstSpan(ids, n_ids));
    if (!decoded.ok()) return Fail(decoded.status());
    return CopyText(function, *decoded, text, capacity, length);
  });
}

}  // namespace

extern "C" {

const char* xval_version(void) { return XVAL_VERSION_STRING; }

const char* xval_last_error(void) { return xval::c_api::LastError(); }

const char* xval_status_name(xval_status status) {
  switch (RawEnum(status)) {
    case XVAL_OK:
      return "OK";
    case XVAL_UNKNOWN:
      return "UNKNOWN";
    case XVAL_INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case XVAL_NOT_FOUND:
      return "NOT_FOUND";
    case XVAL_RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case XVAL_FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case XVAL_OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case XVAL_UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case XVAL_INTERNAL:
      return "INTERNAL";
    case XVAL_BUFFER_TOO_SMALL:
      return "BUFFER_TOO_SMALL";
  }
  return "UNKNOWN";
}

void xval_tokenizer_options_init(xval_tokenizer_options* options) {
  if (options == nullptr) return;
  std::memset(options, 0, sizeof(*options));
  options->digits = XVAL_DIGITS_NONE;
  options->digit_group = 1;
  options->numbers = XVAL_NUMBERS_NONE;
  options->group_separator = ',';
  options->out_of_range = XVAL_OUT_OF_RANGE_DEFAULT;
  options->float16 = -1;
}

xval_status xval_tokenizer_load(const char* path, const xval_tokenizer_options* options,
                                xval_tokenizer** out) {
  return Guard(__func__, [&] {
    if (path == nullptr) return NullArgument(__func__, "path");
    return Load(__func__, path, nullptr, 0, options, out);
  });
}

xval_status xval_tokenizer_load_tiktoken(const char* path, const char* pattern,
                                         const char* const* special_tokens,
                                         const int32_t* special_ids, size_t n_special,
                                         const xval_tokenizer_options* options,
                                         xval_tokenizer** out) {
  return Guard(__func__, [&] {
    if (path == nullptr) return NullArgument(__func__, "path");
    if (pattern == nullptr) return NullArgument(__func__, "pattern");
    if (n_special > 0 && special_tokens == nullptr) return NullArgument(__func__, "special_tokens");
    if (n_special > 0 && special_ids == nullptr) return NullArgument(__func__, "special_ids");
    xval::TokenizerOptions tiktoken;
    tiktoken.tiktoken_pattern = pattern;
    for (size_t i = 0; i < n_special; ++i) {
      if (special_tokens[i] == nullptr) return NullArgument(__func__, "special_tokens[i]");
      tiktoken.tiktoken_special_tokens.push_back(
          xval::AddedToken{special_tokens[i], special_ids[i], /*special=*/true});
    }
    return Load(__func__, path, nullptr, 0, options, out, &tiktoken);
  });
}

xval_status xval_tokenizer_load_from_memory(const void* data, size_t size, const char* name,
                                            const xval_tokenizer_options* options,
                                            xval_tokenizer** out) {
  return Guard(__func__, [&] {
    if (data == nullptr && size != 0) return NullArgument(__func__, "data");
    static const char kEmpty = 0;
    return Load(__func__, name != nullptr ? name : "<memory>", data != nullptr ? data : &kEmpty,
                size, options, out);
  });
}

void xval_tokenizer_free(xval_tokenizer* tokenizer) { delete tokenizer; }

int32_t xval_vocab_size(const xval_tokenizer* t) { return t ? t->tokenizer->vocab_size() : -1; }
int32_t xval_bos_id(const xval_tokenizer* t) { return t ? t->tokenizer->bos_id() : -1; }
int32_t xval_eos_id(const xval_tokenizer* t) { return t ? t->tokenizer->eos_id() : -1; }
int32_t xval_pad_id(const xval_tokenizer* t) { return t ? t->tokenizer->pad_id() : -1; }
int32_t xval_unk_id(const xval_tokenizer* t) { return t ? t->tokenizer->unk_id() : -1; }
int32_t xval_num_id(const xval_tokenizer* t) { return t && t->numbers ? t->numbers->num_id() : -1; }

void xval_encode_options_init(xval_encode_options* options) {
  if (options == nullptr) return;
  options->add_bos = 0;
  options->add_eos = 0;
  options->parse_special = 1;
  options->add_special_tokens = 0;
}

xval_status xval_encode(const xval_tokenizer* tokenizer, const char* text, size_t length,
                        const xval_encode_options* options, int32_t* ids, float* values,
                        uint32_t* offsets, size_t capacity, size_t* n_tokens) {
  return Guard(__func__, [&] {
    if (tokenizer == nullptr) return NullArgument(__func__, "tokenizer");
    if (text == nullptr && length != 0) return NullArgument(__func__, "text");
    if (n_tokens == nullptr) return NullArgument(__func__, "n_tokens");
    auto e =
        tokenizer->tokenizer->Encode(absl::string_view(text, length), EncodeOptionsOf(options));
    if (!e.ok()) return Fail(e.status());
    *n_tokens = e->size();
    if (xval_status s = CheckCapacity(__func__, e->size(), capacity); s != XVAL_OK) return s;
    if (ids == nullptr && !e->ids.empty()) return NullArgument(__func__, "ids");
    std::copy(e->ids.begin(), e->ids.end(), ids);
    if (values != nullptr) std::copy(e->values.begin(), e->values.end(), values);
    if (offsets != nullptr) {
      for (size_t i = 0; i < e->offsets.size(); ++i) {
        offsets[2 * i] = e->offsets[i].begin;
        offsets[2 * i + 1] = e->offsets[i].end;
      }
    }
    return XVAL_OK;
  });
}

xval_status xval_encode_batch(const xval_tokenizer* tokenizer, const char* const* texts,
                              const size_t* lengths, size_t n_texts,
                              const xval_encode_options* options, size_t max_threads, int32_t* ids,
                              float* values, uint32_t* offsets, size_t capacity, size_t* row_splits,
                              size_t* n_tokens) {
  return Guard(__func__, [&] {
    if (tokenizer == nullptr) return NullArgument(__func__, "tokenizer");
    if (n_texts != 0 && (texts == nullptr || lengths == nullptr)) {
      return NullArgument(__func__, "texts or lengths");
    }
    if (n_tokens == nullptr) return NullArgument(__func__, "n_tokens");
    if (row_splits == nullptr) return NullArgument(__func__, "row_splits");
    std::vector<absl::string_view> views(n_texts);
    for (size_t i = 0; i < n_texts; ++i) {
      if (texts[i] == nullptr && lengths[i] != 0) {
        return Fail(absl::InvalidArgumentError(absl::StrCat(__func__, ": texts[", i, "] is NULL")));
      }
      views[i] = absl::string_view(texts[i], lengths[i]);
    }
    xval::EncodeOptions encode = EncodeOptionsOf(options);
    encode.ids_only = values == nullptr && offsets == nullptr;
    auto batch = tokenizer->tokenizer->EncodeBatchFlat(views, encode, max_threads);
    if (!batch.ok()) return Fail(batch.status());
    *n_tokens = batch->ids.size();
    std::copy(batch->row_splits.begin(), batch->row_splits.end(), row_splits);
    if (xval_status s = CheckCapacity(__func__, batch->ids.size(), capacity); s != XVAL_OK) {
      return s;
    }
    if (ids == nullptr && !batch->ids.empty()) return NullArgument(__func__, "ids");
    std::copy(batch->ids.begin(), batch->ids.end(), ids);
    if (values != nullptr) std::copy(batch->values.begin(), batch->values.end(), values);
    if (offsets != nullptr) {
      for (size_t i = 0; i < batch->offsets.size(); ++i) {
        offsets[2 * i] = batch->offsets[i].begin;
        offsets[2 * i + 1] = batch->offsets[i].end;
      }
    }
    return XVAL_OK;
  });
}

xval_status xval_decode(const xval_tokenizer* tokenizer, const int32_t* ids, size_t n_ids,
                        char* text, size_t capacity, size_t* length) {
  return DecodeThrough(__func__, tokenizer, ids, n_ids, text, capacity, length,
                       [](const Tokenizer& t, absl::Span<const int32_t> s) { return t.Decode(s); });
}

xval_status xval_decode_keeping_special(const xval_tokenizer* tokenizer, const int32_t* ids,
                                        size_t n_ids, char* text, size_t capacity, size_t* length) {
  return DecodeThrough(
      __func__, tokenizer, ids, n_ids, text, capacity, length,
      [](const Tokenizer& t, absl::Span<const int32_t> s) { return t.DecodeKeepingSpecial(s); });
}

xval_status xval_decode_with_values(const xval_tokenizer* tokenizer, const int32_t* ids,
                                    const float* values, size_t n_ids, char* text, size_t capacity,
                                    size_t* length) {
  return Guard(__func__, [&] {
    if (tokenizer == nullptr) return NullArgument(__func__, "tokenizer");
    if (ids == nullptr && n_ids != 0) return NullArgument(__func__, "ids");
    if (values == nullptr && n_ids != 0 && tokenizer->numbers != nullptr) {
      return NullArgument(__func__, "values");
    }
    auto decoded = tokenizer->numbers != nullptr
                       ? tokenizer->numbers->DecodeWithValues(absl::MakeConstSpan(ids, n_ids),
                                                              absl::MakeConstSpan(values, n_ids))
                       : tokenizer->tokenizer->Decode(absl::MakeConstSpan(ids, n_ids));
    if (!decoded.ok()) return Fail(decoded.status());
    return CopyText(__func__, *decoded, text, capacity, length);
  });
}

xval_status xval_id_to_piece(const xval_tokenizer* tokenizer, int32_t id, char* piece,
                             size_t capacity, size_t* length) {
  return Guard(__func__, [&] {
    if (tokenizer == nullptr) return NullArgument(__func__, "tokenizer");
    auto p = tokenizer->tokenizer->IdToPiece(id);
    if (!p.ok()) return Fail(p.status());
    return CopyText(__func__, *p, piece, capacity, length);
  });
}

xval_status xval_piece_to_id(const xval_tokenizer* tokenizer, const char* piece, size_t length,
                             int32_t* id) {
  return Guard(__func__, [&] {
    if (tokenizer == nullptr) return NullArgument(__func__, "tokenizer");
    if (piece == nullptr && length != 0) return NullArgument(__func__, "piece");
    if (id == nullptr) return NullArgument(__func__, "id");
    auto found = tokenizer->tokenizer->PieceToId(absl::string_view(piece, length));
    if (!found.ok()) return Fail(found.status());
    *id = *found;
    return XVAL_OK;
  });
}

xval_status xval_stream_new(const xval_tokenizer* tokenizer, xval_stream** out) {
  return Guard(__func__, [&] {
    if (tokenizer == nullptr) return NullArgument(__func__, "tokenizer");
    if (out == nullptr) return NullArgument(__func__, "out");
    auto stream = std::make_unique<xval_stream>();
    stream->decoder = tokenizer->tokenizer->NewStreamDecoder();
    *out = stream.release();
    return XVAL_OK;
  });
}

void xval_stream_free(xval_stream* stream) { delete stream; }

void xval_stream_reset(xval_stream* stream) {
  if (stream != nullptr) stream->decoder->Reset();
}

xval_status xval_stream_push(xval_stream* stream, int32_t id, float value, const char** text,
                             size_t* length) {
  return Guard(__func__, [&] {
    if (stream == nullptr) return NullArgument(__func__, "stream");
    if (text == nullptr || length == nullptr) return NullArgument(__func__, "text or length");
    stream->text.clear();
    xval_status s = Return(stream->decoder->Push(id, value, &stream->text));
    *text = stream->text.c_str();
    *length = stream->text.size();
    return s;
  });
}

xval_status xval_stream_flush(xval_stream* stream, const char** text, size_t* length) {
  return Guard(__func__, [&] {
    if (stream == nullptr) return NullArgument(__func__, "stream");
    if (text == nullptr || length == nullptr) return NullArgument(__func__, "text or length");
    stream->text.clear();
    xval_status s = Return(stream->decoder->Flush(&stream->text));
    *text = stream->text.c_str();
    *length = stream->text.size();
    return s;
  });
}

}  // extern "C"
