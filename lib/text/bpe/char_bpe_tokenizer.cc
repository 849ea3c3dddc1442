// BPE over characters with byte fallback (char_bpe_tokenizer.h), as llama.cpp's
// llm_tokenizer_bpe_session with byte_encode off.
#include "text/bpe/char_bpe_tokenizer.h"

#include <algorithm>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "util/scratch.h"
#include "util/status_macros.h"
#include "util/utf8.h"

namespace xval::text {
namespace {

constexpr absl::string_view kSpace = "\xE2\x96\x81";  // "▁"

uint64_t PairKey(int32_t a, int32_t b) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b);
}

}  // namespace

struct CharBpeTokenizer::Scratch {
  std::string escaped;
  std::vector<uint32_t> at;  // escaped byte -> input offset; one past the end too
  struct Node {
    int32_t symbol;  // -1: a character no merge or token names
    uint32_t begin, end;
    int32_t prev, next;
  };
  std::vector<Node> nodes;
  struct Candidate {
    uint32_t rank, begin;
    int32_t left, left_symbol, right_symbol;
  };
  std::vector<Candidate> heap;
};

CharBpeTokenizer::CharBpeTokenizer(CharBpeConfig config)
    : PieceTableTokenizer(config.bos_id, config.eos_id, config.unk_id),
      config_(std::move(config)) {}

absl::StatusOr<std::unique_ptr<CharBpeTokenizer>> CharBpeTokenizer::Create(CharBpeConfig config) {
  const auto n = static_cast<int32_t>(config.tokens.size());
  config.control.resize(n, false);
  std::unique_ptr<CharBpeTokenizer> t(new CharBpeTokenizer(std::move(config)));
  auto symbol = [&](const std::string& text) {
    auto [it, inserted] = t->symbols_.emplace(text, static_cast<int32_t>(t->symbol_text_.size()));
    if (inserted) {
      t->symbol_text_.push_back(text);
      t->token_of_.push_back(-1);
    }
    return it->second;
  };
  t->byte_tokens_.fill(-1);
  for (int32_t id = 0; id < n; ++id) {
    const std::string& token = t->config_.tokens[id];
    const int32_t s = symbol(token);
    if (t->token_of_[s] < 0) t->token_of_[s] = id;  // the first id of a text wins
    unsigned int byte;
    if (token.size() == 6 && std::sscanf(token.c_str(), "<0x%2X>", &byte) == 1 && byte < 256 &&
        t->byte_tokens_[byte] < 0) {
      t->byte_tokens_[byte] = id;
    }
  }
  t->merges_.reserve(t->config_.merges.size());
  for (size_t r = 0; r < t->config_.merges.size(); ++r) {
    const auto& [a, b] = t->config_.merges[r];
    const int32_t left = symbol(a), right = symbol(b), merged = symbol(a + b);
    // A later duplicate does not replace an earlier one (llama.cpp's map emplace).
    t->merges_.emplace(PairKey(left, right), Merge{static_cast<uint32_t>(r), merged});
  }
  t->config_.merges.clear();
  t->config_.merges.shrink_to_fit();
  t->table_.Init(std::move(t->config_.tokens), std::move(t->config_.added_tokens));
  return t;
}

void CharBpeTokenizer::EncodeRun(absl::string_view run, const uint32_t* at, Scratch& s,
                                 Encoding* out) const {
  using Node = Scratch::Node;
  using Candidate = Scratch::Candidate;
  // A run of newlines that is a token is that token (llama.cpp's rule for Gemma 4).
  if (run.find_first_not_of('\n') == absl::string_view::npos) {
    const int32_t sym = Symbol(run);
    if (sym >= 0 && token_of_[sym] >= 0) {
      out->Append(token_of_[sym], Offset{at[0], at[run.size()]});
      return;
    }
  }
  auto& nodes = s.nodes;
  nodes.clear();
  for (size_t i = 0; i < run.size();) {
    const size_t len =
        std::min(run.size() - i, util::Utf8CharLength(static_cast<unsigned char>(run[i])));
    const auto count = static_cast<int32_t>(nodes.size());
    nodes.push_back(Node{Symbol(run.substr(i, len)), static_cast<uint32_t>(i),
                         static_cast<uint32_t>(i + len), count - 1, count + 1});
    i += len;
  }
  nodes.back().next = -1;
  auto later = [](const Candidate& a, const Candidate& b) {
    return a.rank != b.rank ? a.rank > b.rank : a.begin > b.begin;
  };
  auto& heap = s.heap;
  heap.clear();
  auto push = [&](int32_t left) {
    if (left < 0) return;
    const int32_t right = nodes[left].next;
    if (right < 0 || nodes[left].symbol < 0 || nodes[right].symbol < 0) return;
    auto it = merges_.find(PairKey(nodes[left].symbol, nodes[right].symbol));
    if (it == merges_.end()) return;
    heap.push_back(Candidate{it->second.rank, nodes[left].begin, left, nodes[left].symbol,
                             nodes[right].symbol});
    std::push_heap(heap.begin(), heap.end(), later);
  };
  for (int32_t i = 0; i + 1 < static_cast<int32_t>(nodes.size()); ++i) push(i);
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), later);
    const Candidate c = heap.back();
    heap.pop_back();
    Node& left = nodes[c.left];
    if (left.symbol != c.left_symbol || left.next < 0) continue;  // stale
    Node& right = nodes[left.next];
    if (right.symbol != c.right_symbol) continue;
    left.symbol = merges_.find(PairKey(left.symbol, right.symbol))->second.merged;
    left.end = right.end;
    right.symbol = -2;  // gone
    left.next = right.next;
    if (right.next >= 0) nodes[right.next].prev = c.left;
    push(left.prev);
    push(c.left);
  }
  for (int32_t i = 0; i >= 0; i = nodes[i].next) {
    const Node& node = nodes[i];
    const int32_t token = node.symbol >= 0 ? token_of_[node.symbol] : -1;
    if (token >= 0) {
      out->Append(token, Offset{at[node.begin], at[node.end]});
      continue;
    }
    for (uint32_t b = node.begin; b < node.end; ++b) {  // bytes without a token are dropped
      const int32_t byte = byte_tokens_[static_cast<unsigned char>(run[b])];
      if (byte >= 0) out->Append(byte, Offset{at[b], at[b + 1]});
    }
  }
}

void CharBpeTokenizer::EncodeStretch(absl::string_view text, uint32_t base, Encoding* out) const {
  util::ThreadScratch<Scratch> scratch;
  Scratch& s = *scratch;
  s.escaped.clear();
  s.at.clear();
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == ' ') {
      s.escaped.append(kSpace.data(), kSpace.size());
    } else {
      s.escaped.push_back(text[i]);
    }
    s.at.resize(s.escaped.size(), base + static_cast<uint32_t>(i));
  }
  s.at.push_back(base + static_cast<uint32_t>(text.size()));
  const absl::string_view escaped(s.escaped);
  for (size_t i = 0; i < escaped.size();) {  // runs of newlines and of the rest
    const bool newline = escaped[i] == '\n';
    size_t j = i;
    while (j < escaped.size() && (escaped[j] == '\n') == newline) ++j;
    EncodeRun(escaped.substr(i, j - i), s.at.data() + i, s, out);
    i = j;
  }
}

absl::StatusOr<std::string> CharBpeTokenizer::Decode(absl::Span<const int32_t> ids) const {
  std::string out;
  for (const int32_t id : ids) {
    ASSIGN_OR_RETURN(std::string piece, IdToPiece(id));
    if (id < table_.num_pieces() && config_.control[id]) continue;
    const auto byte = std::find(byte_tokens_.begin(), byte_tokens_.end(), id);
    if (byte != byte_tokens_.end()) {
      out.push_back(static_cast<char>(byte - byte_tokens_.begin()));
      continue;
    }
    for (size_t i = 0; i < piece.size();) {
      if (piece.compare(i, kSpace.size(), kSpace.data(), kSpace.size()) == 0) {
        out += ' ';
        i += kSpace.size();
      } else {
        out += piece[i++];
      }
    }
  }
  return out;
}

}  // namespace xval::text
