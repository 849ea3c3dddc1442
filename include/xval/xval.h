/* xval's C ABI: tokenizers (with digit splitting and xVal numbers), streaming decode, the
 * embedding kernel and the Llama (Llemma) forward pass, for engines written in C, Rust, Go, Zig
 * or any language with a C FFI. C99; opaque handles; no C++ type crosses this header.
 *
 * Errors: every call that can fail returns an xval_status (XVAL_OK is 0). The message of the
 * last failed call on the calling thread is xval_last_error(); it names the file, field or
 * argument that is wrong. Calls never abort on bad input.
 *
 * Buffers: functions that produce arrays or text write into buffers the caller gives, with
 * their capacity. They always store the size needed (tokens, bytes); when it exceeds the
 * capacity they write nothing and return XVAL_BUFFER_TOO_SMALL, so calling first with
 * capacity 0 (and NULL buffers) queries the size. Text is not NUL-terminated unless there is
 * room for one more byte, which is then written.
 *
 * Thread safety, per handle:
 *  - xval_tokenizer: every function taking a const xval_tokenizer* may be called from any
 *    number of threads at once; xval_tokenizer_free only when no other call uses it.
 *  - xval_stream: one sequence's state; one thread at a time. Many streams may share one
 *    tokenizer, which must outlive them.
 *  - xval_model: immutable and shared, as the tokenizer; xval_session: one thread at a time.
 *  - xval_embed and the free functions: reentrant.
 * xval_last_error() is per thread.
 */
#ifndef XVAL_XVAL_H_
#define XVAL_XVAL_H_

#include <stddef.h>
#include <stdint.h>

#include "xval/version.h"

#if defined(_WIN32)
#define XVAL_API
#elif defined(__GNUC__)
#define XVAL_API __attribute__((visibility("default")))
#else
#define XVAL_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* The codes of absl::StatusCode (and so of gRPC), plus one for short buffers. */
typedef enum xval_status {
  XVAL_OK = 0,
  XVAL_UNKNOWN = 2,
  XVAL_INVALID_ARGUMENT = 3,
  XVAL_NOT_FOUND = 5,
  XVAL_RESOURCE_EXHAUSTED = 8,
  XVAL_FAILED_PRECONDITION = 9,
  XVAL_OUT_OF_RANGE = 11,
  XVAL_UNIMPLEMENTED = 12,
  XVAL_INTERNAL = 13,
  XVAL_BUFFER_TOO_SMALL = 100 /* the size needed was stored; nothing was written */
} xval_status;

/* The library's version, "MAJOR.MINOR.PATCH" (XVAL_VERSION_STRING of the build). */
XVAL_API const char* xval_version(void);
/* The message of the last failed call on this thread ("" when none); valid until the next
 * call on this thread. */
XVAL_API const char* xval_last_error(void);
/* A short name of a status code ("OK", "INVALID_ARGUMENT", ...). */
XVAL_API const char* xval_status_name(xval_status status);

/* ---------------------------------------------------------------------------------------- */
/* Tokenizers. Thread safety: every function below that takes a const xval_tokenizer* (load,
 * the ids, encode, encode_batch, decode, decode_with_values, id_to_piece, piece_to_id,
 * stream_new) may run on any number of threads at once on one tokenizer;
 * xval_tokenizer_free only once no other call uses it. */

typedef struct xval_tokenizer xval_tokenizer;

typedef enum xval_digits {
  XVAL_DIGITS_NONE = 0,          /* the model's own rules */
  XVAL_DIGITS_LEFT_TO_RIGHT = 1, /* 1234567 -> 123 456 7 with group 3 */
  XVAL_DIGITS_RIGHT_TO_LEFT = 2  /* 1234567 -> 1 234 567 with group 3 */
} xval_digits;

typedef enum xval_numbers {
  XVAL_NUMBERS_NONE = 0, /* numbers are text */
  XVAL_NUMBERS_XVAL = 1, /* each number one [NUM] token with its value (xval's grammar) */
  XVAL_NUMBERS_PAPER = 2 /* the xVal reference code's regex, float16 values, saturation */
} xval_numbers;

typedef enum xval_out_of_range {
  XVAL_OUT_OF_RANGE_DEFAULT = 0, /* text, or saturate in paper mode */
  XVAL_OUT_OF_RANGE_TEXT = 1,    /* the number stays text */
  XVAL_OUT_OF_RANGE_ERROR = 2,   /* encoding fails */
  XVAL_OUT_OF_RANGE_SATURATE = 3 /* the largest finite value of that sign */
} xval_out_of_range;

/* Grammar flags of XVAL_NUMBERS_XVAL (numbers.h's NumberGrammar), or-ed together. */
enum {
  XVAL_GRAMMAR_PLUS_SIGN = 1,
  XVAL_GRAMMAR_LEADING_DOT = 2,
  XVAL_GRAMMAR_TRAILING_DOT = 4,
  XVAL_GRAMMAR_NO_EXPONENT = 8,
  XVAL_GRAMMAR_GROUP_SEPARATORS = 16,
  XVAL_GRAMMAR_UNICODE_DIGITS = 32,
  XVAL_GRAMMAR_BINARY_MINUS_AS_SIGN = 64
};

typedef struct xval_tokenizer_options {
  xval_digits digits;
  int digit_group;      /* digits per group, 1..64 (1: each digit alone) */
  const char* data_dir; /* where named tiktoken encodings find their files; NULL: default */
  xval_numbers numbers;
  unsigned grammar;      /* XVAL_GRAMMAR_* flags */
  char group_separator;  /* with XVAL_GRAMMAR_GROUP_SEPARATORS; ',' by default */
  const char* transform; /* value transform ("identity", "scale:0.01+clip:-5:5", ...) */
  xval_out_of_range out_of_range;
  int max_significant_digits; /* 0: no limit */
  int float16;                /* values rounded to float16 (the paper's precision); -1: default */
  const char* num_token;      /* NULL: "[NUM]" */
} xval_tokenizer_options;

/* The defaults: no digit splitting, no xVal. */
XVAL_API void xval_tokenizer_options_init(xval_tokenizer_options* options);

/* Loads a SentencePiece .model, a Hugging Face tokenizer.json (the xVal paper's included), a
 * .tiktoken file, or a named encoding (gpt2, r50k_base, cl100k_base, o200k_base). options may
 * be NULL (the defaults). */
XVAL_API xval_status xval_tokenizer_load(const char* path, const xval_tokenizer_options* options,
                                         xval_tokenizer** out);
/* The same from bytes in memory (copied; the caller may free them after the call). `name` is a
 * file name used in messages and, for tiktoken rank files, to tell the encoding
 * ("cl100k_base.tiktoken"); the other formats are recognised by their content. */
XVAL_API xval_status xval_tokenizer_load_from_memory(const void* data, size_t size,
                                                     const char* name,
                                                     const xval_tokenizer_options* options,
                                                     xval_tokenizer** out);
/* A .tiktoken rank file of an encoding xval does not recognise by its name or content: its
 * pre-tokenizer pattern (tiktoken's regex syntax) and its n_special special tokens (names and
 * ids; none when 0). A recognised encoding takes them in place of its own. options may be
 * NULL. */
XVAL_API xval_status xval_tokenizer_load_tiktoken(const char* path, const char* pattern,
                                                  const char* const* special_tokens,
                                                  const int32_t* special_ids, size_t n_special,
                                                  const xval_tokenizer_options* options,
                                                  xval_tokenizer** out);
XVAL_API void xval_tokenizer_free(xval_tokenizer* tokenizer);

XVAL_API int32_t xval_vocab_size(const xval_tokenizer* tokenizer);
XVAL_API int32_t xval_bos_id(const xval_tokenizer* tokenizer); /* -1 when absent */
XVAL_API int32_t xval_eos_id(const xval_tokenizer* tokenizer); /* -1 when absent */
/* The padding token (Tokenizer::pad_id: the file's, or its tokenizer_config.json's); -1 when
   absent. */
XVAL_API int32_t xval_pad_id(const xval_tokenizer* tokenizer);
XVAL_API int32_t xval_unk_id(const xval_tokenizer* tokenizer); /* -1 when absent */
XVAL_API int32_t xval_num_id(const xval_tokenizer* tokenizer); /* [NUM]; -1 without xVal */

typedef struct xval_encode_options {
  int add_bos;       /* prepend BOS (an error when the vocabulary has none) */
  int add_eos;       /* append EOS (likewise) */
  int parse_special; /* match special tokens (<s>, [NUM]) in the text; 1 by default */
  /* add what the file says to add around the text (a GGUF vocabulary's add_bos_token /
   * add_eos_token, a tokenizer.json's post-processor): Hugging Face's add_special_tokens */
  int add_special_tokens;
} xval_encode_options;

XVAL_API void xval_encode_options_init(xval_encode_options* options);

/* Encodes `text` (`length` bytes, any bytes). Writes up to `capacity` tokens: ids, and when
 * not NULL values (1.0 except at [NUM]) and offsets (2 per token: begin, end byte). Stores the
 * token count in *n_tokens. options may be NULL. */
XVAL_API xval_status xval_encode(const xval_tokenizer* tokenizer, const char* text, size_t length,
                                 const xval_encode_options* options, int32_t* ids, float* values,
                                 uint32_t* offsets, size_t capacity, size_t* n_tokens);

/* Encodes n_texts texts on the thread pool, into one set of arrays: text i has the tokens
 * [row_splits[i], row_splits[i + 1]) (row_splits: n_texts + 1 entries, always written when
 * the call succeeds or the buffer is too small). Offsets are relative to each text.
 * max_threads 0: all cores. */
XVAL_API xval_status xval_encode_batch(const xval_tokenizer* tokenizer, const char* const* texts,
                                       const size_t* lengths, size_t n_texts,
                                       const xval_encode_options* options, size_t max_threads,
                                       int32_t* ids, float* values, uint32_t* offsets,
                                       size_t capacity, size_t* row_splits, size_t* n_tokens);

/* Ids back to text, exactly as the reference implementation decodes them. *length gets the
 * bytes of the text. */
XVAL_API xval_status xval_decode(const xval_tokenizer* tokenizer, const int32_t* ids, size_t n_ids,
                                 char* text, size_t capacity, size_t* length);
/* xval_decode keeping the special tokens' text (<s>, </s>), as transformers' decode with
 * skip_special_tokens=False. XVAL_UNIMPLEMENTED for llama.cpp's unigram and WordPiece
 * vocabularies. */
XVAL_API xval_status xval_decode_keeping_special(const xval_tokenizer* tokenizer,
                                                 const int32_t* ids, size_t n_ids, char* text,
                                                 size_t capacity, size_t* length);
/* xVal: each [NUM] as the shortest decimal of its value. values: one per id. Without xVal the
 * values are ignored and this is xval_decode. */
XVAL_API xval_status xval_decode_with_values(const xval_tokenizer* tokenizer, const int32_t* ids,
                                             const float* values, size_t n_ids, char* text,
                                             size_t capacity, size_t* length);

/* The piece of an id (its vocabulary string), and the id of a piece (XVAL_NOT_FOUND). */
XVAL_API xval_status xval_id_to_piece(const xval_tokenizer* tokenizer, int32_t id, char* piece,
                                      size_t capacity, size_t* length);
XVAL_API xval_status xval_piece_to_id(const xval_tokenizer* tokenizer, const char* piece,
                                      size_t length, int32_t* id);

/* ---------------------------------------------------------------------------------------- */
/* Streaming decode. Thread safety: push, flush and reset on one stream from one thread at a
 * time (different streams of one tokenizer on any threads).
 * Push ids one at a time (as a model generates them), get back only the
 * newly completed text. The texts of all pushes and the final flush concatenate to
 * xval_decode_with_values of all the ids; unfinished UTF-8 characters are held back; the work
 * per token does not grow with the sequence (xval/stream_decoder.h). */

typedef struct xval_stream xval_stream;

XVAL_API xval_status xval_stream_new(const xval_tokenizer* tokenizer, xval_stream** out);
XVAL_API void xval_stream_free(xval_stream* stream);
/* Pushes one id (value: read for [NUM] only; 1.0 otherwise). *text points at the new text
 * (*length bytes, NUL-terminated), owned by the stream and valid until its next call. */
XVAL_API xval_status xval_stream_push(xval_stream* stream, int32_t id, float value,
                                      const char** text, size_t* length);
/* The text still held back; the stream then starts a new sequence. */
XVAL_API xval_status xval_stream_flush(xval_stream* stream, const char** text, size_t* length);
XVAL_API void xval_stream_reset(xval_stream* stream);

/* ---------------------------------------------------------------------------------------- */
/* Thread safety: reentrant; concurrent calls may share inputs, not outputs.
 * The embedding kernel of xVal: out[t, :] = table[ids[t], :] * values[t] (values NULL: a plain
 * lookup). table (vocab, hidden) and out (n_ids, hidden) are dense row-major. Highway SIMD on
 * all cores (max_threads 0) or fewer. */

typedef enum xval_dtype { XVAL_F32 = 0, XVAL_BF16 = 1, XVAL_F16 = 2 } xval_dtype;

/* table_dtype: F32, BF16 or F16; out_dtype: F32 or BF16. bf16/f16 are raw uint16 patterns. */
XVAL_API xval_status xval_embed(const void* table, xval_dtype table_dtype, size_t vocab,
                                size_t hidden, const int32_t* ids, const float* values,
                                size_t n_ids, void* out, xval_dtype out_dtype, size_t max_threads);

/* ---------------------------------------------------------------------------------------- */
/* Numbers beyond xVal (xval/number_info.h, number_rewrites.h, number_encodings.h). Reentrant. */

/* One number of a text. */
typedef struct xval_number {
  uint32_t begin, end;     /* its bytes */
  double value;            /* correctly rounded (strtod's value) */
  float value32;           /* correctly rounded to float32 */
  int32_t negative;        /* 1 when written with '-' */
  int32_t integer_digits;  /* mantissa digits before the decimal point */
  int32_t fraction_digits; /* after it */
  int32_t exponent;        /* the written exponent, 0 when none */
} xval_number;

/* The numbers of `text` (as the tokenizer's xVal options read them, else the standard grammar)
 * and, for each of n_tokens tokens given by their offsets (2 per token, as xval_encode writes
 * them), the number it belongs to (-1), its digit when it covers exactly one (-1), the place of
 * its least significant digit (units 1, tenths -1, 0 for none) and the 1-based index of its
 * first digit from the number's top (0). Any per-token array may be NULL. *n_numbers gets the
 * count of numbers; they are written when number_capacity holds them all, else nothing is
 * written (XVAL_BUFFER_TOO_SMALL; numbers may be NULL for such a size query). */
XVAL_API xval_status xval_describe_numbers(const xval_tokenizer* tokenizer, const char* text,
                                           size_t length, const uint32_t* offsets, size_t n_tokens,
                                           int32_t* number_index, int8_t* digit, int16_t* place,
                                           int16_t* place_from_top, xval_number* numbers,
                                           size_t number_capacity, size_t* n_numbers);

/* Reversible rewrites: rewrite is "reverse", "rtl_commas" or "numerologic" (or "none");
 * xval_restore_numbers gives back exactly the text xval_rewrite_numbers was given. */
XVAL_API xval_status xval_rewrite_numbers(const char* rewrite, const char* text, size_t length,
                                          char* out, size_t capacity, size_t* out_length);
XVAL_API xval_status xval_restore_numbers(const char* rewrite, const char* text, size_t length,
                                          char* out, size_t capacity, size_t* out_length);

/* FoNE: the periods of integer_digits / fraction_digits and n_bases period bases (NULL, 0: the
 * base 10) are computed as the reference does. Features: out (n, dim) float32. The fused
 * embedding: out (n_ids, hidden) = table[ids] plus the features of values[t] where
 * ids[t] == num_id (values: n_ids doubles). */
XVAL_API xval_status xval_fone_features(const double* values, size_t n, int integer_digits,
                                        int fraction_digits, const double* bases, size_t n_bases,
                                        float* out, size_t dim);
XVAL_API xval_status xval_embed_fone(const void* table, xval_dtype table_dtype, size_t vocab,
                                     size_t hidden, const int32_t* ids, const double* values,
                                     size_t n_ids, int32_t num_id, int integer_digits,
                                     int fraction_digits, const double* bases, size_t n_bases,
                                     void* out, xval_dtype out_dtype, size_t max_threads);

/* BitTokens: features (n, dim >= 64, or 128 with reciprocal) of +-scale per bit of each
 * float64, sign bit first; the fused "zero_pad" embedding (the [NUM] rows replaced by the
 * features times scale, zero-padded); and the head's decoding of logits (n, cols >= 64). */
XVAL_API xval_status xval_bittoken_features(const double* values, size_t n, int reciprocal,
                                            float scale, float* out, size_t dim);
XVAL_API xval_status xval_embed_bittokens(const void* table, xval_dtype table_dtype, size_t vocab,
                                          size_t hidden, const int32_t* ids, const double* values,
                                          size_t n_ids, int32_t num_id, int reciprocal, float scale,
                                          void* out, xval_dtype out_dtype, size_t max_threads);
XVAL_API xval_status xval_bittoken_decode(const float* logits, size_t n, size_t cols,
                                          double* values);

/* Abacus positions: 1 + offset, 2 + offset, ... along each run of tokens whose id is one of
 * digit_ids, 0 elsewhere. */
XVAL_API xval_status xval_abacus_positions(const int32_t* ids, size_t n, const int32_t* digit_ids,
                                           size_t n_digit_ids, int32_t offset, int32_t* positions);

/* ---------------------------------------------------------------------------------------- */
/* The Llama (Llemma) forward pass, with xVal values and the number head (xval/model.h).
 * Thread safety: xval_model_load is reentrant; a model may be shared by any number of threads
 * (get_info, session_new) and freed once no session or call uses it; each session's
 * functions (forward, reset, position, generate) from one thread at a time; xval_generate
 * calls its callback on the calling thread. */

typedef struct xval_model xval_model;
typedef struct xval_session xval_session;

typedef struct xval_model_info {
  int32_t vocab_size;
  int32_t hidden_size;
  int32_t num_hidden_layers;
  int32_t bos_token_id;    /* -1 when absent */
  int32_t eos_token_id;    /* -1 when absent */
  int32_t num_token_id;    /* xVal [NUM]; -1 when absent */
  int32_t has_number_head; /* 1 when the model predicts a value at [NUM] */
} xval_model_info;

/* path: a Hugging Face folder (config.json + safetensors) or a .gguf file. max_threads 0: all
 * cores. */
XVAL_API xval_status xval_model_load(const char* path, size_t max_threads, xval_model** out);
XVAL_API void xval_model_free(xval_model* model);
XVAL_API void xval_model_get_info(const xval_model* model, xval_model_info* info);

/* A KV cache for one sequence of up to max_seq_len tokens. */
XVAL_API xval_status xval_session_new(const xval_model* model, size_t max_seq_len,
                                      xval_session** out);
XVAL_API void xval_session_free(xval_session* session);
XVAL_API void xval_session_reset(xval_session* session);
XVAL_API size_t xval_session_position(const xval_session* session);

/* Runs n_ids tokens (values NULL: all 1) after the cached ones. all_positions 1: logits of
 * every new position, (n_ids, vocab) floats; 0: of the last one only, (vocab). *n_logits
 * (when not NULL) gets that count; a logits_capacity below it leaves the session unchanged
 * (XVAL_BUFFER_TOO_SMALL). number_values (NULL to skip): the number head's value at each of
 * those positions (n_ids or 1 floats; left untouched without a number head). */
XVAL_API xval_status xval_session_forward(xval_session* session, const int32_t* ids,
                                          const float* values, size_t n_ids, int all_positions,
                                          float* logits, size_t logits_capacity, size_t* n_logits,
                                          float* number_values);

typedef struct xval_generate_options {
  size_t max_new_tokens; /* 64 by default */
  float temperature;     /* 0: greedy */
  int top_k;             /* 0: all tokens */
  float top_p;           /* 1: no nucleus cut */
  uint64_t seed;
  int stop_at_eos; /* 1 by default */
} xval_generate_options;

XVAL_API void xval_generate_options_init(xval_generate_options* options);

/* Called with each new id and its value (the number head's at [NUM]); return 0 to stop. */
typedef int (*xval_token_callback)(int32_t id, float value, void* user_data);

/* Runs the prompt, then samples up to max_new_tokens tokens, feeding each back (a [NUM] with
 * its predicted value). on_token may be NULL. *n_generated gets the count of new tokens. */
XVAL_API xval_status xval_generate(xval_session* session, const int32_t* prompt_ids,
                                   const float* prompt_values, size_t n_prompt,
                                   const xval_generate_options* options,
                                   xval_token_callback on_token, void* user_data,
                                   size_t* n_generated);

#ifdef __cplusplus
}
#endif

#endif /* XVAL_XVAL_H_ */
