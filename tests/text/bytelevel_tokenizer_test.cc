// Byte-level BPE behaviour: long pieces without quadratic blow-up (and exact against a naive
// merge), tiktoken's special-token semantics, decoding with replacement, LoadTokenizer's
// dispatch, and errors for bad rank files and tokenizer.json files.
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/escaping.h"
#include "gtest/gtest.h"
#include "text/bytelevel/byte_bpe.h"
#include "text/bytelevel/bytelevel_loader.h"
#include "text/bytelevel/utf8_replace.h"
#include "text/bytelevel_corpus.h"
#include "text/pretokenize/pretokenizer.h"
#include "util/file.h"

namespace xval::text {
namespace {

std::unique_ptr<ByteLevelTokenizer> Load(const char* name) {
  auto tok = LoadTiktoken(name, testing::TiktokenOptions());
  EXPECT_TRUE(tok.ok()) << tok.status();
  return tok.ok() ? std::move(*tok) : nullptr;
}

std::string TempFile(const std::string& name, const std::string& content) {
  const std::string path = absl::StrCat(::testing::TempDir(), "/", name);
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

// tiktoken's byte_pair_merge as written (src/lib.rs): quadratic, obviously right.
std::vector<int32_t> NaiveMerge(const ByteLevelTokenizer& tok, absl::string_view piece) {
  std::vector<std::string> parts;
  for (char c : piece) parts.emplace_back(1, c);
  auto rank = [&](const std::string& s) {
    auto id = tok.PieceToId(s);
    return id.ok() ? *id : INT32_MAX;
  };
  while (parts.size() > 1) {
    int32_t best = INT32_MAX;
    size_t at = 0;
    for (size_t i = 0; i + 1 < parts.size(); ++i) {
      const int32_t r = rank(parts[i] + parts[i + 1]);
      if (r < best) best = r, at = i;
    }
    if (best == INT32_MAX) break;
    parts[at] += parts[at + 1];
    parts.erase(parts.begin() + at + 1);
  }
  std::vector<int32_t> ids;
  for (const auto& p : parts) ids.push_back(rank(p));
  return ids;
}

TEST(ByteLevelTokenizerTest, LongPiecesAreFastAndExact) {
  auto tok = Load("cl100k_base");
  ASSERT_NE(tok, nullptr);
  const std::string same(1 << 20, 'x');
  std::string letters;
  testing::SplitMix64 rng(7);
  for (size_t i = 0; i < (1u << 20); ++i) letters.push_back(static_cast<char>('a' + rng.Next() % 26));
  for (const std::string* text : std::vector<const std::string*>{&same, &letters}) {
    // Exactness here; the time (well under a second) is measured by bytelevel_bench.
    std::vector<int32_t> ids;
    tok->EncodeOrdinary(*text, &ids);
    auto back = tok->DecodeBytes(ids);
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, *text);
  }
  // The heap (long pieces) and the array scan (short ones) agree with the naive loop.
  for (size_t len : {5u, 60u, 127u, 128u, 129u, 700u, 3000u}) {
    const absl::string_view piece = absl::string_view(letters).substr(len, len);
    std::vector<int32_t> ids;
    tok->EncodeOrdinary(piece, &ids);
    EXPECT_EQ(ids, NaiveMerge(*tok, piece)) << len;
    const std::string xs(len, 'x');
    ids.clear();
    tok->EncodeOrdinary(xs, &ids);
    EXPECT_EQ(ids, NaiveMerge(*tok, xs)) << len;
  }
}

// tiktoken's encode of one piece: the piece's token when it is one, else the merge.
std::vector<int32_t> ReferencePiece(const ByteLevelTokenizer& tok, absl::string_view piece) {
  auto id = tok.PieceToId(piece);
  return id.ok() ? std::vector<int32_t>{*id} : NaiveMerge(tok, piece);
}

// Pieces seen again are answered from the thread's caches: the front one (up to 15 bytes and 3
// ids), the wide one (up to 15 bytes, 4..11 ids: CJK words), and the map of longer pieces,
// whole tokens of more than 15 bytes among them. Every repeat, in the first call and the next
// (warm) ones, gives the ids tiktoken gives the piece alone.
TEST(ByteLevelTokenizerTest, RepeatedPiecesAreExactFromEveryCache) {
  auto tok = Load("cl100k_base");
  ASSERT_NE(tok, nullptr);
  const std::vector<std::string> pieces = {
      " the",                                   // one id
      " \xe6\xbb\xa1\xe8\xb6\xb3",              // " 满足": 7 bytes, 5 ids (the wide cache)
      " \xe6\x96\xb0\xe8\xaf\xbe\xe6\xa0\x87",  // " 新课标": 10 bytes
      " \xe7\x9a\x84\xe5\x8f\x96\xe5\x80\xbc\xe8\x8c\x83\xe5\x9b\xb4\xe6\x98\xaf",  // 19 bytes
      " MERCHANTABILITY",     // a token of 16 bytes
      " savedInstanceState",  // a token of 19 bytes
      " ----------------",    // 17 bytes, not a token
      " abcdefghijklmnopqrstuvwxyz"};
  std::string text;
  std::vector<int32_t> expected;
  testing::SplitMix64 rng(11);
  for (int i = 0; i < 400; ++i) {
    const std::string& p = pieces[rng.Next() % pieces.size()];
    text += p;
    const std::vector<int32_t> ids = ReferencePiece(*tok, p);
    expected.insert(expected.end(), ids.begin(), ids.end());
  }
  for (const std::string& p : pieces) {
    std::vector<int32_t> alone;
    tok->EncodeOrdinary(p, &alone);
    ASSERT_EQ(alone, ReferencePiece(*tok, p)) << absl::CEscape(p);
  }
  for (int call = 0; call < 3; ++call) {
    std::vector<int32_t> ids;
    tok->EncodeOrdinary(text, &ids);
    EXPECT_EQ(ids, expected) << "call " << call;
  }
}

// More distinct pieces of several ids than the front cache has places, each seen several
// times: the pieces it lets go are kept in the wide cache and come back from there (or are
// merged again), in the first call and the warm ones, with tiktoken's ids every time.
TEST(ByteLevelTokenizerTest, PiecesTheFrontCacheLetsGoStayExact) {
  auto tok = Load("cl100k_base");
  ASSERT_NE(tok, nullptr);
  testing::SplitMix64 rng(23);
  std::vector<std::string> pieces;
  std::vector<std::vector<int32_t>> piece_ids;
  for (int i = 0; i < 40000; ++i) {
    std::string p = " ";
    const size_t len = 4 + rng.Next() % 10;  // 5..14 bytes with the space
    for (size_t k = 0; k < len; ++k) p.push_back(static_cast<char>('a' + rng.Next() % 26));
    piece_ids.push_back(ReferencePiece(*tok, p));
    pieces.push_back(std::move(p));
  }
  std::string text;
  std::vector<int32_t> expected;
  for (int i = 0; i < 3 * 40000; ++i) {
    const size_t k = rng.Next() % pieces.size();
    text += pieces[k];
    expected.insert(expected.end(), piece_ids[k].begin(), piece_ids[k].end());
  }
  for (int call = 0; call < 3; ++call) {
    std::vector<int32_t> ids;
    tok->EncodeOrdinary(text, &ids);
    ASSERT_EQ(ids, expected) << "call " << call;
  }
}

// The PieceKey-keyed table of 2..15-byte tokens answers as the hash map of all tokens does,
// including tokens that differ only by trailing zero bytes (the key pads with zeros, the
// length tells them apart), tokens of 9..15 bytes, and byte strings that are not tokens.
TEST(ByteBpeTest, ShortTokenLookupEqualsFind) {
  std::vector<std::string> tokens;
  for (int b = 0; b < 256; ++b) tokens.emplace_back(1, static_cast<char>(b));
  for (const char* t : {"ab", "abc", "abcd", "abcdefgh", "abcdefghi", "xy", " the", "1234567",
                        "abcdefghijklmno", " international"}) {
    tokens.emplace_back(t);
  }
  tokens.push_back(std::string("a\0", 2));
  tokens.push_back(std::string("a\0\0", 3));
  tokens.push_back(std::string("\0\0\0\0\0\0\0\0", 8));
  tokens.push_back("\xFF\xFE\x80\x00\x01\x02\x7F\xC3");
  auto bpe = ByteBpe::FromRanks(tokens, "test");
  ASSERT_TRUE(bpe.ok()) << bpe.status();
  std::vector<std::string> probes = tokens;
  for (const char* t : {"ba", "abce", "abcdefgg", "  the", "123456", "xyz", "abcdefghijklmnp",
                        " internationa", "abcdefghijklmnop"}) {
    probes.emplace_back(t);
  }
  probes.push_back(std::string("a\0\0\0", 4));
  probes.push_back(std::string("\0\0", 2));
  probes.push_back(std::string("\0\0\0\0\0\0\0\0\0", 9));
  for (const std::string& p : probes) {
    if (p.size() < 2 || p.size() > ShortTokenTable::kMaxLen) continue;
    const auto* bytes = reinterpret_cast<const unsigned char*>(p.data());
    EXPECT_EQ(bpe->FindShort(PieceKey::Of(bytes, 0, p.size(), p.size())), bpe->Find(p))
        << absl::CEscape(p);
    // The key of the piece inside a longer text (read 16 bytes at a time) is the same.
    const std::string longer = "zz" + p + "zzzzzzzzzzzzzzzz";
    const auto* in = reinterpret_cast<const unsigned char*>(longer.data());
    const PieceKey inside = PieceKey::Of(in, 2, p.size(), longer.size());
    const PieceKey alone = PieceKey::Of(bytes, 0, p.size(), p.size());
    EXPECT_TRUE(inside.lo == alone.lo && inside.hi == alone.hi) << absl::CEscape(p);
  }
}

// The pair table packs two ids in 21 bits each: a vocabulary past that is refused with a
// clear error, never encoded with ids cut short.
TEST(ByteBpeTest, TooManyTokensIsAnError) {
  std::vector<std::string> tokens(PairTable::kMaxIds);
  auto bpe = ByteBpe::FromRanks(std::move(tokens), "huge");
  ASSERT_FALSE(bpe.ok());
  EXPECT_NE(bpe.status().message().find("byte-level BPE reads up to"), absl::string_view::npos)
      << bpe.status();
}

// The pair table through its growth from 16 slots: every pair put is found with its last rank
// (its filter never hides one), and pairs never put are not found.
TEST(PairTableTest, FindsEveryPairPutAndNoOther) {
  PairTable table;
  testing::SplitMix64 rng(11);
  absl::flat_hash_map<uint64_t, uint32_t> put;
  auto key = [](int32_t a, int32_t b) { return static_cast<uint64_t>(a) << 32 | b; };
  for (uint32_t rank = 0; rank < 300000; ++rank) {
    const auto a = static_cast<int32_t>(rng.Next() % 3000);  // repeats: a later rank overwrites
    const auto b = static_cast<int32_t>(rng.Next() % 300);
    table.Put(a, b, rank, static_cast<int32_t>(rank));
    put[key(a, b)] = rank;
  }
  size_t wrong = 0;
  for (const auto& [k, rank] : put) {
    wrong +=
        table.Find(static_cast<int32_t>(k >> 32), static_cast<int32_t>(k & 0xFFFFFFFF)) != rank;
  }
  EXPECT_EQ(wrong, 0u);
  EXPECT_EQ(table.size(), put.size());
  size_t found_unput = 0;
  for (int32_t a = 0; a < 3000; ++a) {
    for (int32_t b = 300; b < 310; ++b) found_unput += table.Find(a, b) != PairTable::kNoRank;
  }
  EXPECT_EQ(found_unput, 0u);
  EXPECT_EQ(table.Find(PairTable::kMaxIds - 1, 0), PairTable::kNoRank);
}

// Pieces at the very end of texts of 7, 8, 9 and more bytes (where the whole-piece lookup
// loads the text's last eight bytes) encode as the general merge does.
TEST(ByteLevelTokenizerTest, PiecesAtTheEndOfShortTexts) {
  for (const char* name : {"cl100k_base", "o200k_base"}) {
    auto tok = Load(name);
    ASSERT_NE(tok, nullptr);
    for (const char* text : {"abc def", "abc defg", "x abcdefg", "1+2=3 the", "ab", "the cat",
                             " the cat sat", "zzzzzzzz", "\xC3\xA9t\xC3\xA9 ok", "qwfpgjluy"}) {
      std::vector<int32_t> ids;
      tok->EncodeOrdinary(text, &ids);
      std::vector<int32_t> expected;
      // Split by the encoding's own pattern (through the public PCRE2 path), then merge naively.
      auto split = MakeRegexPreTokenizer(
          std::string(name) == "cl100k_base" ? kCl100kPattern : kO200kPattern, name);
      ASSERT_TRUE(split.ok());
      std::vector<uint32_t> ends;
      (*split)->Split(text, &ends);
      uint32_t begin = 0;
      for (uint32_t e : ends) {
        for (int32_t id : NaiveMerge(*tok, absl::string_view(text).substr(begin, e - begin))) {
          expected.push_back(id);
        }
        begin = e;
      }
      EXPECT_EQ(ids, expected) << name << " on \"" << text << "\"";
    }
  }
}

TEST(ByteLevelTokenizerTest, SpecialTokensFollowTiktoken) {
  auto tok = Load("cl100k_base");
  ASSERT_NE(tok, nullptr);
  const std::string text = "hi<|endoftext|> x<|fim_prefix|>";
  // encode() with its defaults: every special token is disallowed.
  auto r = tok->EncodeIds(text, SpecialSet::None(), SpecialSet::All());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("<|endoftext|>"), absl::string_view::npos);
  // Allowed: matched as one token each.
  r = tok->EncodeIds(text, SpecialSet::All(), SpecialSet::None());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(std::count(r->begin(), r->end(), 100257), 1);
  EXPECT_EQ(r->back(), 100258);
  // Only one allowed, the other still disallowed by "all".
  SpecialSet eot;
  eot.tokens.insert("<|endoftext|>");
  r = tok->EncodeIds(text, eot, SpecialSet::All());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("<|fim_prefix|>"), absl::string_view::npos);
  // ... or treated as text when not disallowed.
  r = tok->EncodeIds(text, eot, SpecialSet::None());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::count(r->begin(), r->end(), 100257), 1);
  EXPECT_EQ(std::count(r->begin(), r->end(), 100258), 0);
  // encode_ordinary: special tokens are text.
  std::vector<int32_t> ordinary;
  tok->EncodeOrdinary(text, &ordinary);
  EXPECT_EQ(std::count(ordinary.begin(), ordinary.end(), 100257), 0);
  EXPECT_EQ(*tok->Decode(ordinary), text);
  // Through the Tokenizer interface: parse_special, offsets that tile the text.
  auto enc = tok->Encode(text, EncodeOptions{});
  ASSERT_TRUE(enc.ok());
  EXPECT_EQ(enc->ids, *tok->EncodeIds(text, SpecialSet::All(), SpecialSet::None()));
  uint32_t pos = 0;
  for (const Offset& o : enc->offsets) {
    EXPECT_EQ(o.begin, pos);
    pos = o.end;
  }
  EXPECT_EQ(pos, text.size());
  EXPECT_EQ(*tok->Decode(enc->ids), text);
}

// Offsets come from the pieces (a piece that is one token) or the tokens' lengths (a merged
// piece): either way each token spans its own bytes, the spans tile the text, and EncodeInto's
// base shifts them all.
TEST(ByteLevelTokenizerTest, OffsetsAreEachTokensBytes) {
  for (const char* name : {"cl100k_base", "o200k_base"}) {
    auto tok = Load(name);
    ASSERT_NE(tok, nullptr);
    std::vector<std::string> texts = {"<|endoftext|>a b<|endoftext|>", "x", "",
                                      "qwfpgjluy  \xC3\xA9\xFF 12345 don't",
                                      // '<' starts every special token: with and without one.
                                      "a < b <|endoftext", "x<|endoftext|>", "<<|endoftext|>>"};
    for (const std::string& file : testing::CorpusFiles()) {
      auto strings = testing::CorpusStrings(file);
      ASSERT_TRUE(strings.ok()) << strings.status();
      for (size_t i = 0; i < strings->size() && i < 300; ++i) texts.push_back((*strings)[i]);
    }
    EncodeOptions options;
    options.parse_special = true;
    for (const std::string& text : texts) {
      Encoding enc;
      ASSERT_TRUE(tok->EncodeInto(text, options, 7, &enc).ok());
      ASSERT_EQ(enc.offsets.size(), enc.ids.size());
      uint32_t pos = 7;
      for (size_t i = 0; i < enc.ids.size(); ++i) {
        auto piece = tok->IdToPiece(enc.ids[i]);
        ASSERT_TRUE(piece.ok());
        EXPECT_EQ(enc.offsets[i].begin, pos) << name << " on \"" << text << "\"";
        EXPECT_EQ(enc.offsets[i].end - enc.offsets[i].begin, piece->size()) << name;
        EXPECT_EQ(text.substr(enc.offsets[i].begin - 7, piece->size()), *piece) << name;
        pos = enc.offsets[i].end;
      }
      EXPECT_EQ(pos, 7 + text.size()) << name << " on \"" << text << "\"";
    }
  }
}

TEST(ByteLevelTokenizerTest, DecodeReplacesInvalidUtf8AsPython) {
  // Expected values from Python: bytes.decode("utf-8", errors="replace").
  EXPECT_EQ(Utf8Replace("a\xFF" "b"), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(Utf8Replace("\xE2\x82"), "\xEF\xBF\xBD");
  EXPECT_EQ(Utf8Replace("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(Utf8Replace("\xF0\x9F\x98"), "\xEF\xBF\xBD");
  EXPECT_EQ(Utf8Replace("\xF0\x9F\x98\x80"), "\xF0\x9F\x98\x80");
  EXPECT_EQ(Utf8Replace("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");
  auto tok = Load("o200k_base");
  ASSERT_NE(tok, nullptr);
  // The first two bytes of an emoji, as single-byte tokens.
  const std::vector<int32_t> ids = {*tok->PieceToId("\xF0"), *tok->PieceToId("\x9F")};
  EXPECT_EQ(*tok->Decode(ids), "\xEF\xBF\xBD");
  EXPECT_EQ(*tok->DecodeBytes(ids), "\xF0\x9F");
  EXPECT_EQ(tok->Decode({199998 + 3}).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(tok->Decode({-1}).status().code(), absl::StatusCode::kOutOfRange);
}

TEST(ByteLevelTokenizerTest, InvalidUtf8InputRoundTrips) {
  auto tok = Load("cl100k_base");
  ASSERT_NE(tok, nullptr);
  const std::string text = "ok \xFF\xFE x\xC3 \xED\xA0\x80!";
  std::vector<int32_t> ids;
  tok->EncodeOrdinary(text, &ids);
  EXPECT_EQ(*tok->DecodeBytes(ids), text);
}

TEST(ByteLevelTokenizerTest, LoadTokenizerDispatch) {
  TokenizerOptions options;
  options.data_dir = testing::DataDir();
  auto by_name = LoadTokenizer("gpt2", options);
  ASSERT_TRUE(by_name.ok()) << by_name.status();
  EXPECT_EQ((*by_name)->vocab_size(), 50257);
  auto with_dir = LoadTokenizer("o200k_base", options);
  ASSERT_TRUE(with_dir.ok()) << with_dir.status();
  EXPECT_EQ((*with_dir)->vocab_size(), 200019);
  auto by_path = LoadTokenizer(testing::DataDir() + "/tokenizers/tiktoken/cl100k_base.tiktoken");
  ASSERT_TRUE(by_path.ok()) << by_path.status();
  EXPECT_EQ((*by_path)->vocab_size(), 100277);
  const std::string other = TempFile("mine.tiktoken", "YQ== 0\n");
  auto unknown = LoadTokenizer(other);
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("mine.tiktoken"), absl::string_view::npos);
  options.data_dir = "/nonexistent";
  EXPECT_EQ(LoadTokenizer("cl100k_base", options).status().code(), absl::StatusCode::kNotFound);
}

// A rank file of all 256 bytes, then `extra` lines.
std::string Ranks(const std::string& extra) {
  std::string out;
  for (int b = 0; b < 256; ++b) {
    std::string s(1, static_cast<char>(b)), enc;
    absl::Base64Escape(s, &enc);
    absl::StrAppend(&out, enc, " ", b, "\n");
  }
  return out + extra;
}

TEST(ByteLevelLoaderErrors, RankFiles) {
  struct Bad {
    std::string content, expect;
  };
  const std::vector<Bad> cases = {
      {Ranks("YW*= 256\n"), "gpt2.tiktoken:257: bad base64"},
      {Ranks("YWI= 255\n"), "gpt2.tiktoken:257: duplicate rank 255 (first at line 256)"},
      {Ranks("YWI= 257\n"), "gpt2.tiktoken: rank 256 is missing"},
      {Ranks("YQ== 256\n"), "gpt2.tiktoken:257: duplicate token"},
      {Ranks("YWI= x\n"), "gpt2.tiktoken:257: bad rank"},
      {Ranks("YWI=256\n"), "gpt2.tiktoken:257: expected"},
      {"YQ== 0\n", "has no token"},
  };
  for (const Bad& c : cases) {
    const std::string path = TempFile("gpt2.tiktoken", c.content);
    auto tok = LoadTokenizer(path);
    ASSERT_FALSE(tok.ok()) << c.expect;
    EXPECT_NE(tok.status().message().find(c.expect), absl::string_view::npos)
        << tok.status() << "\nexpected: " << c.expect;
  }
}

// The GPT-2 byte-level alphabet (bytes_to_unicode) as UTF-8.
std::string Alphabet(const std::string& bytes) {
  std::string out;
  for (unsigned char b : bytes) {
    int n = 0, cp = b;
    const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE;
    if (!printable) {
      for (int x = 0; x < b; ++x) {
        n += !((x >= '!' && x <= '~') || (x >= 0xA1 && x <= 0xAC) || x >= 0xAE);
      }
      cp = 256 + n;
    }
    if (cp == '"' || cp == '\\') out.push_back('\\');
    util::AppendUtf8(static_cast<char32_t>(cp), &out);
  }
  return out;
}

// A tokenizer.json for Hugging Face tokenizers made from tiktoken ranks, as transformers'
// TikTokenConverter does: each token's merge is the last step of BPE over its bytes with the
// ranks below its own. tests/tools/gen_bytelevel_golden.py builds the same file with
// `tokenizers` for the golden ids.
std::string Gpt2TokenizerJson(const ByteLevelTokenizer& tok, const std::string& pre_tokenizer,
                              const std::string& merges_override = "") {
  std::string vocab, merges;
  for (int32_t id = 0; id < 50256; ++id) {
    const std::string bytes = *tok.IdToPiece(id);
    absl::StrAppend(&vocab, id ? "," : "", "\"", Alphabet(bytes), "\":", id);
    if (bytes.size() < 2) continue;
    std::vector<std::string> parts;
    for (char c : bytes) parts.emplace_back(1, c);
    while (parts.size() > 2) {
      int32_t best = INT32_MAX;
      size_t at = 0;
      for (size_t i = 0; i + 1 < parts.size(); ++i) {
        auto r = tok.PieceToId(parts[i] + parts[i + 1]);
        if (r.ok() && *r < best && *r < id) best = *r, at = i;
      }
      if (best == INT32_MAX) break;
      parts[at] += parts[at + 1];
      parts.erase(parts.begin() + at + 1);
    }
    if (parts.size() == 2) {
      absl::StrAppend(&merges, merges.empty() ? "" : ",", "\"", Alphabet(parts[0]), " ",
                      Alphabet(parts[1]), "\"");
    }
  }
  absl::StrAppend(&vocab, ",\"<|endoftext|>\":50256");
  return absl::StrCat(
      R"({"version":"1.0","added_tokens":[{"id":50256,"content":"<|endoftext|>","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true}],"normalizer":null,"pre_tokenizer":)",
      pre_tokenizer,
      R"(,"post_processor":null,"decoder":{"type":"ByteLevel","add_prefix_space":false,"trim_offsets":true,"use_regex":true},"model":{"type":"BPE","dropout":null,"unk_token":null,"continuing_subword_prefix":"","end_of_word_suffix":"","fuse_unk":false,"byte_fallback":false,"vocab":{)",
      vocab, "},\"merges\":[", merges_override.empty() ? merges : merges_override, "]}}");
}

constexpr const char* kByteLevelPre =
    R"({"type":"ByteLevel","add_prefix_space":false,"trim_offsets":true,"use_regex":true})";

TEST(ByteLevelTokenizerJson, EqualsHuggingFaceOnTheCorpus) {
  auto tik = Load("gpt2");
  ASSERT_NE(tik, nullptr);
  const std::string path = TempFile("gpt2_tokenizer.json", Gpt2TokenizerJson(*tik, kByteLevelPre));
  auto tok = LoadTokenizer(path);
  ASSERT_TRUE(tok.ok()) << tok.status();
  auto* hf = dynamic_cast<ByteLevelTokenizer*>(tok->get());
  ASSERT_NE(hf, nullptr) << "not dispatched to the byte-level loader";
  auto golden = util::ReadFile(absl::StrCat(testing::GoldenDir(), "/hf_gpt2.json"));
  ASSERT_TRUE(golden.ok()) << golden.status();
  for (const std::string& file : testing::CorpusFiles()) {
    auto strings = testing::CorpusStrings(file);
    ASSERT_TRUE(strings.ok());
    testing::IdHash hash;
    for (const std::string& s : *strings) {
      auto enc = hf->Encode(s, EncodeOptions{});
      ASSERT_TRUE(enc.ok());
      hash.Add(enc->ids);
    }
    // hf_gpt2.json: {"<file>": "<hash of tokenizers' ids>", ...}
    EXPECT_NE(golden->find(absl::StrCat("\"", file, "\":\"", hash.Hex(), "\"")), std::string::npos)
        << file << ": ids differ from Hugging Face tokenizers'";
  }
  EXPECT_EQ(*hf->Decode(*hf->EncodeIds("héllo <|endoftext|>", SpecialSet::All(), {})),
            "héllo <|endoftext|>");
}

TEST(ByteLevelLoaderErrors, TokenizerJson) {
  auto tik = Load("gpt2");
  ASSERT_NE(tik, nullptr);
  struct Bad {
    std::string content, expect;
  };
  const std::vector<Bad> cases = {
      {R"({"pre_tokenizer":{"type":"ByteLevel"},"model":{"type":"BPE","vocab":{"a":0},"merges":[)",
       "JSON"},
      {Gpt2TokenizerJson(
           *tik,
           R"({"type":"Split","pattern":{"Regex":"(?<x"},"behavior":"Isolated","invert":false})"),
       "pre_tokenizer.pattern: pattern rejected by PCRE2"},
      {Gpt2TokenizerJson(*tik, kByteLevelPre, R"("Ġ zzzzzz")"),
       "model.merges[0]: its right part is not in the vocabulary"},
      {Gpt2TokenizerJson(*tik, kByteLevelPre, R"(17)"), "model.merges[0]: expected"},
      // Shapes the byte-level loader leaves to the general pipeline are refused there by name.
      {Gpt2TokenizerJson(
           *tik,
           R"({"type":"Sequence","pretokenizers":[{"type":"Whitespaces"}, {"type":"ByteLevel"}]})"),
       "pre_tokenizer.pretokenizers[0].type: pre-tokenizer \"Whitespaces\" is not supported"},
  };
  for (const Bad& c : cases) {
    const std::string path = TempFile("bad_tokenizer.json", c.content);
    auto tok = LoadTokenizer(path);
    ASSERT_FALSE(tok.ok()) << c.expect;
    EXPECT_NE(tok.status().message().find(c.expect), absl::string_view::npos)
        << tok.status() << "\nexpected: " << c.expect;
    EXPECT_NE(tok.status().message().find("bad_tokenizer.json"), absl::string_view::npos);
  }
}

}  // namespace
}  // namespace xval::text
