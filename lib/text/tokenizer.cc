// LoadTokenizer (which loader reads a file) and the batch encoder shared by every tokenizer.
#include "xval/tokenizer.h"

#include <algorithm>
#include <atomic>
#include <deque>
#include <fstream>
#include <limits>
#include <mutex>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "model/mapped_file.h"
#include "text/bytelevel/bytelevel_loader.h"
#include "text/gguf/gguf_loader.h"
#include "text/hf/pipeline_tokenizer.h"
#include "text/hf_json.h"
#include "text/spaced_word_cuts.h"
#include "text/spm/spm_loader.h"
#include "text/spm/spm_tokenizer.h"
#include "text/tokenizer_config.h"
#include "util/file.h"
#include "util/gguf_metadata.h"
#include "util/page_advice.h"
#include "util/scratch.h"
#include "util/status_macros.h"
#include "util/thread_pool.h"

namespace xval {

absl::StatusOr<std::unique_ptr<Tokenizer>> LoadTokenizer(const std::string& path,
                                                         const TokenizerOptions& options) {
  if (text::IsTiktokenEncodingName(path)) {
    ASSIGN_OR_RETURN(auto tokenizer, text::LoadTiktoken(path, options));
    return std::unique_ptr<Tokenizer>(std::move(tokenizer));
  }
  // A GGUF file may hold gigabytes of weights after its vocabulary: mapped, not read. Other
  // files are read (a mapping of a file that another process truncates faults on access).
  char magic[4] = {};
  std::ifstream(path, std::ios::binary).read(magic, sizeof(magic));
  if (util::IsGguf(absl::string_view(magic, sizeof(magic)))) {
    ASSIGN_OR_RETURN(std::unique_ptr<model::MappedFile> file, model::MappedFile::Open(path));
    const absl::string_view data(reinterpret_cast<const char*>(file->data()), file->size());
    return text::LoadGgufTokenizer(data, path, options);
  }
  ASSIGN_OR_RETURN(std::string data, util::ReadFile(path));
  ASSIGN_OR_RETURN(std::unique_ptr<Tokenizer> tokenizer,
                   LoadTokenizerFromMemory(data, path, options));
  // transformers' files (tokenizer.json, a SentencePiece model) come with its configuration
  // beside them; tiktoken's and tekken's do not.
  if (!absl::EndsWith(path, ".tiktoken") && !text::LooksLikeTiktokenRanks(data) &&
      !text::IsTekkenJson(data)) {
    RETURN_IF_ERROR(text::ApplyTokenizerConfig(path, tokenizer.get()));
  }
  return tokenizer;
}

namespace {

// Files people pass for a tokenizer by mistake, named for what they are rather than reported
// as a malformed SentencePiece model.
absl::Status NotATokenizer(absl::string_view data, const std::string& name) {
  // safetensors: an 8-byte little-endian header length, then the JSON header.
  if (data.size() > 9 && data[8] == '{' && static_cast<unsigned char>(data[7]) == 0 &&
      static_cast<unsigned char>(data[6]) == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        name,
        ": a safetensors file (model weights), not a tokenizer; a tokenizer is read from "
        "a .model, tokenizer.json, .tiktoken or GGUF file"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<Tokenizer>> LoadTokenizerFromMemory(
    absl::string_view data, const std::string& name, const TokenizerOptions& options) {
  if (util::IsGguf(data)) return text::LoadGgufTokenizer(data, name, options);
  RETURN_IF_ERROR(NotATokenizer(data, name));
  // Byte-level BPE: a tiktoken rank file, or a tokenizer.json with a ByteLevel stage.
  if (absl::EndsWith(name, ".tiktoken") || text::LooksLikeTiktokenRanks(data)) {
    ASSIGN_OR_RETURN(auto tokenizer, text::LoadTiktokenData(data, name, options));
    return std::unique_ptr<Tokenizer>(std::move(tokenizer));
  }
  if (text::IsTekkenJson(data)) {
    ASSIGN_OR_RETURN(auto tokenizer, text::LoadTekkenJson(data, name, options));
    return std::unique_ptr<Tokenizer>(std::move(tokenizer));
  }
  size_t first = data.find_first_not_of(" \t\r\n");
  if (first == absl::string_view::npos || data[first] != '{') {
    if (absl::EndsWith(name, ".json")) {
      return absl::InvalidArgumentError(absl::StrCat(name, ": JSON: does not start with '{'"));
    }
    return text::LoadSentencePieceModel(data, name, options);
  }
  // A tokenizer.json: the specialised loaders (byte-level BPE, Llama-style BPE: faster) take the
  // shapes they read; any other shape goes to the general pipeline of stages, whose error is
  // the one reported. A malformed file is an error from the first loader.
  absl::Status fast;
  if (text::IsByteLevelTokenizerJson(data)) {
    auto tokenizer = text::LoadByteLevelTokenizerJson(data, name, options);
    fast = tokenizer.status();
    if (fast.ok()) fast = text::ApplyPostProcessor(data, name, tokenizer->get());
    if (fast.ok()) return std::unique_ptr<Tokenizer>(std::move(*tokenizer));
  } else {
    auto config = text::SpmConfigFromLlamaTokenizerJson(data, name);
    fast = config.status();
    if (fast.ok()) {
      auto tokenizer = text::SpmTokenizer::Create(std::move(*config), options);
      fast = tokenizer.status();
      if (fast.ok()) fast = text::ApplyPostProcessor(data, name, tokenizer->get());
      if (fast.ok()) return std::unique_ptr<Tokenizer>(std::move(*tokenizer));
    }
  }
  if (!absl::IsUnimplemented(fast)) return fast;
  ASSIGN_OR_RETURN(auto tokenizer, text::hf::PipelineTokenizer::FromJson(data, name, options));
  return std::unique_ptr<Tokenizer>(std::move(tokenizer));
}

absl::StatusOr<std::string> Tokenizer::DecodeKeepingSpecial(absl::Span<const int32_t>) const {
  return absl::UnimplementedError(
      "keeping special tokens in decode: this format's decoder (as its reference's) drops them; "
      "decode them with skip_special_tokens");
}

namespace {

// Offsets and the encoders' piece ends are 32-bit: a longer text is an error, never encoded with
// positions cut short.
absl::Status CheckTextSize(absl::string_view text) {
  if (text.size() <= std::numeric_limits<uint32_t>::max()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      "a text of ", text.size(), " bytes: texts of 4 GiB or more are not supported (cut it)"));
}

}  // namespace

absl::StatusOr<Encoding> Tokenizer::Encode(absl::string_view text,
                                           const EncodeOptions& options) const {
  RETURN_IF_ERROR(CheckTextSize(text));
  Encoding out;
  if (options.ids_only) {
    util::ThreadScratch<std::vector<int32_t>> scratch_ids;
    scratch_ids->clear();
    RETURN_IF_ERROR(EncodeIdsInto(text, options, &*scratch_ids));
    out.ids.assign(scratch_ids->begin(), scratch_ids->end());
    return out;
  }
  // Encode into scratch space, then copy out at the exact size: one allocation per array
  // instead of growing (or over-reserving) three vectors for every text.
  util::ThreadScratch<Encoding> scratch;
  scratch->Clear();
  RETURN_IF_ERROR(EncodeInto(text, options, 0, &*scratch));
  out.ids.assign(scratch->ids.begin(), scratch->ids.end());
  out.values.assign(scratch->values.begin(), scratch->values.end());
  out.offsets.assign(scratch->offsets.begin(), scratch->offsets.end());
  return out;
}

absl::Status Tokenizer::EncodeIdsInto(absl::string_view text, const EncodeOptions& options,
                                      std::vector<int32_t>* ids) const {
  // A long text goes a stretch at a time where SafeCut allows, so that the scratch holds one
  // stretch's offsets and values rather than the whole text's (fresh memory on a first call).
  util::ThreadScratch<Encoding> scratch;
  const size_t before = ids->size();
  absl::Status status;
  text::ForEachStretch(*this, text, size_t{1} << 16, [&](size_t begin, size_t end) {
    if (!status.ok()) return;
    scratch->Clear();
    status = EncodeInto(text.substr(begin, end - begin),
                        text::StretchOptions(*this, options, begin, end, text), 0, &*scratch);
    ids->insert(ids->end(), scratch->ids.begin(), scratch->ids.end());
  });
  if (!status.ok()) ids->resize(before);
  return status;
}

absl::Status Tokenizer::AppendIds(absl::string_view text, const EncodeOptions& options,
                                  LargeArray<int32_t>* ids) const {
  util::ThreadScratch<std::vector<int32_t>> scratch;
  scratch->clear();
  RETURN_IF_ERROR(EncodeIdsInto(text, options, &*scratch));
  ids->insert(ids->end(), scratch->begin(), scratch->end());
  return absl::OkStatus();
}

namespace {

// The first error any thread of a call met.
class FirstError {
 public:
  void Set(const absl::Status& s) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (status_.ok()) status_ = s;
    failed_.store(true, std::memory_order_relaxed);
  }
  bool failed() const { return failed_.load(std::memory_order_relaxed); }
  const absl::Status& status() const { return status_; }  // once the threads are done

 private:
  std::mutex mutex_;
  absl::Status status_;
  std::atomic<bool> failed_{false};
};

}  // namespace

absl::StatusOr<std::vector<Encoding>> Tokenizer::EncodeBatch(
    absl::Span<const absl::string_view> texts, const EncodeOptions& options,
    size_t max_threads) const {
  std::vector<Encoding> results(texts.size());
  FirstError error;
  util::ParallelFor(
      texts.size(), 8,
      [&](size_t begin, size_t end) {
        for (size_t i = begin; i < end && !error.failed(); ++i) {
          absl::StatusOr<Encoding> e = Encode(texts[i], options);
          if (!e.ok()) {
            error.Set(e.status());
            return;
          }
          results[i] = std::move(*e);
        }
      },
      max_threads);
  if (error.failed()) return error.status();
  return results;
}

namespace {

// A stretch of one text that is encoded alone: a whole text, or a part of a long one cut where
// the tokenizer says it may be.
struct TextPart {
  size_t text;
  uint32_t begin, end;
};

// Texts longer than this are cut into parts.
constexpr size_t kCutTextsAbove = size_t{1} << 18;

// Part i of the batch's parts, its text and options; the next part's first bytes are fetched
// meanwhile (a batch's texts, Python's str objects, are scattered: each a cache miss).
struct PartToEncode {
  absl::string_view text;
  EncodeOptions options;
};

// The parts of a batch's texts, in order: each text whole, or a long one cut into about
// 32 * threads parts at safe cuts, so that its parts balance over the threads (the thread done
// first waits for the others' last parts: smaller parts, shorter waits;
// docs/benchmarks-bytelevel.md, issue 22's tenth pass). Cut on one thread too, so that what a
// tokenizer holds per text it encodes (the default AppendIds' scratch copy of the ids, for one)
// stays the size of a part (peak memory). When no text is long, part i is text i and no list is
// made (for a batch of many short texts, making it was a serial pass before the threads could
// start).
class BatchParts {
 public:
  BatchParts(const Tokenizer& tokenizer, absl::Span<const absl::string_view> texts, size_t threads,
             bool any_long)
      : tokenizer_(tokenizer), texts_(texts), cut_(any_long) {
    if (!cut_) return;
    parts_.reserve(texts.size());
    for (size_t i = 0; i < texts.size(); ++i) {
      const absl::string_view t = texts[i];
      auto add = [&](size_t begin, size_t end) {
        parts_.push_back(TextPart{i, static_cast<uint32_t>(begin), static_cast<uint32_t>(end)});
      };
      if (t.size() > kCutTextsAbove) {
        text::ForEachStretch(tokenizer, t, std::max(t.size() / (32 * threads), kCutTextsAbove / 4),
                             add);
      } else {
        add(0, t.size());
      }
    }
  }

  size_t size() const { return cut_ ? parts_.size() : texts_.size(); }
  // Part i is text i.
  bool whole() const { return !cut_; }
  size_t Bytes(size_t i) const { return cut_ ? parts_[i].end - parts_[i].begin : texts_[i].size(); }
  // The texts' row splits from the parts' (part_splits[i + 1]: where part i ends), when a text
  // may have several parts: each text's row ends where its last part does.
  void RowSplits(const std::vector<size_t>& part_splits, std::vector<size_t>* row_splits) const {
    row_splits->assign(texts_.size() + 1, 0);
    for (size_t i = 0; i < size(); ++i) (*row_splits)[(*this)[i].text + 1] = part_splits[i + 1];
  }
  TextPart operator[](size_t i) const {
    return cut_ ? parts_[i] : TextPart{i, 0, static_cast<uint32_t>(texts_[i].size())};
  }

  PartToEncode At(size_t i, const EncodeOptions& options) const {
    if (i + 1 < size()) {
      const TextPart next = (*this)[i + 1];
      const char* p = texts_[next.text].data() + next.begin;
      __builtin_prefetch(p);
      __builtin_prefetch(p + 64);
    }
    const TextPart part = (*this)[i];
    const absl::string_view whole = texts_[part.text];
    return PartToEncode{whole.substr(part.begin, part.end - part.begin),
                        text::StretchOptions(tokenizer_, options, part.begin, part.end, whole)};
  }

 private:
  const Tokenizer& tokenizer_;
  absl::Span<const absl::string_view> texts_;
  bool cut_;
  std::vector<TextPart> parts_;  // when cut_
};

// The sizes of a batch's texts, checked.
struct TextSizes {
  bool any_long;  // some text is long enough to be cut into parts
  size_t bytes;   // the batch's bytes
};
absl::StatusOr<TextSizes> CheckTextSizes(absl::Span<const absl::string_view> texts, size_t slots) {
  // The longest first, in a loop without branches. A batch of many lines is checked before
  // its threads start encoding, so a long one is checked on them (EncodeBatchFlat woke them).
  constexpr size_t kGrain = size_t{1} << 13;
  struct alignas(64) Partial {
    size_t longest = 0, bytes = 0;
  };
  auto add = [texts](size_t begin, size_t end, Partial* p) {
    size_t longest = p->longest, bytes = p->bytes;
    for (size_t i = begin; i < end; ++i) {
      longest = std::max(longest, texts[i].size());
      bytes += texts[i].size();
    }
    *p = Partial{longest, bytes};
  };
  Partial all;
  if (slots > 1 && texts.size() >= 2 * kGrain) {
    std::vector<Partial> partials(slots);
    util::ParallelForSlots(
        texts.size(), kGrain,
        [&](size_t slot, size_t begin, size_t end) { add(begin, end, &partials[slot]); }, slots);
    for (const Partial& p : partials) {
      all.longest = std::max(all.longest, p.longest);
      all.bytes += p.bytes;
    }
  } else {
    add(0, texts.size(), &all);
  }
  if (all.longest > std::numeric_limits<uint32_t>::max()) {
    for (const absl::string_view text : texts) RETURN_IF_ERROR(CheckTextSize(text));
  }
  return TextSizes{all.longest > kCutTextsAbove, all.bytes};
}

// A batch's parts are encoded in blocks of up to kBlockParts parts, fewer when they pass
// kBlockBytes, so that a long text's parts spread over the threads. Each block costs its thread
// a take (under a lock) and, when it lands in an arena, a copy into place: smaller blocks made a
// batch of many lines slower on two threads (docs/benchmarks-bytelevel.md, issue 22's sixth
// pass).
constexpr size_t kBlockParts = 256;
constexpr size_t kBlockBytes = kCutTextsAbove / 4;

// A block of parts [begin, end) of `bytes` bytes.
struct PartBlock {
  size_t begin, end, bytes;
};

// A block taken from a batch's back: its ids, `size` of them, at `first` in slot `slot`'s arena.
struct BackBlock {
  PartBlock parts;
  size_t slot, first = 0, size = 0;
};

// Hands out a batch's blocks from its front and from its back, each found when it is taken:
// the threads start without a pass over every text first (for a batch of many lines that pass
// was serial, and long enough that the pool's helper had gone to sleep before the job came).
class BlockTaker {
 public:
  explicit BlockTaker(const BatchParts& parts) : parts_(parts), back_(parts.size()) {}

  bool TakeFront(PartBlock* block) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (front_ == back_) return false;
    const size_t limit = std::min(back_, front_ + kBlockParts);
    size_t end = front_, bytes = 0;
    while (end < limit && bytes < kBlockBytes) bytes += parts_.Bytes(end++);
    *block = PartBlock{front_, end, bytes};
    front_ = end;
    return true;
  }
  // A block from the back for `slot`, added to back_blocks(); nullptr when none is left.
  BackBlock* TakeBack(size_t slot) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (front_ == back_) return nullptr;
    const size_t limit = back_ - std::min(back_ - front_, kBlockParts);
    size_t begin = back_, bytes = 0;
    while (begin > limit && bytes < kBlockBytes) bytes += parts_.Bytes(--begin);
    back_blocks_.push_back(BackBlock{PartBlock{begin, back_, bytes}, slot});
    back_ = begin;
    return &back_blocks_.back();
  }

  // Once every block is taken: the blocks taken from the back, from last to first; they follow
  // the parts taken from the front.
  const std::deque<BackBlock>& back_blocks() const { return back_blocks_; }

 private:
  const BatchParts& parts_;
  std::mutex mutex_;
  size_t front_ = 0, back_;            // the parts not yet taken: [front_, back_)
  std::deque<BackBlock> back_blocks_;  // a deque: a thread fills its block while others add
};

// The blocks of a batch's parts, all found before the threads start: the front's takes.
struct BatchBlocks {
  std::vector<size_t> begin;  // block b holds parts [begin[b], begin[b + 1])

  explicit BatchBlocks(const BatchParts& parts) : begin{0} {
    BlockTaker taker(parts);
    for (PartBlock block; taker.TakeFront(&block);) begin.push_back(block.end);
  }
  size_t size() const { return begin.size() - 1; }
};

}  // namespace

// EncodeBatchFlat's ids. The calling thread (the pool's slot 0) takes blocks from the front
// and appends them in place to the output, as one thread alone does; the others take blocks
// from the back into arenas of their own, copied into place by every thread once all blocks are
// done. Only the back blocks are copied (half the ids on two threads), where copying each
// block into place as it finished copied them all, while the front thread wrote through twice
// the memory.
absl::StatusOr<BatchEncoding> Tokenizer::EncodeIdsFlat(absl::Span<const absl::string_view> texts,
                                                       const EncodeOptions& options, bool any_long,
                                                       size_t bytes, size_t slots) const {
  const BatchParts parts(*this, texts, slots, any_long);
  BatchEncoding out;
  // part_splits[i + 1]: where part i's ids end in the output; for a back block's parts, each
  // part's length until the block is copied into place. Every text has a part, its last ends
  // the text's row: when each text is one part, they are the row splits.
  std::vector<size_t> cut_part_splits;
  std::vector<size_t>& part_splits = parts.whole() ? out.row_splits : cut_part_splits;
  part_splits.assign(parts.size() + 1, 0);
  // A text has rarely more than one token per two bytes, and a tokenizer appending in place
  // takes room for a few thousand ids at a time before cutting back: a first call does not
  // grow the arrays by doubling (which writes twice the memory it keeps). On 4 KiB pages
  // (util/page_advice.h).
  out.ids.reserve(bytes / 2 + 4 * parts.size() + 8192);
  // Each on a cache line of its own: a thread resizes its array for every few thousand ids,
  // and two arrays on one line would bounce it between the cores.
  struct alignas(64) IdArena {
    LargeArray<int32_t> ids;
  };
  std::vector<IdArena> arenas(slots);
  BlockTaker taker(parts);
  FirstError error;
  // At most `slots` threads, whatever XVAL_NUM_THREADS says by now. The caller (slot 0) takes
  // the front whichever job it draws (a worker polling for the job draws job 0 as often): each
  // thread then sees about the same blocks from call to call, which its piece caches hold.
  util::ParallelForSlots(
      slots, 1,
      [&](size_t slot, size_t, size_t) {
        const bool in_place = slot == 0;
        LargeArray<int32_t>& ids = in_place ? out.ids : arenas[slot].ids;
        if (!in_place) ids.reserve(bytes / (2 * slots) + 8192);
        util::PrefaultAhead prefault;
        PartBlock front_block;
        for (;;) {
          if (error.failed()) return;
          BackBlock* back = in_place ? nullptr : taker.TakeBack(slot);
          if (in_place ? !taker.TakeFront(&front_block) : back == nullptr) return;
          const PartBlock& block = in_place ? front_block : back->parts;
          const size_t first = ids.size();
          // The block's room, at the reserve's rate of one id per two bytes.
          prefault.Reach(ids.data(), ids.capacity() * sizeof(int32_t),
                         (first + block.bytes / 2 + 8192) * sizeof(int32_t));
          for (size_t i = block.begin; i < block.end; ++i) {
            const PartToEncode part = parts.At(i, options);
            const size_t before = ids.size();
            if (const absl::Status s = AppendIds(part.text, part.options, &ids); !s.ok()) {
              error.Set(s);
              return;
            }
            part_splits[i + 1] = in_place ? ids.size() : ids.size() - before;
          }
          if (back != nullptr) {
            back->first = first;
            back->size = ids.size() - first;
          }
        }
      },
      slots);
  if (error.failed()) return error.status();
  // The front's parts are in place; the back blocks follow them, each thread copying
  // some. Back block k in the parts' order is back[n - 1 - k].
  const std::deque<BackBlock>& back = taker.back_blocks();
  const size_t n = back.size();
  std::vector<size_t> block_start(n + 1);  // [k]: where back block k's ids go
  block_start[0] = out.ids.size();
  for (size_t k = 0; k < n; ++k) block_start[k + 1] = block_start[k] + back[n - 1 - k].size;
  out.ids.resize(block_start[n]);  // not written (LargeArray default-initializes)
  util::ParallelFor(
      n, 1,
      [&](size_t begin, size_t end) {
        for (size_t k = begin; k < end; ++k) {
          const BackBlock& b = back[n - 1 - k];
          std::copy_n(arenas[b.slot].ids.begin() + b.first, b.size,
                      out.ids.begin() + block_start[k]);
          size_t at = block_start[k];
          for (size_t i = b.parts.begin; i < b.parts.end; ++i) {
            at += part_splits[i + 1];
            part_splits[i + 1] = at;
          }
        }
      },
      slots);
  if (!parts.whole()) parts.RowSplits(part_splits, &out.row_splits);
  return out;
}

absl::StatusOr<BatchEncoding> Tokenizer::EncodeBatchFlat(absl::Span<const absl::string_view> texts,
                                                         const EncodeOptions& options,
                                                         size_t max_threads) const {
  const size_t slots = util::ParallelSlots(max_threads);
  // A batch of many texts, or with a long text to cut, has serial steps before its threads
  // start, longer than the pool's workers poll after their last job: they are woken now, so
  // that they start with the call rather than a wake-up later.
  if (slots > 1 && texts.size() > kBlockParts) util::WakeWorkers(slots);
  ASSIGN_OR_RETURN(const TextSizes sizes, CheckTextSizes(texts, slots));
  const bool any_long = sizes.any_long;
  if (slots > 1 && any_long) util::WakeWorkers(slots);
  if (options.ids_only) return EncodeIdsFlat(texts, options, any_long, sizes.bytes, slots);
  // Each thread of the call appends the blocks of parts it takes to its own arena, then the
  // blocks are copied into place, into arrays on huge pages. The arenas belong to this call for
  // its whole length (checked out of a process-wide pool, so that their memory is reused from
  // call to call: fresh memory costs a page fault per 4 KiB), indexed by the pool's slot, never
  // by worker thread: the workers serve the next caller while this one is still copying out of
  // its arenas.
  static util::ScratchPool<Encoding> arena_pool;
  std::vector<std::unique_ptr<Encoding>> arenas = arena_pool.CheckOut(slots);
  struct ReturnArenas {
    std::vector<std::unique_ptr<Encoding>>* arenas;
    ~ReturnArenas() { arena_pool.Return(std::move(*arenas), 2 * util::DefaultThreadCount()); }
  } return_arenas{&arenas};
  for (auto& arena : arenas) arena->Clear();
  // A long text is cut into parts (BatchParts).
  // Its first part takes BOS, its last EOS, the others neither and continue the text.
  const BatchParts parts(*this, texts, slots, any_long);
  const BatchBlocks blocks(parts);
  const size_t num_blocks = blocks.size();
  // Each arena reserved for its share of the tokens (a text has rarely more than one token per
  // two bytes), as EncodeIdsFlat's.
  const size_t expected = sizes.bytes / (2 * slots) + 64;
  for (auto& arena : arenas) {
    arena->ids.reserve(expected);
    arena->values.reserve(expected);
    arena->offsets.reserve(expected);
  }
  // part_splits[i]: where part i's tokens start in the output, once the pool is done; it
  // holds part i's length at i + 1 meanwhile. Every text has a part, its last ends the text's
  // row: when each text is one part, they are the row splits.
  BatchEncoding out;
  std::vector<size_t> cut_part_splits;
  std::vector<size_t>& part_splits = parts.whole() ? out.row_splits : cut_part_splits;
  part_splits.assign(parts.size() + 1, 0);
  std::vector<size_t> block_slot(num_blocks);  // the slot whose arena holds the block
  std::vector<size_t> block_first(num_blocks);
  FirstError error;
  // At most `slots` threads (the arenas' count), whatever XVAL_NUM_THREADS says by now. Striped:
  // a thread takes the same blocks from call to call, which its piece caches then hold.
  util::ParallelForStriped(
      num_blocks,
      [&](size_t slot, size_t begin, size_t end) {
        Encoding& arena = *arenas[slot];
        for (size_t b = begin; b < end && !error.failed(); ++b) {
          block_slot[b] = slot;
          block_first[b] = arena.size();
          for (size_t i = blocks.begin[b]; i < blocks.begin[b + 1]; ++i) {
            const PartToEncode part = parts.At(i, options);
            const size_t before = arena.size();
            if (const absl::Status s = EncodeInto(part.text, part.options, parts[i].begin, &arena);
                !s.ok()) {
              error.Set(s);
              return;
            }
            part_splits[i + 1] = arena.size() - before;
          }
        }
      },
      slots);
  if (error.failed()) return error.status();
  for (size_t i = 0; i < parts.size(); ++i) part_splits[i + 1] += part_splits[i];
  if (!parts.whole()) parts.RowSplits(part_splits, &out.row_splits);
  const size_t total = part_splits.back();
  out.ids.resize(total);
  out.values.resize(total);
  out.offsets.resize(total);
  util::ParallelFor(
      num_blocks, 4,
      [&](size_t begin, size_t end) {
        for (size_t b = begin; b < end; ++b) {
          const size_t at = part_splits[blocks.begin[b]];
          const size_t n = part_splits[blocks.begin[b + 1]] - at;
          const Encoding& src = *arenas[block_slot[b]];
          const size_t from = block_first[b];
          std::copy_n(src.ids.begin() + from, n, out.ids.begin() + at);
          std::copy_n(src.values.begin() + from, n, out.values.begin() + at);
          std::copy_n(src.offsets.begin() + from, n, out.offsets.begin() + at);
        }
      },
      max_threads);
  return out;
}

}  // namespace xval
