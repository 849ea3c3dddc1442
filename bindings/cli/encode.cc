// `xval encode`: a corpus to token shards (xval/shards.h, docs/shards.md) with memory bounded by
// --memory-mb whatever the input's size. Three stages overlap: a reader thread turns the input
// (text lines or files, JSON Lines fields) into batches of documents, the calling thread
// encodes each batch on every core, a writer thread appends the batches to shards in input
// order, cutting a shard at the first document boundary past --shard-tokens. The output depends
// only on the input and the flags, not on the thread count.
#include <glob.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "command.h"
#include "line_stream.h"
#include "simdjson.h"
#include "xval/shards.h"

namespace xval::cli {
namespace {

using Kind = FlagSpec::Kind;
namespace fs = std::filesystem;

// A queue of at most `capacity` items; Close() ends it for the consumer.
template <typename T>
class BoundedQueue {
 public:
  explicit BoundedQueue(size_t capacity) : capacity_(capacity) {}
  // False when the queue was closed (the consumer stopped): the producer stops too.
  bool Push(T item) {
    std::unique_lock<std::mutex> lock(mu_);
    not_full_.wait(lock, [&] { return items_.size() < capacity_ || closed_; });
    if (closed_) return false;
    items_.push_back(std::move(item));
    not_empty_.notify_one();
    return true;
  }
  std::optional<T> Pop() {
    std::unique_lock<std::mutex> lock(mu_);
    not_empty_.wait(lock, [&] { return !items_.empty() || closed_; });
    if (items_.empty()) return std::nullopt;
    T item = std::move(items_.front());
    items_.pop_front();
    not_full_.notify_one();
    return item;
  }
  void Close() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    not_empty_.notify_all();
    not_full_.notify_all();
  }

 private:
  size_t capacity_;
  std::mutex mu_;
  std::condition_variable not_empty_, not_full_;
  std::deque<T> items_;
  bool closed_ = false;
};

struct DocBatch {
  std::vector<std::string> texts;
  size_t bytes = 0;  // input bytes read for them (the progress bar's)
};

struct EncodedBatch {
  BatchEncoding encoding;
  size_t bytes = 0;
};

// The input files in order: each --input item is a file, a folder (its .txt/.jsonl/.json/.ndjson
// files, sorted, recursively) or a glob; none: standard input.
absl::StatusOr<std::vector<std::string>> InputFiles(const std::string& spec) {
  std::vector<std::string> files;
  if (spec.empty()) return files;
  for (absl::string_view item : absl::StrSplit(spec, ',', absl::SkipEmpty())) {
    const std::string path(item);
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      std::vector<std::string> found;
      for (const auto& e : fs::recursive_directory_iterator(path, ec)) {
        const std::string ext = e.path().extension().string();
        if (e.is_regular_file() && (ext == ".txt" || ext == ".jsonl" || ext == ".json" ||
                                    ext == ".ndjson" || ext == ".parquet")) {
          found.push_back(e.path().string());
        }
      }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::exists(path, ec)) {
      files.push_back(path);
    } else {
      glob_t g;
      if (::glob(path.c_str(), 0, nullptr, &g) != 0 || g.gl_pathc == 0) {
        ::globfree(&g);
        return absl::NotFoundError(absl::StrCat("--input: ", path, ": no such file or match"));
      }
      for (size_t i = 0; i < g.gl_pathc; ++i) files.push_back(g.gl_pathv[i]);
      ::globfree(&g);
    }
  }
  if (files.empty()) return absl::NotFoundError(absl::StrCat("--input: ", spec, ": no files"));
  return files;
}

bool IsJsonl(const std::string& file, const std::string& format) {
  if (format != "auto") return format == "jsonl";
  const std::string ext = fs::path(file).extension().string();
  return ext == ".jsonl" || ext == ".json" || ext == ".ndjson";
}

// Reads documents: from JSON Lines, the --field values of each record joined by "\n"; from
// text, a document per line or per file. Errors name the file, line and field.
class DocumentReader {
 public:
  DocumentReader(std::vector<std::string> files, std::string format, bool per_file,
                 std::vector<std::string> fields, bool skip_errors)
      : files_(std::move(files)),
        format_(std::move(format)),
        per_file_(per_file),
        skip_errors_(skip_errors) {
    for (const std::string& f : fields) {
      std::string pointer;
      for (absl::string_view key : absl::StrSplit(f, '.')) {
        absl::StrAppend(&pointer, "/", absl::StrReplaceAll(key, {{"~", "~0"}, {"/", "~1"}}));
      }
      fields_.push_back({f, pointer});
    }
  }

  // Reads batches of about batch_bytes into `out` until the input ends (Close()s it) or an
  // error (returned; `out` closed too).
  absl::Status Run(size_t batch_bytes, BoundedQueue<DocBatch>* out) {
    absl::Status status = RunFiles(batch_bytes, out);
    if (status.ok() && !stopped_ && !batch_.texts.empty()) out->Push(std::move(batch_));
    out->Close();
    return status;
  }

  size_t skipped() const { return skipped_; }
  // Drops the first n documents (those of the shards an interrupted run finished).
  void SkipDocuments(uint64_t n) { skip_documents_ = n; }

 private:
  struct Field {
    std::string name, pointer;
  };

  absl::Status RunFiles(size_t batch_bytes, BoundedQueue<DocBatch>* out) {
    if (files_.empty()) return RunOne("", "stdin", batch_bytes, out);
    for (const std::string& f : files_) {
      if (absl::Status s = RunOne(f, f, batch_bytes, out); !s.ok()) return s;
      if (stopped_) break;
    }
    return absl::OkStatus();
  }

  // A Parquet file's string column, read by the package's pyarrow helper in a child process
  // (xval/_parquet_lines.py: a JSON string or null a line, a row group at a time).
  absl::Status RunParquet(const std::string& path, size_t batch_bytes,
                          BoundedQueue<DocBatch>* out) {
    const std::string column = fields_.empty() ? "text" : fields_[0].name;
    int pipe_fds[2];
    if (::pipe(pipe_fds) != 0) return absl::InternalError("cannot make a pipe");
    const std::string python = PythonExecutable();
    const pid_t pid = ::fork();
    if (pid == 0) {
      ::dup2(pipe_fds[1], 1);
      ::close(pipe_fds[0]);
      ::close(pipe_fds[1]);
      ::execlp(python.c_str(), python.c_str(), "-m", "xval._parquet_lines", path.c_str(),
               column.c_str(), static_cast<char*>(nullptr));
      std::fprintf(stderr, "%s: cannot run %s for Parquet (XVAL_PYTHON names the Python)\n",
                   path.c_str(), python.c_str());
      ::_exit(127);
    }
    ::close(pipe_fds[1]);
    if (pid < 0) {
      ::close(pipe_fds[0]);
      return absl::InternalError("cannot start the Parquet reader");
    }
    std::unique_ptr<LineStream> input = LineStream::FromFd(pipe_fds[0], path);
    absl::Status status;
    std::vector<std::string> lines;
    size_t row = 0;
    while (status.ok()) {
      absl::StatusOr<bool> more = input->Next(&lines);
      if (!more.ok()) status = more.status();
      if (!status.ok() || !*more) break;
      for (std::string& line : lines) {
        ++row;
        simdjson::padded_string padded(line);
        simdjson::ondemand::document doc;
        std::string_view text;
        if (parser_.iterate(padded).get(doc) || doc.get_string().get(text)) {
          absl::Status bad = absl::InvalidArgumentError(
              absl::StrCat(path, ": row ", row, ": column \"", column, "\" is null"));
          if (!skip_errors_) {
            status = bad;
            break;
          }
          ++skipped_;
          continue;
        }
        if (!Add(std::string(text), line.size(), batch_bytes, out)) break;
      }
      if (stopped_) break;
    }
    ::close(pipe_fds[0]);  // a reader still writing gets SIGPIPE and ends
    int wait_status = 0;
    ::waitpid(pid, &wait_status, 0);
    if (status.ok() && !stopped_ && (!WIFEXITED(wait_status) || WEXITSTATUS(wait_status) != 0)) {
      status = absl::InvalidArgumentError(
          absl::StrCat(path, ": the Parquet reader failed (its message is above)"));
    }
    return status;
  }

  absl::Status RunOne(const std::string& path, const std::string& name, size_t batch_bytes,
                      BoundedQueue<DocBatch>* out) {
    if (format_ == "parquet" || fs::path(path).extension() == ".parquet") {
      return RunParquet(path, batch_bytes, out);
    }
    auto input = LineStream::Open(path);
    if (!input.ok()) return input.status();
    const bool jsonl = IsJsonl(path, format_) || (path.empty() && format_ == "jsonl");
    std::vector<std::string> lines;
    std::string whole;  // --per-file
    size_t line_number = 0;
    while (true) {
      absl::StatusOr<bool> more = (*input)->Next(&lines);
      if (!more.ok()) return more.status();
      if (!*more) break;
      for (std::string& line : lines) {
        ++line_number;
        const size_t bytes = line.size() + 1;
        if (per_file_ && !jsonl) {
          absl::StrAppend(&whole, line, "\n");
          continue;
        }
        std::string text;
        absl::Status s = jsonl ? FromJson(line, &text) : CheckUtf8(line);
        if (!s.ok()) {
          s = absl::InvalidArgumentError(absl::StrCat(name, ":", line_number, ": ", s.message()));
          if (!skip_errors_) return s;
          ++skipped_;
          continue;
        }
        if (jsonl && text.empty() && s.ok() &&
            line.find_first_not_of(" \t\r") == std::string::npos) {
          continue;  // a blank line between records
        }
        if (!Add(jsonl ? std::move(text) : std::move(line), bytes, batch_bytes, out)) {
          return absl::OkStatus();  // the encoder or the writer stopped
        }
      }
    }
    if (per_file_ && !jsonl && !whole.empty()) {
      if (absl::Status s = CheckUtf8(whole); !s.ok()) {
        s = absl::InvalidArgumentError(absl::StrCat(name, ": ", s.message()));
        if (!skip_errors_) return s;
        ++skipped_;
        return absl::OkStatus();
      }
      const size_t bytes = whole.size();
      Add(std::move(whole), bytes, batch_bytes, out);  // the file's end either way
    }
    return absl::OkStatus();
  }

  // False when the consumer has stopped.
  bool Add(std::string text, size_t bytes, size_t batch_bytes, BoundedQueue<DocBatch>* out) {
    if (resumed_ < skip_documents_) {  // in a shard a previous run finished
      ++resumed_;
      return true;
    }
    batch_.bytes += bytes;
    batch_.texts.push_back(std::move(text));
    if (batch_.bytes < batch_bytes) return true;
    stopped_ = !out->Push(std::move(batch_));
    batch_ = DocBatch();
    return !stopped_;
  }

  static absl::Status CheckUtf8(const std::string& text) {
    if (simdjson::validate_utf8(text.data(), text.size())) return absl::OkStatus();
    return absl::InvalidArgumentError("invalid UTF-8");
  }

  absl::Status FromJson(const std::string& line, std::string* text) {
    text->clear();
    if (line.find_first_not_of(" \t\r") == std::string::npos) return absl::OkStatus();
    simdjson::padded_string padded(line);
    simdjson::ondemand::document doc;
    if (auto error = parser_.iterate(padded).get(doc); error) {
      return absl::InvalidArgumentError(
          absl::StrCat("not JSON (", simdjson::error_message(error), ")"));
    }
    for (size_t i = 0; i < fields_.size(); ++i) {
      simdjson::ondemand::value value;
      if (auto error = doc.at_pointer(fields_[i].pointer).get(value); error) {
        if (error == simdjson::NO_SUCH_FIELD || error == simdjson::INDEX_OUT_OF_BOUNDS ||
            error == simdjson::INCORRECT_TYPE) {
          return absl::InvalidArgumentError(absl::StrCat("no field \"", fields_[i].name, "\""));
        }
        return absl::InvalidArgumentError(
            absl::StrCat("not JSON (", simdjson::error_message(error), ")"));
      }
      std::string_view s;
      if (value.get_string().get(s)) {
        simdjson::ondemand::json_type type;
        const char* kind = "not a string";
        if (!value.type().get(type)) {
          kind = type == simdjson::ondemand::json_type::number    ? "a number"
                 : type == simdjson::ondemand::json_type::object  ? "an object"
                 : type == simdjson::ondemand::json_type::array   ? "an array"
                 : type == simdjson::ondemand::json_type::boolean ? "a boolean"
                 : type == simdjson::ondemand::json_type::null    ? "null"
                                                                  : "not a string";
        }
        return absl::InvalidArgumentError(
            absl::StrCat("field \"", fields_[i].name, "\" is ", kind, ", not a string"));
      }
      if (i > 0) text->push_back('\n');
      text->append(s.data(), s.size());
    }
    return absl::OkStatus();
  }

  std::vector<std::string> files_;
  std::string format_;
  bool per_file_;
  std::vector<Field> fields_;
  bool skip_errors_;
  simdjson::ondemand::parser parser_;
  DocBatch batch_;
  size_t skipped_ = 0;
  bool stopped_ = false;  // the queue was closed by the other side
  uint64_t skip_documents_ = 0, resumed_ = 0;
};

struct ShardSummary {
  std::string file;
  uint64_t documents, tokens;
};

std::string JsonString(absl::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", static_cast<unsigned char>(c));
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// What decides the output (not --memory-mb): a run is resumed only with the same.
std::string RunSignature(const Flags& flags) {
  std::string s;
  for (const char* name :
       {"tokenizer", "data-dir", "tiktoken-pattern", "tiktoken-special", "digits", "numbers",
        "number-mode", "transform", "number-options", "out-of-range", "precision", "input",
        "format", "field", "on-error", "layout"}) {
    absl::StrAppend(&s, name, "=", flags.String(name), ";");
  }
  for (const char* name : {"max-digits", "shard-tokens"}) {
    absl::StrAppend(&s, name, "=", flags.Int(name), ";");
  }
  for (const char* name :
       {"per-file", "add-bos", "add-eos", "add-special-tokens", "no-parse-special"}) {
    absl::StrAppend(&s, name, "=", flags.Bool(name), ";");
  }
  return s;
}

// The shards of an interrupted run in `dir` with the same signature, each checked whole (a
// missing or changed one, and those after it, are encoded again). None for a fresh folder.
absl::StatusOr<std::vector<ShardSummary>> ResumableShards(const std::string& dir,
                                                          const std::string& signature,
                                                          bool megatron, uint32_t id_bytes) {
  std::vector<ShardSummary> shards;
  const std::string path = dir + "/manifest.json";
  std::error_code ec;
  if (!fs::exists(path, ec)) return shards;
  simdjson::padded_string json;
  if (simdjson::padded_string::load(path).get(json)) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": cannot be read"));
  }
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  std::string_view run;
  bool complete = false;
  simdjson::dom::array list;
  if (parser.parse(json).get(root) || root["run"].get(run) || root["complete"].get(complete) ||
      root["shards"].get(list)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--output: ", path, " is not a manifest of xval encode's"));
  }
  if (run != signature) {
    return absl::InvalidArgumentError(
        absl::StrCat("--output: ", dir,
                     " holds the shards of a run with other inputs or flags (another "
                     "folder, or remove it)"));
  }
  if (complete) {
    return absl::AlreadyExistsError(
        absl::StrCat("--output: ", dir, " already holds this run, complete"));
  }
  for (simdjson::dom::element item : list) {
    std::string_view file;
    uint64_t documents = 0, tokens = 0;
    if (item["file"].get(file) || item["documents"].get(documents) || item["tokens"].get(tokens)) {
      break;
    }
    const std::string path = absl::StrCat(dir, "/", std::string(file));
    if (megatron) {
      if (!data::CheckMegatronPair(path, documents, tokens, id_bytes).ok()) break;
    } else {
      auto reader = data::ShardReader::Open(path);
      if (!reader.ok() || (*reader)->documents() != documents || (*reader)->tokens() != tokens) {
        break;
      }
    }
    shards.push_back({std::string(file), documents, tokens});
  }
  return shards;
}

absl::Status WriteManifest(const std::string& dir, const Flags& flags, const Tokenizer& tok,
                           uint32_t id_bytes, bool values, const std::vector<ShardSummary>& shards,
                           bool complete) {
  uint64_t documents = 0, tokens = 0;
  std::vector<std::string> items;
  for (const ShardSummary& s : shards) {
    documents += s.documents;
    tokens += s.tokens;
    items.push_back(absl::StrCat("{\"file\":", JsonString(s.file), ",\"documents\":", s.documents,
                                 ",\"tokens\":", s.tokens, "}"));
  }
  const std::string json = absl::StrCat(
      "{\"format\":\"xval-shards\",\"version\":1,\"tokenizer\":",
      JsonString(flags.String("tokenizer")), ",\"digits\":", JsonString(flags.String("digits")),
      ",\"numbers\":", JsonString(flags.String("numbers")), ",\"vocab_size\":", tok.vocab_size(),
      ",\"id_bytes\":", id_bytes, ",\"values\":", values ? "true" : "false",
      ",\"documents\":", documents, ",\"tokens\":", tokens,
      ",\"complete\":", complete ? "true" : "false", ",\"run\":", JsonString(RunSignature(flags)),
      ",\"shards\":[", absl::StrJoin(items, ","), "]}\n");
  const std::string path = dir + "/manifest.json", tmp = path + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr || std::fwrite(json.data(), 1, json.size(), f) != json.size() ||
      std::fclose(f) != 0 || std::rename(tmp.c_str(), path.c_str()) != 0) {
    return absl::DataLossError(absl::StrCat(path, ": cannot be written"));
  }
  return absl::OkStatus();
}

absl::Status Encode(const Flags& flags) {
  auto tok = LoadTokenizerFromFlags(flags, flags.String("tokenizer"));
  if (!tok.ok()) return ForFlag(flags, "tokenizer", tok.status());
  const std::string dir = flags.String("output");
  if (dir.empty()) return absl::InvalidArgumentError("--output: the folder for the shards");
  const std::string on_error = flags.String("on-error");
  if (on_error != "fail" && on_error != "skip") {
    return absl::InvalidArgumentError("--on-error: fail or skip");
  }
  const std::string format = flags.String("format");
  if (format != "auto" && format != "text" && format != "jsonl" && format != "parquet") {
    return absl::InvalidArgumentError("--format: auto, text, jsonl or parquet");
  }
  if (flags.Int("memory-mb") < 160) {
    return absl::InvalidArgumentError(
        "--memory-mb: at least 160 (the tokenizer and the threads "
        "take about 110 MB)");
  }
  if (flags.Int("shard-tokens") < 1)
    return absl::InvalidArgumentError("--shard-tokens: at least 1");
  auto files = InputFiles(flags.String("input"));
  if (!files.ok()) return files.status();
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return absl::InvalidArgumentError(absl::StrCat("--output: ", dir, ": ", ec.message()));

  const bool values = dynamic_cast<const XvalTokenizer*>(tok->get()) != nullptr;
  const uint32_t id_bytes = (*tok)->vocab_size() <= 65536 ? 2 : 4;
  EncodeOptions options = EncodeOptionsFromFlags(flags);
  options.add_eos = flags.Bool("add-eos");
  options.ids_only = !values;
  // The process's peak memory within --memory-mb: about 110 MB go to the tokenizer, the
  // libraries and the threads' scratch; each MB of batch costs up to 16 MB in flight (the text
  // batches queued and being read, the encodings queued and being written, with their
  // allocations), about three times that with xVal's values and offsets (docs/benchmarks.md).
  const size_t memory = static_cast<size_t>(flags.Int("memory-mb")) << 20;
  const size_t batch_bytes = std::max<size_t>(1 << 20, (memory - (128 << 20)) / (values ? 48 : 16));
  const uint64_t shard_tokens = static_cast<uint64_t>(flags.Int("shard-tokens"));
  uint64_t total_input = 0;
  for (const std::string& f : *files) total_input += fs::file_size(f, ec);

  const bool megatron = flags.String("layout") == "megatron";
  if (!megatron && flags.String("layout") != "xval") {
    return absl::InvalidArgumentError("--layout: xval or megatron");
  }
  if (megatron && values) {
    return absl::InvalidArgumentError(
        "--layout megatron: Megatron's indexed dataset has no values; xVal needs --layout xval");
  }
  auto resumed = ResumableShards(dir, RunSignature(flags), megatron, id_bytes);
  if (!resumed.ok()) return resumed.status();
  uint64_t resumed_documents = 0;
  for (const ShardSummary& s : *resumed) resumed_documents += s.documents;
  std::vector<std::string> fields = absl::StrSplit(flags.String("field"), ',', absl::SkipEmpty());
  DocumentReader reader(*files, format, flags.Bool("per-file"), fields, on_error == "skip");
  reader.SkipDocuments(resumed_documents);
  BoundedQueue<DocBatch> to_encode(2);
  BoundedQueue<EncodedBatch> to_write(2);
  absl::Status read_status, write_status;
  std::thread read_thread([&] { read_status = reader.Run(batch_bytes, &to_encode); });

  std::vector<ShardSummary> shards = *resumed;
  std::atomic<bool> input_failed{false};  // set before to_write closes
  std::thread write_thread([&] {
    std::unique_ptr<data::TokenSink> shard;
    auto fail = [&](absl::Status s) {
      write_status = std::move(s);
      to_write.Close();
      to_encode.Close();
    };
    while (std::optional<EncodedBatch> batch = to_write.Pop()) {
      const BatchEncoding& e = batch->encoding;
      for (size_t d = 0; d < e.num_texts();) {
        if (shard == nullptr) {
          const std::string name =
              absl::StrFormat(megatron ? "shard-%05d" : "shard-%05d.xvt", shards.size());
          if (megatron) {
            auto created = data::MegatronWriter::Create(dir + "/" + name, id_bytes);
            if (!created.ok()) return fail(created.status());
            shard = *std::move(created);
          } else {
            auto created = data::ShardWriter::Create(dir + "/" + name, id_bytes, values);
            if (!created.ok()) return fail(created.status());
            shard = *std::move(created);
          }
          shards.push_back({name, 0, 0});
        }
        // Documents up to the first one that reaches shard_tokens.
        size_t last = d;
        uint64_t tokens = shard->tokens();
        while (last < e.num_texts() && tokens < shard_tokens) {
          tokens += e.row_splits[last + 1] - e.row_splits[last];
          ++last;
        }
        if (absl::Status s = shard->Append(e, d, last); !s.ok()) return fail(s);
        d = last;
        if (shard->tokens() >= shard_tokens) {
          shards.back().documents = shard->documents();
          shards.back().tokens = shard->tokens();
          if (absl::Status s = shard->Close(); !s.ok()) return fail(s);
          shard.reset();
          if (absl::Status s = WriteManifest(dir, flags, **tok, id_bytes, values, shards, false);
              !s.ok()) {
            return fail(s);
          }
        }
      }
    }
    if (input_failed) {  // a shard cut short is dropped: a resumed run writes it whole
      if (shard != nullptr) shards.pop_back();
      shard.reset();
    } else if (shard != nullptr && shard->documents() > 0) {
      shards.back().documents = shard->documents();
      shards.back().tokens = shard->tokens();
      if (absl::Status s = shard->Close(); !s.ok()) return fail(s);
    } else if (shard != nullptr) {
      shards.pop_back();
    }
  });

  const bool tty = ::isatty(2);
  const auto start = std::chrono::steady_clock::now();
  auto last_draw = start;
  size_t bytes = 0, documents = 0, tokens = 0;
  absl::Status encode_status;
  while (std::optional<DocBatch> batch = to_encode.Pop()) {
    const std::vector<absl::string_view> texts(batch->texts.begin(), batch->texts.end());
    absl::StatusOr<BatchEncoding> encoded = (*tok)->EncodeBatchFlat(texts, options);
    if (!encoded.ok()) {
      encode_status = encoded.status();
      to_encode.Close();
      break;
    }
    bytes += batch->bytes;
    documents += texts.size();
    tokens += encoded->ids.size();
    to_write.Push({*std::move(encoded), batch->bytes});
    const auto now = std::chrono::steady_clock::now();
    if (tty && now - last_draw > std::chrono::milliseconds(200)) {
      last_draw = now;
      const double s = std::chrono::duration<double>(now - start).count();
      const double rate = bytes / s / 1e6;
      std::string eta = "";
      if (total_input > bytes && rate > 0) {
        eta = absl::StrFormat("  ETA %.0f s", (total_input - bytes) / 1e6 / rate);
      }
      std::fprintf(stderr, "\r\033[K%.1f MB  %zu documents  %zu tokens  %.1f MB/s%s", bytes / 1e6,
                   documents, tokens, rate, eta.c_str());
    }
  }
  read_thread.join();
  input_failed = !read_status.ok() || !encode_status.ok();
  to_write.Close();
  write_thread.join();
  if (tty) std::fprintf(stderr, "\r\033[K");
  for (const absl::Status& s : {read_status, encode_status, write_status}) {
    if (!s.ok()) {
      // The shards closed so far stay, listed as an incomplete run; no half shard remains.
      WriteManifest(dir, flags, **tok, id_bytes, values, shards, false).IgnoreError();
      return s;
    }
  }
  if (absl::Status s = WriteManifest(dir, flags, **tok, id_bytes, values, shards, true); !s.ok()) {
    return s;
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::fprintf(
      stderr,
      "xval encode: %zu documents, %zu tokens from %.1f MB in %.2f s (%.1f MB/s) into %zu "
      "shard%s in %s%s\n",
      documents, tokens, bytes / 1e6, s, bytes / 1e6 / (s > 0 ? s : 1), shards.size(),
      shards.size() == 1 ? "" : "s", dir.c_str(),
      absl::StrCat(reader.skipped() ? absl::StrCat("; ", reader.skipped(), " skipped") : "",
                   resumed->empty() ? ""
                                    : absl::StrCat("; resumed after ", resumed_documents,
                                                   " documents in ", resumed->size(), " shards"))
          .c_str());
  return absl::OkStatus();
}

}  // namespace

Command EncodeCommand() {
  Command c;
  c.name = "encode";
  c.summary =
      "a corpus (text, JSON Lines, Parquet) to token shards for training, streaming on every core";
  c.description =
      "Reads --input (files, folders, globs, comma-separated; stdin when empty): text files give "
      "a document per line (--per-file: per file), JSON Lines the --field values of each record "
      "(nested keys with dots, several joined by newlines, multi-line values intact), Parquet "
      "the --field string column (read with pyarrow in the package's Python). Writes "
      "shards (docs/shards.md: ids as uint16 when the vocabulary fits, else uint32; document "
      "bounds; xVal values) and manifest.json into --output. Memory stays within --memory-mb "
      "whatever the input size; a progress line on a terminal, a summary on stderr.";
  c.flags = TokenizerFlags(/*with_path=*/true);
  std::vector<FlagSpec> rest = {
      {"input", Kind::kString, "", "files, folders or globs, comma-separated (default: stdin)"},
      {"output", Kind::kString, "", "the folder for the shards and manifest.json"},
      {"format", Kind::kString, "auto", "auto (by extension), text, jsonl or parquet"},
      {"layout", Kind::kString, "xval",
       "xval (docs/shards.md), or megatron: each shard a Megatron-LM indexed dataset "
       "(shard-N.bin + shard-N.idx)"},
      {"field", Kind::kString, "text",
       "JSON Lines fields, comma-separated (nested: a.b); a Parquet file's string column"},
      {"per-file", Kind::kBool, "false", "a text file is one document"},
      {"shard-tokens", Kind::kInt, "100000000", "tokens after which a shard ends"},
      {"memory-mb", Kind::kInt, "256",
       "the process's peak memory, about (at least 160; the batches in flight get what the "
       "tokenizer and threads leave)"},
      {"on-error", Kind::kString, "fail",
       "fail, or skip (and count) a record that is not JSON, lacks a field or is not UTF-8"},
      {"add-eos", Kind::kBool, "false", "append EOS to each document"},
  };
  c.flags.insert(c.flags.end(), rest.begin(), rest.end());
  const std::vector<FlagSpec> special = SpecialTokenFlags();
  c.flags.insert(c.flags.end(), special.begin(), special.end());
  c.run = Encode;
  return c;
}

}  // namespace xval::cli
