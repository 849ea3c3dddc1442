// The decoders of a tokenizer.json (tokenizers decoders/): each rewrites the tokens' texts on
// the way back to text, in a chain; the results are joined.
#include "text/bytelevel/bytelevel_loader.h"
#include "text/bytelevel/utf8_replace.h"
#include "text/hf/regex.h"
#include "text/hf/stages.h"
#include "util/status_macros.h"

namespace xval::text::hf {

namespace {

void ReplaceAll(std::string* s, absl::string_view from, absl::string_view to) {
  std::string out;
  size_t done = 0;
  for (size_t at = s->find(from.data(), 0, from.size()); at != std::string::npos;
       at = s->find(from.data(), at + from.size(), from.size())) {
    out.append(*s, done, at - done);
    out.append(to.data(), to.size());
    done = at + from.size();
  }
  if (done == 0) return;
  out.append(*s, done, std::string::npos);
  *s = std::move(out);
}

class ByteLevelDecoder : public Decoder {
 public:
  void Decode(std::vector<std::string>* tokens) const override {
    std::string bytes, token_bytes;
    for (const std::string& t : *tokens) {
      // A token outside the byte-level alphabet: its bytes as they are.
      bytes += ByteLevelAlphabetToBytes(t, &token_bytes) ? token_bytes : t;
    }
    *tokens = {Utf8Replace(bytes)};
  }
};

class MetaspaceDecoder : public Decoder {
 public:
  MetaspaceDecoder(std::string replacement, bool drop_first)
      : replacement_(std::move(replacement)), drop_first_(drop_first) {}
  void Decode(std::vector<std::string>* tokens) const override {
    for (size_t i = 0; i < tokens->size(); ++i) {
      // tokenizers drops every replacement of the first token, not only the leading one.
      ReplaceAll(&(*tokens)[i], replacement_, i == 0 && drop_first_ ? "" : " ");
    }
  }

 private:
  std::string replacement_;
  bool drop_first_;
};

class WordPieceDecoder : public Decoder {
 public:
  enum class Kind { kWordPiece, kBpe, kCtc };
  WordPieceDecoder(Kind kind, std::string a, std::string b, bool cleanup)
      : kind_(kind), a_(std::move(a)), b_(std::move(b)), cleanup_(cleanup) {}

  void Decode(std::vector<std::string>* tokens) const override {
    std::vector<std::string>& t = *tokens;
    if (kind_ == Kind::kBpe) {  // a_: the end-of-word suffix
      for (size_t i = 0; i < t.size(); ++i) ReplaceAll(&t[i], a_, i + 1 == t.size() ? "" : " ");
      return;
    }
    if (kind_ == Kind::kCtc) {  // a_: the pad token, b_: the word delimiter
      std::vector<std::string> out;
      for (size_t i = 0; i < t.size(); ++i) {
        if ((i > 0 && t[i] == t[i - 1]) || t[i] == a_) continue;
        std::string s = t[i];
        ReplaceAll(&s, b_, " ");
        if (cleanup_) Cleanup(&s);
        out.push_back(std::move(s));
      }
      t = std::move(out);
      return;
    }
    for (size_t i = 0; i < t.size(); ++i) {  // a_: the continuing-subword prefix
      if (i > 0) {
        if (t[i].compare(0, a_.size(), a_) == 0) {
          t[i].erase(0, a_.size());
        } else {
          t[i].insert(0, " ");
        }
      }
      if (cleanup_) Cleanup(&t[i]);
    }
  }

 private:
  // tokenizers' decoders/wordpiece.rs cleanup: spaces before punctuation and contractions.
  static void Cleanup(std::string* s) {
    static const std::pair<const char*, const char*> kRules[] = {
        {" .", "."},   {" ?", "?"},     {" !", "!"},    {" ,", ","},
        {" ' ", "'"},  {" n't", "n't"}, {" 'm", "'m"},  {" do not", " don't"},
        {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"}};
    for (const auto& [from, to] : kRules) ReplaceAll(s, from, to);
  }

  Kind kind_;
  std::string a_, b_;
  bool cleanup_;
};

class TextDecoder : public Decoder {
 public:
  enum class Kind { kByteFallback, kFuse, kStrip, kReplace };
  explicit TextDecoder(Kind kind) : kind_(kind) {}
  bool ReadsByteRuns() const override { return kind_ == Kind::kByteFallback; }
  std::string content;
  size_t start = 0, stop = 0;
  std::unique_ptr<Regex> pattern;

  void Decode(std::vector<std::string>* tokens) const override {
    std::vector<std::string>& t = *tokens;
    switch (kind_) {
      case Kind::kFuse: {
        std::string all;
        for (const std::string& s : t) all += s;
        t = {std::move(all)};
        return;
      }
      case Kind::kStrip:
        for (std::string& s : t) {
          size_t b = 0, e = s.size();
          for (size_t k = 0; k < start && s.compare(b, content.size(), content) == 0 && b < e;
               ++k) {
            b += content.size();
          }
          for (size_t k = 0; k < stop && e >= b + content.size() &&
                             s.compare(e - content.size(), content.size(), content) == 0;
               ++k) {
            e -= content.size();
          }
          s = s.substr(b, e - b);
        }
        return;
      case Kind::kReplace:
        for (std::string& s : t) {
          std::vector<std::pair<size_t, size_t>> matches;
          pattern->FindAll(s, &matches);
          std::string out;
          size_t done = 0;
          for (const auto& [b, e] : matches) {
            if (e == b) continue;
            out.append(s, done, b - done);
            out += content;
            done = e;
          }
          out.append(s, done, std::string::npos);
          s = std::move(out);
        }
        return;
      case Kind::kByteFallback: {
        std::vector<std::string> out;
        std::string bytes;
        size_t count = 0;
        auto flush = [&] {
          if (count == 0) return;
          const std::string text = Utf8Replace(bytes);
          if (text == bytes) {
            out.push_back(bytes);
          } else {
            for (size_t k = 0; k < count; ++k) out.push_back("\xEF\xBF\xBD");
          }
          bytes.clear();
          count = 0;
        };
        for (const std::string& s : t) {
          unsigned value;
          if (s.size() == 6 && s.compare(0, 3, "<0x") == 0 && s[5] == '>' &&
              std::sscanf(s.c_str() + 3, "%2X", &value) == 1 &&
              std::isxdigit(static_cast<unsigned char>(s[3])) &&
              std::isxdigit(static_cast<unsigned char>(s[4]))) {
            bytes.push_back(static_cast<char>(value));
            ++count;
          } else {
            flush();
            out.push_back(s);
          }
        }
        flush();
        t = std::move(out);
        return;
      }
    }
  }

 private:
  Kind kind_;
};

class Chain : public Decoder {
 public:
  explicit Chain(std::vector<std::unique_ptr<Decoder>> stages) : stages_(std::move(stages)) {}
  void Decode(std::vector<std::string>* tokens) const override {
    for (const auto& s : stages_) s->Decode(tokens);
  }
  bool ReadsByteRuns() const override {
    for (const auto& s : stages_) {
      if (s->ReadsByteRuns()) return true;
    }
    return false;
  }

 private:
  std::vector<std::unique_ptr<Decoder>> stages_;
};

}  // namespace

DecoderPtr MakeByteLevelDecoder(const StageJson&) {
  return std::unique_ptr<Decoder>(new ByteLevelDecoder());
}

DecoderPtr MakeMetaspaceDecoder(const StageJson& json) {
  const std::string_view scheme = OptString(json.json, "prepend_scheme");
  const bool drop_first =
      scheme.empty() ? OptBool(json.json, "add_prefix_space", true) : scheme != "never";
  return std::unique_ptr<Decoder>(new MetaspaceDecoder(
      std::string(OptString(json.json, "replacement", "\xE2\x96\x81")), drop_first));
}

DecoderPtr MakeWordPieceDecoder(const StageJson& json) {
  const std::string_view type = OptString(json.json, "type");
  const bool cleanup = OptBool(json.json, "cleanup", true);
  using Kind = WordPieceDecoder::Kind;
  if (type == "BPEDecoder") {
    return std::unique_ptr<Decoder>(new WordPieceDecoder(
        Kind::kBpe, std::string(OptString(json.json, "suffix", "</w>")), "", false));
  }
  if (type == "CTC") {
    return std::unique_ptr<Decoder>(new WordPieceDecoder(
        Kind::kCtc, std::string(OptString(json.json, "pad_token", "<pad>")),
        std::string(OptString(json.json, "word_delimiter_token", "|")), cleanup));
  }
  return std::unique_ptr<Decoder>(new WordPieceDecoder(
      Kind::kWordPiece, std::string(OptString(json.json, "prefix", "##")), "", cleanup));
}

DecoderPtr MakeTextDecoder(const StageJson& json) {
  const std::string_view type = OptString(json.json, "type");
  using Kind = TextDecoder::Kind;
  if (type == "ByteFallback") return std::unique_ptr<Decoder>(new TextDecoder(Kind::kByteFallback));
  if (type == "Fuse") return std::unique_ptr<Decoder>(new TextDecoder(Kind::kFuse));
  if (type == "Strip") {
    auto d = std::make_unique<TextDecoder>(Kind::kStrip);
    d->content = std::string(OptString(json.json, "content", " "));
    int64_t start = 0, stop = 0;
    if (json.json["start"].get_int64().get(start) || json.json["stop"].get_int64().get(stop) ||
        start < 0 || stop < 0 || d->content.empty()) {
      return json.file.Error(json.field, "expected a content character and start and stop counts");
    }
    d->start = static_cast<size_t>(start);
    d->stop = static_cast<size_t>(stop);
    return std::unique_ptr<Decoder>(std::move(d));
  }
  auto d = std::make_unique<TextDecoder>(Kind::kReplace);
  ASSIGN_OR_RETURN(Regex pattern, ReadPattern(json));
  d->pattern = std::make_unique<Regex>(std::move(pattern));
  std::string_view content;
  if (json.json["content"].get_string().get(content)) {
    return json.file.Error(json.Field("content"), "expected a string");
  }
  d->content = std::string(content);
  return std::unique_ptr<Decoder>(std::move(d));
}

DecoderPtr MakeDecoderSequence(const StageJson& json) {
  ASSIGN_OR_RETURN(auto stages, MakeStages<Decoder>(json, "decoders", MakeDecoder));
  return std::unique_ptr<Decoder>(new Chain(std::move(stages)));
}

}  // namespace xval::text::hf
