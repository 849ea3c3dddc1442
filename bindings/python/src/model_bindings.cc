// xval.Model: the C++ Llama / Llemma forward pass (with xVal values and the number head) on
// numpy arrays.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "status.h"
#include "xval/model.h"

namespace py = pybind11;

namespace xval::python {
namespace {

using model::LlamaModel;

constexpr int kArrayIn = py::array::c_style | py::array::forcecast;

class PyModel {
 public:
  static std::shared_ptr<PyModel> Load(const std::string& path, size_t threads,
                                       bool copy_to_huge_pages) {
    model::LoadOptions options;
    options.max_threads = threads;
    options.copy_to_huge_pages = copy_to_huge_pages;
    auto m = std::make_shared<PyModel>();
    m->model_ = ValueOrThrow(LlamaModel::Load(path, options));
    return m;
  }

  // A fresh session over `ids` (and `values`, 1.0 when None): logits [tokens, vocab] and the
  // number head's value at each position [tokens] (empty without a number head).
  py::tuple Forward(py::array_t<int32_t, kArrayIn> ids,
                    std::optional<py::array_t<float, kArrayIn>> values) const {
    if (ids.ndim() != 1) throw py::value_error("ids must be 1-D [tokens]");
    const size_t n = ids.shape(0);
    std::vector<float> ones(n, 1.0f);
    const float* v = ones.data();
    if (values) {
      if (values->ndim() != 1 || static_cast<size_t>(values->shape(0)) != n) {
        throw py::value_error("values must be 1-D with one value per id");
      }
      v = values->data();
    }
    model::ForwardOutput out;
    absl::Status status;
    {
      py::gil_scoped_release release;
      auto session = model_->NewSession(std::max<size_t>(n, 1), std::max<size_t>(n, 1));
      status = session.status();
      if (status.ok()) {
        status = (*session)->Forward(absl::MakeConstSpan(ids.data(), n), absl::MakeConstSpan(v, n),
                                     /*all_positions=*/true, &out);
      }
    }
    ThrowIfError(status);
    const auto vocab = static_cast<py::ssize_t>(model_->config().vocab_size);
    py::array_t<float> logits({static_cast<py::ssize_t>(out.num_out), vocab});  // (tokens, vocab)
    std::copy(out.logits.begin(), out.logits.end(), logits.mutable_data());
    py::array_t<float> numbers(static_cast<py::ssize_t>(out.number_values.size()));  // (tokens)
    std::copy(out.number_values.begin(), out.number_values.end(), numbers.mutable_data());
    return py::make_tuple(logits, numbers);
  }

  // on_token(id, value) sees each new token (return False to stop); with a tokenizer, each
  // token's text streams to on_text(text) through tokenizer.decode_stream(), the prompt's ids
  // pushed first as its context (so a reply's first space is kept).
  py::tuple Generate(std::vector<int32_t> prompt, std::optional<std::vector<float>> values,
                     size_t max_new_tokens, float temperature, int top_k, float top_p,
                     uint64_t seed, bool stop_at_eos, py::object on_token, py::object tokenizer,
                     py::object on_text) const {
    const model::LlamaConfig& c = model_->config();
    std::vector<float> vals = values.value_or(std::vector<float>(prompt.size(), 1.0f));
    if (vals.size() != prompt.size()) throw py::value_error("one value per prompt id");
    if (tokenizer.is_none() != on_text.is_none()) {
      throw py::value_error("generate: tokenizer and on_text go together");
    }
    py::object stream;
    // Characters of the prompt's own text the stream has still to print (held back at its end:
    // an unfinished character, an xVal number waiting for what follows): not the reply's.
    py::ssize_t prompt_left = 0;
    if (!tokenizer.is_none()) {
      stream = tokenizer.attr("decode_stream")();
      py::ssize_t printed = 0;
      for (size_t i = 0; i < prompt.size(); ++i) {
        py::object text = stream.attr("step")(prompt[i], vals[i]);
        if (!text.is_none()) printed += py::len(text);
      }
      prompt_left = py::len(tokenizer.attr("decode")(prompt, vals)) - printed;
    }
    auto reply_text = [&](py::object text) {
      if (text.is_none()) return;
      py::str s = text;
      if (prompt_left > 0) {
        const py::ssize_t cut = std::min<py::ssize_t>(prompt_left, py::len(s));
        prompt_left -= cut;
        s = s[py::slice(cut, py::len(s), 1)];
      }
      if (py::len(s) > 0) on_text(s);
    };
    model::GenerateOptions options;
    options.sampling = {temperature, top_k, top_p, seed};
    options.max_new_tokens = max_new_tokens;
    options.stop_at_eos = stop_at_eos;
    // Python callbacks run with the GIL taken back; an exception stops generation and is
    // raised once the C++ side has returned.
    std::optional<py::error_already_set> raised;
    auto callback = [&](int32_t id, float value) {
      py::gil_scoped_acquire acquire;
      try {
        if (!on_token.is_none()) {
          py::object keep_going = on_token(id, value);
          if (!keep_going.is_none() && !keep_going.cast<bool>()) return false;
        }
        if (stream) reply_text(stream.attr("step")(id, value));
        return true;
      } catch (py::error_already_set& e) {
        raised.emplace(std::move(e));
        return false;
      }
    };
    absl::StatusOr<model::Generated> generated;
    {
      py::gil_scoped_release release;
      auto session = model_->NewSession(prompt.size() + max_new_tokens + 1);
      if (!session.ok()) {
        generated = session.status();
      } else {
        generated = model::Generate(session->get(), prompt, vals, c.xval_num_token_id,
                                    c.eos_token_id, options, callback);
      }
    }
    if (raised) throw std::move(*raised);
    model::Generated g = ValueOrThrow(std::move(generated));
    if (stream) reply_text(stream.attr("flush")());
    return py::make_tuple(g.ids, g.values);
  }

  py::dict Config() const {
    const model::LlamaConfig& c = model_->config();
    py::dict d;
    d["model_type"] = model::ModelFamilyName(c.model_type);
    d["hidden_size"] = c.hidden_size;
    d["intermediate_size"] = c.intermediate_size;
    d["num_hidden_layers"] = c.num_hidden_layers;
    d["num_attention_heads"] = c.num_attention_heads;
    d["num_key_value_heads"] = c.num_key_value_heads;
    d["head_dim"] = c.head_dim;
    d["vocab_size"] = c.vocab_size;
    d["rms_norm_eps"] = c.rms_norm_eps;
    d["rope_theta"] = c.rope_theta;
    d["tie_word_embeddings"] = c.tie_word_embeddings;
    d["sliding_window"] =
        c.sliding_window > 0 ? py::object(py::int_(c.sliding_window)) : py::none();
    d["attention_qkv_bias"] = c.attention_qkv_bias;
    d["xval_num_token_id"] = c.xval_num_token_id;
    d["weight_type"] = model::WeightTypeName(model_->weight_type());
    return d;
  }

 private:
  std::unique_ptr<LlamaModel> model_;
};

}  // namespace

void BindModel(py::module_& m) {
  py::class_<PyModel, std::shared_ptr<PyModel>>(m, "Model", R"doc(
A Llama-architecture model (Llemma, or a model trained with xVal inputs and a number head)
run by xval's C++ forward pass, from a Hugging Face folder (config.json + safetensors) or a
GGUF file.)doc")
      .def_static("load", &PyModel::Load, py::arg("path"), py::arg("threads") = 0, py::kw_only(),
                  py::arg("copy_to_huge_pages") = false,
                  "copy_to_huge_pages: copy the weights into transparent huge pages instead of "
                  "using the mapped files (faster decode, slower load; LoadOptions in "
                  "xval/model.h)")
      .def("forward", &PyModel::Forward, py::arg("ids"), py::arg("values") = py::none(),
           "Returns (logits float32 [tokens, vocab], number values float32 [tokens]; empty "
           "without a number head). values scale the input embeddings (xVal).")
      .def("generate", &PyModel::Generate, py::arg("prompt_ids"),
           py::arg("prompt_values") = py::none(), py::kw_only(), py::arg("max_new_tokens") = 64,
           py::arg("temperature") = 0.0f, py::arg("top_k") = 0, py::arg("top_p") = 1.0f,
           py::arg("seed") = 0, py::arg("stop_at_eos") = true, py::arg("on_token") = py::none(),
           py::arg("tokenizer") = py::none(), py::arg("on_text") = py::none(),
           "Returns (new ids, their values): a [NUM]'s value comes from the number head.\n\n"
           "on_token(id, value) is called for each new token (return False to stop). With "
           "tokenizer and on_text, the text of the new tokens streams to on_text(str) as it "
           "completes (Tokenizer.decode_stream(), the prompt as its context): the texts join "
           "to the decode of prompt + new ids, less the prompt's own text.")
      .def_property_readonly("config", &PyModel::Config);
}

}  // namespace xval::python
