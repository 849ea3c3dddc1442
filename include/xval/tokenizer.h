// The tokenizer interface that every model in xval implements, and the factory that loads one
// from a file.
//
// Thread safety: a Tokenizer is immutable after loading; all const methods may be called from
// any number of threads at once.
#ifndef XVAL_TOKENIZER_H_
#define XVAL_TOKENIZER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "xval/digits.h"
#include "xval/encoding.h"
#include "xval/stream_decoder.h"

namespace xval {

struct EncodeOptions {
  bool add_bos = false;  // prepend the BOS id (an error if the vocabulary has none)
  bool add_eos = false;  // append the EOS id (likewise)
  // Add the special tokens the file says to add around a text, as Hugging Face's
  // add_special_tokens=True and llama.cpp's add_special do: for a GGUF vocabulary its
  // add_bos_token / add_eos_token flags (or llama.cpp's defaults). On top of add_bos and add_eos,
  // which add BOS and EOS whatever the file says (never twice).
  bool add_special_tokens = false;
  // Match special added tokens (<s>, [NUM], ...) in the text, as Hugging Face does by default;
  // false reads them as ordinary text (its split_special_tokens=True). Added tokens that are
  // not special are always matched.
  bool parse_special = true;
  // The text continues an earlier one (xVal encodes the text between numbers piece by piece,
  // EncodeBatchFlat the parts of a long text): no dummy-prefix "▁" is added at its start, so
  // that the pieces decode back to the whole.
  bool continuation = false;
  // Ids only: Encode, EncodeBatch and EncodeBatchFlat return the ids (and the batch its
  // row_splits) with `values` and `offsets` left empty, the form tiktoken's
  // encode_ordinary_batch returns. The ids are those of the full encoding; tokenizers that can
  // skip the offset work (byte-level BPE) do, the others encode in full and drop the rest.
  // Note that xVal's [NUM] values are dropped too. EncodeInto ignores it (see EncodeIdsInto).
  bool ids_only = false;
};

// A token matched in the raw text before the model sees it, as Hugging Face's added tokens and
// SentencePiece's user-defined pieces are.
struct AddedToken {
  std::string content;
  int32_t id = -1;
  bool special = false;  // special tokens (BOS, [NUM], ...) are skipped by Decode when asked
  // Whitespace before (lstrip) or after (rstrip) the token is dropped with it: Unicode
  // White_Space as Hugging Face's tokenizers strips it, or ASCII whitespace only (ascii_strip)
  // as llama.cpp does for its token attributes (e.g. XLM-R's <mask>).
  bool lstrip = false;
  bool rstrip = false;
  bool ascii_strip = false;
  // Hugging Face's flags: matched only where no letter, digit or '_' is beside it
  // (single_word); matched in the normalized text rather than the raw one (normalized: only
  // tokenizer.json files read by the general pipeline).
  bool single_word = false;
  bool normalized = false;
};

struct TokenizerOptions {
  DigitSplit digits;  // extra digit splitting on top of the model's own rules
  // Where tokenizers named rather than given by path (gpt2, r50k_base, cl100k_base,
  // o200k_base) find their files: the folder of the `.tiktoken` files, or a data root holding
  // tokenizers/tiktoken/. Empty: $XVAL_DATA_DIR/tokenizers/tiktoken.
  std::string data_dir;
  // A tiktoken rank file of an encoding xval does not know by name or content: its pattern and
  // special tokens (tiktoken.Encoding's pat_str and special_tokens). A pattern given here also
  // overrides what a known file's name or content says.
  std::string tiktoken_pattern;
  std::vector<AddedToken> tiktoken_special_tokens;
};

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;

  // Encodes one text. Never fails on any input bytes (invalid UTF-8 is handled as the
  // reference implementation handles it); fails only on an option the vocabulary cannot
  // satisfy (add_bos without a BOS token: InvalidArgument).
  absl::StatusOr<Encoding> Encode(absl::string_view text, const EncodeOptions& options = {}) const;

  // Appends the tokens of `text` to `out`, offsets relative to `text` plus `base`; on error
  // `out` is left as it was. The one method a tokenizer implements to encode.
  virtual absl::Status EncodeInto(absl::string_view text, const EncodeOptions& options,
                                  uint32_t base, Encoding* out) const = 0;

  // Appends the ids of `text` to `ids`, the same ids EncodeInto gives; on error `ids` is left as
  // it was. The default runs EncodeInto into per-thread scratch space and copies the ids; a
  // tokenizer with a cheaper ids-only path overrides it. Used by every `ids_only` encode.
  virtual absl::Status EncodeIdsInto(absl::string_view text, const EncodeOptions& options,
                                     std::vector<int32_t>* ids) const;

  // Encodes many texts on the shared thread pool; results in input order. `max_threads` 0
  // means all cores (or XVAL_NUM_THREADS).
  absl::StatusOr<std::vector<Encoding>> EncodeBatch(absl::Span<const absl::string_view> texts,
                                                    const EncodeOptions& options = {},
                                                    size_t max_threads = 0) const;
  // The same, into one set of arrays (no allocation per text): the fastest way to encode a
  // corpus, and the layout numpy and PyTorch take without copies. With options.ids_only the
  // batch holds ids and row_splits only (values and offsets empty), and costs about what
  // encoding the texts one by one into ids costs, divided among the threads.
  absl::StatusOr<BatchEncoding> EncodeBatchFlat(absl::Span<const absl::string_view> texts,
                                                const EncodeOptions& options = {},
                                                size_t max_threads = 0) const;

  // A position in [from, text.size()) where `text` may be cut in two and each side encoded
  // alone (the second with `continuation`), the ids of the two being those of the whole text;
  // string_view::npos when there is none before from + max_scan. EncodeBatchFlat spreads one
  // long text over cores through it. The default proves no cut (npos); a tokenizer overrides
  // it when its vocabulary and rules make some cuts safe.
  virtual size_t SafeCut(absl::string_view text, size_t from, size_t max_scan) const {
    return absl::string_view::npos;
  }

  // Ids back to text, exactly as the reference implementation decodes them. Fails with
  // OutOfRange on an id outside the vocabulary.
  virtual absl::StatusOr<std::string> Decode(absl::Span<const int32_t> ids) const = 0;
  // Decode keeping the special tokens' text (<s>, </s>, <unk> as their pieces), as transformers'
  // decode(skip_special_tokens=False): each special token's content goes through the decoder as
  // tokenizers passes it. Byte-level tokenizers keep them in Decode already. Unimplemented for
  // the formats whose reference has no such mode (llama.cpp's unigram and WordPiece vocabularies).
  virtual absl::StatusOr<std::string> DecodeKeepingSpecial(absl::Span<const int32_t> ids) const;

  virtual int32_t vocab_size() const = 0;
  // The piece of an id (OutOfRange outside the vocabulary).
  virtual absl::StatusOr<std::string> IdToPiece(int32_t id) const = 0;
  // The id of a piece (NotFound when absent).
  virtual absl::StatusOr<int32_t> PieceToId(absl::string_view piece) const = 0;

  // A decoder that turns ids pushed one at a time into text as it completes, equal in the end
  // to Decode of all of them (stream_decoder.h). This tokenizer must outlive it.
  virtual std::unique_ptr<StreamDecoder> NewStreamDecoder() const;

  virtual int32_t bos_id() const = 0;  // -1 when absent
  virtual int32_t eos_id() const = 0;  // -1 when absent
  virtual int32_t unk_id() const = 0;  // -1 when absent
  // The padding token: as the file names it (a GGUF's tokenizer.ggml.padding_token_id or
  // llama.cpp's default for its kind, a SentencePiece model's pad piece, tekken's <pad>), or the
  // `pad_token` of the tokenizer_config.json beside a tokenizer.json or tokenizer.model, as
  // transformers reads it. -1 when there is none. xval encodes texts
  // unpadded; callers that pad use it.
  int32_t pad_id() const { return pad_id_; }
  // Sets it (loaders do). Not thread-safe: call before sharing the tokenizer.
  void SetPadId(int32_t id) { pad_id_ = id; }

  // What EncodeOptions::add_special_tokens adds: BOS first, EOS last, as the file says.
  bool special_adds_bos() const { return special_adds_bos_; }
  bool special_adds_eos() const { return special_adds_eos_; }
  // Sets them (loaders do, from the file). Not thread-safe: call before sharing the tokenizer.
  void SetSpecialTokens(bool add_bos, bool add_eos) {
    special_adds_bos_ = add_bos;
    special_adds_eos_ = add_eos;
  }
  // `options` with add_special_tokens turned into add_bos / add_eos: the first thing every
  // EncodeInto does.
  EncodeOptions ResolveSpecialTokens(const EncodeOptions& options) const {
    EncodeOptions o = options;
    if (o.add_special_tokens) {
      o.add_bos |= special_adds_bos_;
      o.add_eos |= special_adds_eos_;
      o.add_special_tokens = false;
    }
    return o;
  }

  // Tokens matched in the text before the model runs.
  virtual const std::vector<AddedToken>& added_tokens() const = 0;
  // Adds tokens (e.g. Code Llama's infilling tokens or xVal's [NUM]); a content already in the
  // vocabulary keeps its id, a new one gets the next free id. Not thread-safe: call before
  // sharing the tokenizer.
  virtual absl::Status AddTokens(absl::Span<const AddedToken> tokens) = 0;

 protected:
  // EncodeIdsInto appending to a LargeArray: EncodeBatchFlat's output on one thread, written
  // in place. The default goes through EncodeIdsInto and a per-thread vector; a tokenizer whose
  // ids-only path can write into either array overrides it.
  virtual absl::Status AppendIds(absl::string_view text, const EncodeOptions& options,
                                 LargeArray<int32_t>* ids) const;

 private:
  // EncodeBatchFlat with ids only, on `slots` threads at most. `any_long`: some text is long
  // enough to be cut into parts; `bytes`: the texts' bytes.
  absl::StatusOr<BatchEncoding> EncodeIdsFlat(absl::Span<const absl::string_view> texts,
                                              const EncodeOptions& options, bool any_long,
                                              size_t bytes, size_t slots) const;

 private:
  bool special_adds_bos_ = false;
  bool special_adds_eos_ = false;
  int32_t pad_id_ = -1;
};

// Makes `content` the padding token (pad_id): the id of that added token or piece, or a new
// special token when the vocabulary has neither, as transformers adds a configuration's
// pad_token. Not thread-safe: call before sharing the tokenizer.
absl::Status SetPadToken(absl::string_view content, Tokenizer* tokenizer);

// Loads a tokenizer from a file, by content: a SentencePiece `.model` (protobuf, BPE or
// UNIGRAM), a Hugging Face `tokenizer.json`, Mistral's `tekken.json`, a `.tiktoken` file, or a
// GGUF file's vocabulary (llama.cpp's tokenizer.ggml.*: models "llama", "gpt2", "t5", "bert",
// "gemma4"). What each format supports and refuses: docs/formats.md. Errors name the file and what
// is wrong with it.
absl::StatusOr<std::unique_ptr<Tokenizer>> LoadTokenizer(const std::string& path,
                                                         const TokenizerOptions& options = {});
// The same from a file's bytes (copied as needed; `data` may be freed after the call). `name`
// is the file's name, used in messages and to tell a .tiktoken file's encoding by its stem
// ("cl100k_base.tiktoken"); the other formats are recognised by their content.
absl::StatusOr<std::unique_ptr<Tokenizer>> LoadTokenizerFromMemory(
    absl::string_view data, const std::string& name, const TokenizerOptions& options = {});

}  // namespace xval

#endif  // XVAL_TOKENIZER_H_
