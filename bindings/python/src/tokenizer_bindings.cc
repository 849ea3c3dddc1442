// xval.Tokenizer and xval.Encoding: numpy arrays without copies, batches with padding and
// attention masks encoded with the GIL released on every core, pickling by reloading.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <climits>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "number_bindings.h"
#include "status.h"
#include "text_views.h"
#include "xval/numbers.h"
#include "xval/tiktoken.h"
#include "xval/tokenizer.h"
#include "xval/xval_tokenizer.h"

namespace py = pybind11;

namespace xval::python {
namespace {

// The text of a token: an added token's content, else its piece.
std::string TokenText(const Tokenizer& tok, int32_t id) {
  for (const AddedToken& a : tok.added_tokens()) {
    if (a.id == id) return a.content;
  }
  return ValueOrThrow(tok.IdToPiece(id));
}

// The padding token by content on a tokenizer loaded from memory (as the configuration file
// beside the original named it).
void SetPadTokenIfAny(const std::string& content, Tokenizer* tok) {
  if (!content.empty()) ThrowIfError(SetPadToken(content, tok));
}

absl::StatusOr<std::string> ReadFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(path + ": cannot be read to pickle the tokenizer");
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// A numpy view of `data` that keeps `owner` (the Python object holding the memory) alive.
template <typename T>
py::array_t<T> View(const T* data, std::vector<py::ssize_t> shape, py::handle owner) {
  return py::array_t<T>(std::move(shape), data, owner);
}

template <typename Offsets>  // a vector of Offset, whatever its allocator
py::array OffsetsView(const Offsets& offsets, py::handle owner) {
  static_assert(sizeof(Offset) == 2 * sizeof(uint32_t));
  return View(reinterpret_cast<const uint32_t*>(offsets.data()),
              {static_cast<py::ssize_t>(offsets.size()), 2}, owner);
}

// What a tokenizer was made from, so that a copy can be made in another process (pickle).
struct Recipe {
  std::string source;  // a path or a tiktoken name
  std::string data_dir;
  std::string digits = "none";
  std::string numbers = "none";          // "xval": every number one [NUM] with its value
  std::string number_mode = "standard";  // or "paper": the xVal reference code's rules
  std::string transform = "identity";    // ValueTransform::Parse's spec
  std::vector<AddedToken> added;
  // A tiktoken rank file's pattern and special tokens (content, id), when the caller names them.
  std::string tiktoken_pattern;
  std::vector<std::pair<std::string, int32_t>> tiktoken_special;
  // A pickled copy: the file's bytes (loaded from memory rather than from `source`, which may
  // be gone), and the padding token its tokenizer_config.json named (none there then).
  std::string content;
  std::string pad_token;
  // The rest of the xVal options, as from_file's keywords name them (XvalOptionNames).
  std::string number_options;
  std::string out_of_range;
  int max_digits = 0;
  std::string precision;
};

class PyTokenizer {
 public:
  static std::shared_ptr<PyTokenizer> Make(Recipe recipe) {
    // An absolute path, so that a pickled copy loads in a process with another working folder.
    if (char* real = realpath(recipe.source.c_str(), nullptr)) {
      recipe.source = real;
      free(real);
    }
    TokenizerOptions options;
    options.digits = ValueOrThrow(DigitSplit::Parse(recipe.digits));
    options.data_dir = recipe.data_dir;
    options.tiktoken_pattern = recipe.tiktoken_pattern;
    for (const auto& [content, id] : recipe.tiktoken_special) {
      options.tiktoken_special_tokens.push_back(AddedToken{content, id, /*special=*/true});
    }
    const bool from_memory = !recipe.content.empty();
    std::unique_ptr<Tokenizer> tok;
    if (recipe.numbers == "xval") {
      XvalOptionNames names;
      names.mode = recipe.number_mode;
      names.transform = recipe.transform;
      names.number_options = recipe.number_options;
      names.out_of_range = recipe.out_of_range;
      names.max_digits = recipe.max_digits;
      names.precision = recipe.precision;
      const XvalOptions xo = ValueOrThrow(ParseXvalOptions(names));
      if (from_memory) {
        std::unique_ptr<Tokenizer> base =
            ValueOrThrow(LoadBaseTokenizerFromMemory(recipe.content, recipe.source, options));
        SetPadTokenIfAny(recipe.pad_token, base.get());
        tok = ValueOrThrow(XvalTokenizer::Create(std::move(base), xo));
      } else {
        tok = ValueOrThrow(LoadXvalTokenizer(recipe.source, options, xo));
      }
    } else if (recipe.numbers == "none") {
      tok =
          ValueOrThrow(from_memory ? LoadTokenizerFromMemory(recipe.content, recipe.source, options)
                                   : LoadTokenizer(recipe.source, options));
      if (from_memory) SetPadTokenIfAny(recipe.pad_token, tok.get());
    } else {
      throw py::value_error("numbers must be \"none\" or \"xval\"");
    }
    if (!recipe.added.empty()) ThrowIfError(tok->AddTokens(recipe.added));
    auto py_tok = std::make_shared<PyTokenizer>();
    py_tok->tok_ = std::shared_ptr<Tokenizer>(std::move(tok));
    py_tok->recipe_ = std::move(recipe);
    return py_tok;
  }

  std::shared_ptr<Encoding> Encode(const std::string& text, bool add_bos, bool add_eos,
                                   bool add_special_tokens, bool parse_special) const {
    const EncodeOptions options = Options(add_bos, add_eos, add_special_tokens, parse_special);
    absl::StatusOr<Encoding> e;
    {
      const std::shared_ptr<const Tokenizer> tok = tok_;  // taken under the GIL (add_tokens)
      py::gil_scoped_release release;
      e = tok->Encode(text, options);
    }
    return std::make_shared<Encoding>(ValueOrThrow(std::move(e)));
  }

  // Hugging Face's habits. Without padding (the default) and without return_tensors: a list of
  // Encodings, as tokenizers' encode_batch. With padding True / "longest" / "max_length" or
  // return_tensors: a dict of [batch, length] arrays, as transformers' tokenizer call, with
  // truncation to max_length, right padding with pad_id (the tokenizer's padding token when not
  // given), attention_mask 1 on real tokens.
  py::object EncodeBatch(const py::sequence& texts, py::object padding, bool truncation,
                         std::optional<size_t> max_length, bool add_bos, bool add_eos,
                         py::object return_tensors_arg, std::optional<int32_t> pad_id_arg,
                         bool add_special_tokens, bool parse_special, size_t threads) const {
    std::string pad_mode = "longest";
    if (padding.is_none() || (py::isinstance<py::bool_>(padding) && !padding.cast<bool>())) {
      pad_mode = "none";
    } else if (py::isinstance<py::str>(padding)) {
      pad_mode = padding.cast<std::string>();
    }
    if (pad_mode != "none" && pad_mode != "longest" && pad_mode != "max_length") {
      throw py::value_error("padding must be False, True, \"longest\" or \"max_length\"");
    }
    if (pad_mode == "none" && return_tensors_arg.is_none() && !truncation) {
      return EncodeList(texts, Options(add_bos, add_eos, add_special_tokens, parse_special),
                        threads);
    }
    const std::string return_tensors =
        return_tensors_arg.is_none() ? "np" : return_tensors_arg.cast<std::string>();
    if ((pad_mode == "max_length" || truncation) && !max_length) {
      throw py::value_error("max_length is needed for padding=\"max_length\" and truncation");
    }
    if (return_tensors != "np" && return_tensors != "pt") {
      throw py::value_error("return_tensors must be \"np\" or \"pt\"");
    }
    const EncodeOptions options = Options(add_bos, add_eos, add_special_tokens, parse_special);
    const TextViews utf8(texts, threads);
    absl::StatusOr<BatchEncoding> flat;
    {
      const std::shared_ptr<const Tokenizer> tok = tok_;  // taken under the GIL (add_tokens)
      py::gil_scoped_release release;
      flat = tok->EncodeBatchFlat(utf8.views(), options, threads);
    }
    BatchEncoding batch = ValueOrThrow(std::move(flat));
    const size_t n = batch.num_texts();
    auto row_length = [&](size_t i) {
      size_t len = batch.row_splits[i + 1] - batch.row_splits[i];
      return truncation ? std::min(len, *max_length) : len;
    };
    size_t width = 0;
    for (size_t i = 0; i < n; ++i) width = std::max(width, row_length(i));
    if (pad_mode == "max_length") width = std::max(width, *max_length);
    if (pad_mode == "none") {
      for (size_t i = 0; i < n; ++i) {
        if (row_length(i) != width) {
          throw py::value_error(
              "the texts encode to different lengths: ask for padding=True (or \"max_length\")");
        }
      }
    }
    int32_t pad_id = pad_id_arg.value_or(tok_->pad_id());
    if (pad_id < 0) {
      for (size_t i = 0; i < n; ++i) {
        if (row_length(i) < width) {
          throw py::value_error(
              "padding needs a padding token and this tokenizer has none (no pad_token in its "
              "file or tokenizer_config.json): give pad_id=");
        }
      }
    }
    py::array_t<int64_t> ids({n, width});
    py::array_t<float> values({n, width});
    py::array_t<int64_t> mask({n, width});
    py::array_t<uint32_t> offsets({n, width, size_t{2}});
    {
      auto id = ids.mutable_unchecked<2>();
      auto val = values.mutable_unchecked<2>();
      auto m = mask.mutable_unchecked<2>();
      auto off = offsets.mutable_unchecked<3>();
      py::gil_scoped_release release;
      for (size_t i = 0; i < n; ++i) {
        const size_t begin = batch.row_splits[i], len = row_length(i);
        for (size_t t = 0; t < width; ++t) {
          const bool real = t < len;
          id(i, t) = real ? batch.ids[begin + t] : pad_id;
          val(i, t) = real ? batch.values[begin + t] : 1.0f;
          m(i, t) = real ? 1 : 0;
          off(i, t, 0) = real ? batch.offsets[begin + t].begin : 0;
          off(i, t, 1) = real ? batch.offsets[begin + t].end : 0;
        }
      }
    }
    py::dict out;
    if (return_tensors == "pt") {
      py::object torch = py::module_::import("torch");
      out["input_ids"] = torch.attr("from_numpy")(ids);
      out["values"] = torch.attr("from_numpy")(values);
      out["attention_mask"] = torch.attr("from_numpy")(mask);
      out["offsets"] = torch.attr("from_numpy")(offsets.attr("astype")("int64"));
    } else {
      out["input_ids"] = ids;
      out["values"] = values;
      out["attention_mask"] = mask;
      out["offsets"] = offsets;
    }
    return out;
  }

  static EncodeOptions Options(bool add_bos, bool add_eos, bool add_special_tokens,
                               bool parse_special) {
    EncodeOptions options;
    options.add_bos = add_bos;
    options.add_eos = add_eos;
    options.add_special_tokens = add_special_tokens;
    options.parse_special = parse_special;
    return options;
  }

  py::list EncodeList(const py::sequence& texts, const EncodeOptions& options,
                      size_t threads) const {
    const TextViews utf8(texts, threads);
    absl::StatusOr<std::vector<Encoding>> batch;
    {
      const std::shared_ptr<const Tokenizer> tok = tok_;  // taken under the GIL (add_tokens)
      py::gil_scoped_release release;
      batch = tok->EncodeBatch(utf8.views(), options, threads);
    }
    std::vector<Encoding> encodings = ValueOrThrow(std::move(batch));
    py::list out(encodings.size());
    for (size_t i = 0; i < encodings.size(); ++i) {
      out[i] = py::cast(std::make_shared<Encoding>(std::move(encodings[i])));
    }
    return out;
  }

  // The whole batch in four arrays (a ragged tensor): text i has tokens
  // [row_splits[i], row_splits[i + 1]) of ids, values and offsets. No per-text objects.
  // ids_only: values and offsets are None (not computed).
  py::tuple EncodeBatchFlat(const py::sequence& texts, bool add_bos, bool add_eos, bool ids_only,
                            bool add_special_tokens, bool parse_special, size_t threads) const {
    EncodeOptions options = Options(add_bos, add_eos, add_special_tokens, parse_special);
    options.ids_only = ids_only;
    const TextViews utf8(texts, threads);
    absl::StatusOr<BatchEncoding> flat;
    {
      const std::shared_ptr<const Tokenizer> tok = tok_;  // taken under the GIL (add_tokens)
      py::gil_scoped_release release;
      flat = tok->EncodeBatchFlat(utf8.views(), options, threads);
    }
    auto* batch = new BatchEncoding(ValueOrThrow(std::move(flat)));
    py::capsule owner(batch, [](void* p) { delete static_cast<BatchEncoding*>(p); });
    const auto n = static_cast<py::ssize_t>(batch->ids.size());
    static_assert(sizeof(size_t) == sizeof(uint64_t));
    py::object row_splits =
        View(reinterpret_cast<const uint64_t*>(batch->row_splits.data()),
             {static_cast<py::ssize_t>(batch->row_splits.size())}, owner);
    py::object ids = View(batch->ids.data(), {n}, owner);
    if (ids_only) return py::make_tuple(ids, py::none(), py::none(), row_splits);
    return py::make_tuple(ids, View(batch->values.data(), {n}, owner),
                          OffsetsView(batch->offsets, owner), row_splits);
  }

  // With xVal numbers and `values`, each [NUM] prints as the shortest decimal of its value
  // (after the inverse transform); without values it prints as the token.
  std::string Decode(const std::vector<int32_t>& ids,
                     const std::optional<std::vector<float>>& values) const {
    const std::shared_ptr<const Tokenizer> tok = tok_;  // taken under the GIL (add_tokens)
    const auto* xval_tok = dynamic_cast<const XvalTokenizer*>(tok.get());
    if (values && values->size() != ids.size()) {
      throw py::value_error("decode: one value per id");
    }
    absl::StatusOr<std::string> text;
    {
      py::gil_scoped_release release;
      text = (values && xval_tok != nullptr) ? xval_tok->DecodeWithValues(ids, *values)
                                             : tok->Decode(ids);
    }
    return ValueOrThrow(std::move(text));
  }

  // Copy on write: the tokenizer other threads may be encoding with (the GIL released) is
  // never changed; a new one is made from the recipe with the tokens added, and replaces it
  // under the GIL. Calls in flight finish on the old one.
  void AddTokens(const std::vector<std::string>& contents, bool special) {
    Recipe recipe = recipe_;
    for (const std::string& c : contents) recipe.added.push_back(AddedToken{c, -1, special});
    std::shared_ptr<PyTokenizer> fresh = Make(std::move(recipe));
    tok_ = fresh->tok_;
    recipe_ = fresh->recipe_;
  }

  const Tokenizer& tokenizer() const { return *tok_; }
  std::shared_ptr<const Tokenizer> shared_tokenizer() const { return tok_; }
  // The xVal tokenizer, for calls only it has (ValueError otherwise).
  const XvalTokenizer& xval(const char* call) const {
    const auto* x = dynamic_cast<const XvalTokenizer*>(tok_.get());
    if (x == nullptr) {
      throw py::value_error(std::string(call) + " is for xVal tokenizers (numbers=\"xval\")");
    }
    return *x;
  }
  const Recipe& recipe() const { return recipe_; }
  // The grammar numbers are read with: an xVal tokenizer's own, else the standard one.
  NumberScanOptions NumberScan() const {
    const auto* x = dynamic_cast<const XvalTokenizer*>(tok_.get());
    return x != nullptr ? x->options().numbers : NumberScanOptions{};
  }

  // The recipe a pickle holds: the file's bytes with it (read now, unless they travelled
  // here), so that the copy loads where the file is not; a tiktoken name (gpt2, cl100k_base,
  // ...) stays a name, and so does a file over kMaxPickledFile (a GGUF model's weights are not
  // copied into every DataLoader worker). The padding token goes along by content (a
  // configuration file beside the original named it).
  Recipe PickledRecipe() const {
    static constexpr std::streamoff kMaxPickledFile = std::streamoff{256} << 20;
    Recipe r = recipe_;
    if (r.content.empty() && r.source.find('/') != std::string::npos &&
        std::ifstream(r.source, std::ios::binary | std::ios::ate).tellg() <= kMaxPickledFile) {
      r.content = ValueOrThrow(ReadFileBytes(r.source));
    }
    if (r.pad_token.empty() && tok_->pad_id() >= 0) r.pad_token = TokenText(*tok_, tok_->pad_id());
    return r;
  }

 private:
  std::shared_ptr<Tokenizer> tok_;
  Recipe recipe_;
};

// Lists, tuples, numpy arrays and torch tensors of integers; TypeError for anything else.
std::vector<int32_t> IdsFrom(const py::handle& ids) {
  if (py::isinstance<py::str>(ids) || py::isinstance<py::bytes>(ids)) {
    throw py::type_error("ids must be a sequence of int, not a str");
  }
  std::vector<int64_t> wide;
  try {
    wide = py::hasattr(ids, "tolist") ? ids.attr("tolist")().cast<std::vector<int64_t>>()
                                      : ids.cast<std::vector<int64_t>>();
  } catch (const py::cast_error&) {
    throw py::type_error(std::string("ids must be a sequence of int (list, tuple, numpy array "
                                     "or torch tensor), got ") +
                         Py_TYPE(ids.ptr())->tp_name);
  }
  std::vector<int32_t> out(wide.size());
  for (size_t i = 0; i < wide.size(); ++i) {
    if (wide[i] < INT32_MIN || wide[i] > INT32_MAX) {
      throw py::index_error("id " + std::to_string(wide[i]) + " is outside the vocabulary");
    }
    out[i] = static_cast<int32_t>(wide[i]);
  }
  return out;
}

std::vector<float> ValuesFrom(const py::handle& values) {
  try {
    if (py::hasattr(values, "tolist")) return values.attr("tolist")().cast<std::vector<float>>();
    return values.cast<std::vector<float>>();
  } catch (const py::cast_error&) {
    throw py::type_error(std::string("values must be a sequence of float, got ") +
                         Py_TYPE(values.ptr())->tp_name);
  }
}

// Tokenizer.decode_stream(): the C++ StreamDecoder, as Hugging Face's DecodeStream is used
// (step returns the new text or None). It keeps the tokenizer it was made from alive, even
// when add_tokens later replaces the Tokenizer's own.
class PyDecodeStream {
 public:
  explicit PyDecodeStream(std::shared_ptr<const Tokenizer> tok)
      : tok_(std::move(tok)), decoder_(tok_->NewStreamDecoder()) {}

  py::object Step(int64_t id, float value) {
    if (id < INT32_MIN || id > INT32_MAX) {
      throw py::index_error("decode_stream: id " + std::to_string(id) + " is outside int32");
    }
    text_.clear();
    ThrowIfError(decoder_->Push(static_cast<int32_t>(id), value, &text_));
    if (text_.empty()) return py::none();
    return Str(text_);
  }

  py::str Flush() {
    text_.clear();
    ThrowIfError(decoder_->Flush(&text_));
    return Str(text_);
  }

  void Reset() { decoder_->Reset(); }

 private:
  // The decoders print invalid bytes as U+FFFD, so the text is UTF-8; "replace" makes sure.
  static py::str Str(const std::string& text) {
    PyObject* s =
        PyUnicode_DecodeUTF8(text.data(), static_cast<Py_ssize_t>(text.size()), "replace");
    if (s == nullptr) throw py::error_already_set();
    return py::reinterpret_steal<py::str>(s);
  }

  std::shared_ptr<const Tokenizer> tok_;
  std::unique_ptr<StreamDecoder> decoder_;
  std::string text_;
};

}  // namespace

// tiktoken's allowed_special / disallowed_special: "all", or a collection of token texts.
SpecialTokenSet SpecialTokenSetFrom(py::handle arg, const char* name) {
  SpecialTokenSet set;
  if (py::isinstance<py::str>(arg)) {
    if (arg.cast<std::string>() != "all") {
      throw py::value_error(std::string(name) + " must be \"all\" or a collection of strings");
    }
    set.all = true;
    return set;
  }
  for (py::handle t : py::iter(arg)) {
    if (!py::isinstance<py::str>(t)) {
      throw py::type_error(std::string(name) + " must be \"all\" or a collection of strings");
    }
    set.tokens.push_back(t.cast<std::string>());
  }
  return set;
}

void BindTokenizer(py::module_& m) {
  BindNumberInfo(m);
  // dynamic_attr: encode(number_info=True) sets `numbers` (an xval.NumberInfo) on it.
  py::class_<Encoding, std::shared_ptr<Encoding>>(
      m, "Encoding", "The tokens of one text: ids, values, offsets.", py::dynamic_attr())
      .def_property_readonly(
          "ids",
          [](py::object self) {
            auto& e = self.cast<Encoding&>();
            return View(e.ids.data(), {static_cast<py::ssize_t>(e.ids.size())}, self);
          },
          "int32 array [tokens], a view without copy")
      .def_property_readonly(
          "values",
          [](py::object self) {
            auto& e = self.cast<Encoding&>();
            return View(e.values.data(), {static_cast<py::ssize_t>(e.values.size())}, self);
          },
          "float32 array [tokens]: the number a [NUM] stands for, 1.0 elsewhere")
      .def_property_readonly(
          "offsets",
          [](py::object self) { return OffsetsView(self.cast<Encoding&>().offsets, self); },
          "uint32 array [tokens, 2]: byte spans [begin, end) into the UTF-8 text")
      .def("__len__", [](const Encoding& e) { return e.size(); })
      .def("__repr__", [](const Encoding& e) {
        return "<xval.Encoding of " + std::to_string(e.size()) + " tokens>";
      });

  py::class_<PyDecodeStream>(m, "DecodeStream", R"doc(
Streaming detokenization over one sequence (Tokenizer.decode_stream()), as Hugging Face's
tokenizers.decoders.DecodeStream: step(id) returns the newly completed text, or None while a
character is unfinished (or an xVal number waits for the text after it); flush() returns what
is held back at the end and starts a new sequence. One thread at a time.)doc")
      .def("step", &PyDecodeStream::Step, py::arg("id"), py::arg("value") = 1.0f,
           "The text this id completes, or None. value: the number of an xVal [NUM].")
      .def("flush", &PyDecodeStream::Flush)
      .def("reset", &PyDecodeStream::Reset);

  py::class_<PyTokenizer, std::shared_ptr<PyTokenizer>>(m, "Tokenizer", R"doc(
A tokenizer loaded from a SentencePiece .model, a Hugging Face tokenizer.json or a tiktoken
rank file. Immutable once made (but for add_tokens); safe to share between threads, to pickle
into DataLoader workers and to use after fork.)doc")
      .def_static(
          "from_file",
          [](const std::string& path, const std::string& digits, const std::string& numbers,
             const std::string& number_mode, const std::string& transform,
             std::optional<std::string> pattern,
             std::optional<std::map<std::string, int32_t>> special_tokens,
             const std::string& number_options, const std::string& out_of_range, int max_digits,
             const std::string& precision) {
            Recipe r{path, "", digits, numbers, number_mode, transform, {}};
            r.number_options = number_options;
            r.out_of_range = out_of_range;
            r.max_digits = max_digits;
            r.precision = precision;
            r.tiktoken_pattern = pattern.value_or("");
            if (special_tokens.has_value()) {
              if (!pattern.has_value()) {
                throw py::value_error(
                    "special_tokens is for a tiktoken file whose pattern is "
                    "given too (pattern=)");
              }
              r.tiktoken_special.assign(special_tokens->begin(), special_tokens->end());
            }
            return PyTokenizer::Make(std::move(r));
          },
          py::arg("path"), py::kw_only(), py::arg("digits") = "none", py::arg("numbers") = "none",
          py::arg("number_mode") = "standard", py::arg("transform") = "identity",
          py::arg("pattern") = py::none(), py::arg("special_tokens") = py::none(),
          py::arg("number_options") = "", py::arg("out_of_range") = "", py::arg("max_digits") = 0,
          py::arg("precision") = "",
          "Loads a .model, tokenizer.json, tekken.json, GGUF or tiktoken file. digits: none, "
          "individual, ltr<N> or rtl<N> (digit splitting on top of the model's rules). "
          "numbers=\"xval\": each number becomes one [NUM] token carrying its value "
          "(number_mode \"standard\" or \"paper\"; transform, number_options (plus, "
          "leading_dot, trailing_dot, groups, unicode, binary_minus, no_exponent), out_of_range "
          "(text, error, saturate), max_digits and precision (float32, float16) as the xval "
          "command's flags of those names). pattern and special_tokens ({text: id}): a tiktoken "
          "rank file's "
          "pat_str and special tokens, as tiktoken.Encoding takes them, for an encoding xval "
          "does not know by the file's name or content.")
      .def_static(
          "tiktoken",
          [](const std::string& name, std::optional<std::string> data_dir,
             const std::string& digits, const std::string& numbers, const std::string& number_mode,
             const std::string& transform) {
            return PyTokenizer::Make(
                Recipe{name, data_dir.value_or(""), digits, numbers, number_mode, transform, {}});
          },
          py::arg("name"), py::arg("data_dir") = py::none(), py::kw_only(),
          py::arg("digits") = "none", py::arg("numbers") = "none",
          py::arg("number_mode") = "standard", py::arg("transform") = "identity",
          "gpt2, r50k_base, cl100k_base or o200k_base; rank files from data_dir or "
          "$XVAL_DATA_DIR.")
      .def(
          "encode",
          [](const PyTokenizer& t, const std::string& text, bool add_bos, bool add_eos,
             bool add_special_tokens, bool parse_special, bool number_info) {
            std::shared_ptr<Encoding> e =
                t.Encode(text, add_bos, add_eos, add_special_tokens, parse_special);
            py::object out = py::cast(e);
            if (number_info) {
              out.attr("numbers") = py::cast(DescribeNumbersOrThrow(text, *e, t.NumberScan()));
            }
            return out;
          },
          py::arg("text"), py::arg("add_bos") = false, py::arg("add_eos") = false, py::kw_only(),
          py::arg("add_special_tokens") = false, py::arg("parse_special") = true,
          py::arg("number_info") = false,
          "add_special_tokens: add what the file says to add around the text (a GGUF "
          "vocabulary's add_bos_token / add_eos_token, as llama.cpp's add_special). "
          "parse_special=False: special-token text such as <s> is ordinary text (tiktoken's "
          "encode_ordinary). number_info=True: the Encoding also has `numbers`, the "
          "xval.NumberInfo describe_numbers gives.")
      .def(
          "describe_numbers",
          [](const PyTokenizer& t, const std::string& text, const Encoding* encoding) {
            if (encoding != nullptr) return DescribeNumbersOrThrow(text, *encoding, t.NumberScan());
            const std::shared_ptr<Encoding> e = t.Encode(text, false, false, false, true);
            return DescribeNumbersOrThrow(text, *e, t.NumberScan());
          },
          py::arg("text"), py::arg("encoding") = py::none(),
          "The numbers of `text` (as an xVal tokenizer reads them, else the standard grammar) "
          "and each token's number, digit and place (an xval.NumberInfo), for `encoding` (the "
          "text's own, as encode returned it; None: encode(text)).")
      .def("encode_batch", &PyTokenizer::EncodeBatch, py::arg("texts"), py::kw_only(),
           py::arg("padding") = false, py::arg("truncation") = false,
           py::arg("max_length") = py::none(), py::arg("add_bos") = false,
           py::arg("add_eos") = false, py::arg("return_tensors") = py::none(),
           py::arg("pad_id") = py::none(), py::arg("add_special_tokens") = false,
           py::arg("parse_special") = true, py::arg("threads") = 0,
           "Encodes on `threads` cores (0: all, or $XVAL_NUM_THREADS) with the GIL released. "
           "Without padding or return_tensors: a list of Encodings. With them: a dict of "
           "[batch, length] arrays (\"np\") or tensors (\"pt\"): input_ids, values, "
           "attention_mask, and offsets [batch, length, 2]; pads are pad_id, by default the "
           "tokenizer's padding token (an error when it has none).")
      .def("encode_batch_flat", &PyTokenizer::EncodeBatchFlat, py::arg("texts"), py::kw_only(),
           py::arg("add_bos") = false, py::arg("add_eos") = false, py::arg("ids_only") = false,
           py::arg("add_special_tokens") = false, py::arg("parse_special") = true,
           py::arg("threads") = 0,
           "Encodes on `threads` cores (0: all) with the GIL released into one ragged batch: (ids "
           "int32 [N], "
           "values float32 [N], offsets uint32 [N, 2], row_splits uint64 [texts + 1]); text i "
           "has tokens row_splits[i]:row_splits[i + 1]. The fastest way to encode a corpus.\n\n"
           "ids_only=True: the same ids, with values and offsets None (not computed: the form "
           "of tiktoken's encode_ordinary_batch and quicktok's encode_batch, and faster; xVal "
           "[NUM] values are dropped too).")
      .def(
          "decode",
          [](const PyTokenizer& t, py::handle ids, py::object values) {
            std::optional<std::vector<float>> v;
            if (!values.is_none()) v = ValuesFrom(values);
            return t.Decode(IdsFrom(ids), v);
          },
          py::arg("ids"), py::arg("values") = py::none())
      .def(
          "decode_batch",
          [](const PyTokenizer& t, py::iterable batch) {
            std::vector<std::string> out;
            for (py::handle ids : batch) out.push_back(t.Decode(IdsFrom(ids), std::nullopt));
            return out;
          },
          py::arg("batch"))
      .def(
          "decode_stream",
          [](const PyTokenizer& t) {
            return std::make_unique<PyDecodeStream>(t.shared_tokenizer());
          },
          "A DecodeStream: push ids one at a time (step), get back the text each completes; "
          "the texts of all steps and a final flush() join to decode() of all the ids "
          "(with values for xVal [NUM]).")
      .def(
          "decode_exact",
          [](const PyTokenizer& t, const Encoding& encoding, const std::string& source) {
            return ValueOrThrow(t.xval("decode_exact").DecodeExact(encoding, source));
          },
          py::arg("encoding"), py::arg("source"),
          "xVal: decode(ids, values) but each [NUM] that stands for a number of `source` (the "
          "text encoded) printed with the source's own digits (\"1.50\", \"1e5\"): the text "
          "back exactly.")
      .def(
          "find_numbers",
          [](const PyTokenizer& t, const std::string& text) {
            std::vector<NumberValue> found;
            ThrowIfError(t.xval("find_numbers").FindValues(text, &found));
            py::list out;
            for (const NumberValue& v : found) {
              out.append(py::make_tuple(v.span.begin, v.span.end, v.value, v.as_num));
            }
            return out;
          },
          py::arg("text"),
          "xVal: the numbers of `text` as the tokenizer reads them: (begin, end, value, as_num) "
          "with byte offsets, the stored value, and whether it becomes a [NUM] (false: kept as "
          "text by out_of_range=\"text\").")
      .def(
          "_encode_special_sets",
          [](const PyTokenizer& t, const std::string& text, py::handle allowed,
             py::handle disallowed) {
            const SpecialTokenSet a = SpecialTokenSetFrom(allowed, "allowed_special");
            const SpecialTokenSet d = SpecialTokenSetFrom(disallowed, "disallowed_special");
            absl::StatusOr<std::vector<int32_t>> ids;
            {
              const std::shared_ptr<const Tokenizer> tok = t.shared_tokenizer();
              py::gil_scoped_release release;
              ids = EncodeWithSpecialSets(*tok, text, a, d);
            }
            return ValueOrThrow(std::move(ids));
          },
          py::arg("text"), py::arg("allowed_special"), py::arg("disallowed_special"),
          "tiktoken's encode (xval.tiktoken's Encoding calls it): a list of ids.")
      .def(
          "_decode_keeping_special",
          [](const PyTokenizer& t, py::handle ids) {
            return ValueOrThrow(t.tokenizer().DecodeKeepingSpecial(IdsFrom(ids)));
          },
          py::arg("ids"), "transformers' decode(skip_special_tokens=False).")
      .def(
          "_decode_bytes",
          [](const PyTokenizer& t, py::handle ids) {
            return py::bytes(ValueOrThrow(DecodeBytes(t.tokenizer(), IdsFrom(ids))));
          },
          py::arg("ids"), "tiktoken's decode_bytes.")
      .def_property_readonly(
          "special_adds_bos", [](const PyTokenizer& t) { return t.tokenizer().special_adds_bos(); },
          "Whether add_special_tokens adds BOS (the file's post-processor or flags).")
      .def_property_readonly(
          "special_adds_eos", [](const PyTokenizer& t) { return t.tokenizer().special_adds_eos(); },
          "Whether add_special_tokens adds EOS.")
      .def_property_readonly(
          "added_tokens",
          [](const PyTokenizer& t) {
            py::list out;
            for (const AddedToken& a : t.tokenizer().added_tokens()) {
              out.append(py::make_tuple(a.content, a.id, a.special));
            }
            return out;
          },
          "The tokens matched in the text before the model: (content, id, special) tuples.")
      .def("add_tokens", &PyTokenizer::AddTokens, py::arg("tokens"), py::arg("special") = true)
      .def_property_readonly("vocab_size",
                             [](const PyTokenizer& t) { return t.tokenizer().vocab_size(); })
      .def(
          "id_to_token",
          [](const PyTokenizer& t, int32_t id) {
            return py::bytes(ValueOrThrow(t.tokenizer().IdToPiece(id)));
          },
          py::arg("id"), "The piece's bytes (byte-level pieces need not be UTF-8).")
      .def(
          "token_to_id",
          [](const PyTokenizer& t, const std::string& piece) {
            return ValueOrThrow(t.tokenizer().PieceToId(piece), NotFoundIs::kKey);
          },
          py::arg("token"))
      .def_property_readonly("bos_id", [](const PyTokenizer& t) { return t.tokenizer().bos_id(); })
      .def_property_readonly("eos_id", [](const PyTokenizer& t) { return t.tokenizer().eos_id(); })
      .def_property_readonly("unk_id", [](const PyTokenizer& t) { return t.tokenizer().unk_id(); })
      .def_property_readonly(
          "pad_id", [](const PyTokenizer& t) { return t.tokenizer().pad_id(); },
          "The padding token's id (the file's, or its tokenizer_config.json's); "
          "-1 when there is none.")
      .def(py::pickle(
          [](const PyTokenizer& t) {
            const Recipe r = t.PickledRecipe();
            py::list added;
            for (const AddedToken& a : r.added) added.append(py::make_tuple(a.content, a.special));
            py::list special;
            for (const auto& [content, id] : r.tiktoken_special) {
              special.append(py::make_tuple(content, id));
            }
            return py::make_tuple(r.source, r.data_dir, r.digits, r.numbers, r.number_mode,
                                  r.transform, added, r.tiktoken_pattern, special,
                                  py::bytes(r.content), r.pad_token, r.number_options,
                                  r.out_of_range, r.max_digits, r.precision);
          },
          [](py::tuple state) {
            if (state.size() != 15) throw py::value_error("not a pickled xval.Tokenizer");
            Recipe r{state[0].cast<std::string>(),
                     state[1].cast<std::string>(),
                     state[2].cast<std::string>(),
                     state[3].cast<std::string>(),
                     state[4].cast<std::string>(),
                     state[5].cast<std::string>(),
                     {}};
            for (py::handle a : state[6].cast<py::list>()) {
              auto pair = a.cast<py::tuple>();
              r.added.push_back(AddedToken{pair[0].cast<std::string>(), -1, pair[1].cast<bool>()});
            }
            r.tiktoken_pattern = state[7].cast<std::string>();
            for (py::handle a : state[8].cast<py::list>()) {
              auto pair = a.cast<py::tuple>();
              r.tiktoken_special.emplace_back(pair[0].cast<std::string>(), pair[1].cast<int32_t>());
            }
            r.content = state[9].cast<std::string>();
            r.pad_token = state[10].cast<std::string>();
            r.number_options = state[11].cast<std::string>();
            r.out_of_range = state[12].cast<std::string>();
            r.max_digits = state[13].cast<int>();
            r.precision = state[14].cast<std::string>();
            return PyTokenizer::Make(r);
          }));
}

}  // namespace xval::python
