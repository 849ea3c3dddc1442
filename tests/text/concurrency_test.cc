// Many callers on one tokenizer at once (issue 16): every kind of tokenizer (SentencePiece from
// .model and tokenizer.json, byte-level BPE, digit modes, xVal over each base, xVal over xVal)
// and every entry point (Encode, EncodeBatch, EncodeBatchFlat with and without ids_only,
// Decode), each caller thread comparing every result with the serial one. The build's `tsan`
// preset runs this suite under ThreadSanitizer (scripts/test.sh).
//
// The reproducer of the defect: two threads calling EncodeBatchFlat on the same tokenizer got
// ids of the other call's texts back (per-worker arenas cleared by the second call while the
// first one still copied out of them). Two threads x 1,000 calls must give 0 wrong results.
#include <atomic>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "support/corpus.h"
#include "support/tokenizer_kinds.h"
#include "util/thread_pool.h"
#include "xval/tokenizer.h"
#include "xval/xval_tokenizer.h"

namespace xval {
namespace {

using testing::Kind;
using testing::TokenizerKinds;

std::vector<std::string> Texts(size_t count) {
  std::vector<std::string> texts;
  auto corpus = testing::LoadCorpus(testing::DataDir());
  EXPECT_TRUE(corpus.ok()) << corpus.status();
  if (corpus.ok()) {
    for (size_t i = 0; i < corpus->size() && texts.size() < count; i += 37) {
      texts.push_back((*corpus)[i]);
    }
  }
  texts.push_back("");
  texts.push_back("x = -1.5e3, [1,2] 00012 1,000 .5 3. 1e400 <s> [NUM] \xff héllo  \n\t!");
  texts.push_back(std::string(3000, '7'));
  return texts;
}

// What one tokenizer gives serially: the reference each caller thread compares with.
struct Serial {
  std::vector<Encoding> encodings;
  BatchEncoding flat;
  std::vector<int32_t> flat_ids;
  std::vector<std::string> decoded;
};

Serial RunSerial(const Tokenizer& tok, absl::Span<const absl::string_view> texts) {
  Serial s;
  for (absl::string_view t : texts) {
    auto e = tok.Encode(t);
    EXPECT_TRUE(e.ok()) << e.status();
    s.encodings.push_back(e.ok() ? *std::move(e) : Encoding());
    auto d = tok.Decode(s.encodings.back().ids);
    EXPECT_TRUE(d.ok()) << d.status();
    s.decoded.push_back(d.ok() ? *d : std::string());
  }
  auto flat = tok.EncodeBatchFlat(texts, {}, 1);
  EXPECT_TRUE(flat.ok()) << flat.status();
  if (flat.ok()) s.flat = *std::move(flat);
  EncodeOptions ids_only;
  ids_only.ids_only = true;
  auto ids = tok.EncodeBatchFlat(texts, ids_only, 1);
  EXPECT_TRUE(ids.ok()) << ids.status();
  if (ids.ok()) s.flat_ids.assign(ids->ids.begin(), ids->ids.end());
  return s;
}

bool SameFlat(const BatchEncoding& a, const BatchEncoding& b) {
  return a.row_splits == b.row_splits && a.ids == b.ids && a.values == b.values &&
         a.offsets == b.offsets;
}

bool SameEncoding(const Encoding& a, const Encoding& b) {
  return a.ids == b.ids && a.values == b.values && a.offsets == b.offsets;
}

// Runs `calls` rounds of `call` on each of `threads` threads; returns the number of wrong
// results (call returns false).
size_t RunThreads(size_t threads, size_t calls, const std::function<bool(size_t, size_t)>& call) {
  std::atomic<size_t> wrong{0};
  std::vector<std::thread> pool;
  for (size_t t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (size_t i = 0; i < calls; ++i) {
        if (!call(t, i)) wrong.fetch_add(1);
      }
    });
  }
  for (auto& th : pool) th.join();
  return wrong.load();
}

class ConcurrencyTest : public ::testing::TestWithParam<Kind> {
 protected:
  void SetUp() override {
    auto tok = GetParam().make();
    ASSERT_TRUE(tok.ok()) << tok.status();
    tok_ = *std::move(tok);
    strings_ = Texts(160);
    texts_.assign(strings_.begin(), strings_.end());
    serial_ = RunSerial(*tok_, texts_);
  }

  std::unique_ptr<Tokenizer> tok_;
  std::vector<std::string> strings_;
  std::vector<absl::string_view> texts_;
  Serial serial_;
};

// The reproducer: two threads x 1,000 EncodeBatchFlat calls on one tokenizer, alternating
// full and ids-only results, each compared with the serial one.
TEST_P(ConcurrencyTest, TwoThreadsEncodeBatchFlat) {
  EncodeOptions ids_only;
  ids_only.ids_only = true;
  const absl::Span<const absl::string_view> batch(texts_);
  const size_t wrong = RunThreads(2, 1000, [&](size_t, size_t i) {
    if (i % 2 == 0) {
      auto r = tok_->EncodeBatchFlat(batch);
      return r.ok() && SameFlat(*r, serial_.flat);
    }
    auto r = tok_->EncodeBatchFlat(batch, ids_only);
    return r.ok() && r->ids.size() == serial_.flat_ids.size() &&
           std::equal(r->ids.begin(), r->ids.end(), serial_.flat_ids.begin()) &&
           r->row_splits == serial_.flat.row_splits;
  });
  EXPECT_EQ(wrong, 0u) << "of 2 x 1000 calls";
}

// Four threads, each entry point in turn.
TEST_P(ConcurrencyTest, FourThreadsEveryEntryPoint) {
  EncodeOptions ids_only;
  ids_only.ids_only = true;
  const absl::Span<const absl::string_view> batch(texts_);
  const size_t wrong = RunThreads(4, 24, [&](size_t thread, size_t round) {
    switch ((thread + round) % 5) {
      case 0: {  // Encode, text by text
        for (size_t i = 0; i < texts_.size(); ++i) {
          auto e = tok_->Encode(texts_[i]);
          if (!e.ok() || !SameEncoding(*e, serial_.encodings[i])) return false;
        }
        return true;
      }
      case 1: {
        auto r = tok_->EncodeBatch(batch);
        if (!r.ok() || r->size() != texts_.size()) return false;
        for (size_t i = 0; i < texts_.size(); ++i) {
          if (!SameEncoding((*r)[i], serial_.encodings[i])) return false;
        }
        return true;
      }
      case 2: {
        auto r = tok_->EncodeBatchFlat(batch);
        return r.ok() && SameFlat(*r, serial_.flat);
      }
      case 3: {
        auto r = tok_->EncodeBatchFlat(batch, ids_only);
        return r.ok() && r->ids.size() == serial_.flat_ids.size() &&
               std::equal(r->ids.begin(), r->ids.end(), serial_.flat_ids.begin());
      }
      default: {  // Decode
        for (size_t i = 0; i < texts_.size(); ++i) {
          auto d = tok_->Decode(serial_.encodings[i].ids);
          if (!d.ok() || *d != serial_.decoded[i]) return false;
        }
        return true;
      }
    }
  });
  EXPECT_EQ(wrong, 0u);
}

// Batch calls made from inside a pool task (a tokenizer used from a ParallelFor body, as a
// library that embeds xval might) run on that thread alone, while another caller's batches
// run on the pool; both exact.
TEST_P(ConcurrencyTest, BatchFromInsidePoolTask) {
  const absl::Span<const absl::string_view> batch(texts_);
  std::atomic<size_t> wrong{0};
  std::thread other([&] {
    for (int i = 0; i < 20; ++i) {
      auto flat = tok_->EncodeBatchFlat(batch);
      if (!flat.ok() || !SameFlat(*flat, serial_.flat)) wrong.fetch_add(1);
    }
  });
  util::ParallelFor(8, 1, [&](size_t begin, size_t end) {
    for (size_t k = begin; k < end; ++k) {
      auto flat = tok_->EncodeBatchFlat(batch);
      if (!flat.ok() || !SameFlat(*flat, serial_.flat)) wrong.fetch_add(1);
      auto all = tok_->EncodeBatch(batch);
      if (!all.ok()) {
        wrong.fetch_add(1);
        continue;
      }
      for (size_t i = 0; i < texts_.size(); ++i) {
        if (!SameEncoding((*all)[i], serial_.encodings[i])) wrong.fetch_add(1);
      }
    }
  });
  other.join();
  EXPECT_EQ(wrong.load(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Kinds, ConcurrencyTest, ::testing::ValuesIn(TokenizerKinds()),
                         [](const ::testing::TestParamInfo<Kind>& info) {
                           return info.param.name;
                         });

// DecodeWithValues of xVal tokenizers from many threads.
TEST(XvalConcurrency, DecodeWithValues) {
  auto tok = LoadXvalTokenizer(testing::DataDir() + "/tokenizers/llama2/tokenizer.model", {}, {});
  ASSERT_TRUE(tok.ok()) << tok.status();
  const std::vector<std::string> strings = Texts(120);
  std::vector<Encoding> encodings;
  std::vector<std::string> serial;
  for (const std::string& t : strings) {
    auto e = (*tok)->Encode(t);
    ASSERT_TRUE(e.ok());
    auto d = (*tok)->DecodeWithValues(e->ids, e->values);
    ASSERT_TRUE(d.ok()) << d.status();
    encodings.push_back(*std::move(e));
    serial.push_back(*d);
  }
  const size_t wrong = RunThreads(4, 10, [&](size_t, size_t) {
    for (size_t i = 0; i < encodings.size(); ++i) {
      auto d = (*tok)->DecodeWithValues(encodings[i].ids, encodings[i].values);
      if (!d.ok() || *d != serial[i]) return false;
    }
    return true;
  });
  EXPECT_EQ(wrong, 0u);
}

}  // namespace
}  // namespace xval
