// The JSON the ledger endpoints return: exact shapes, and strict decoding.

#include "gpufleet/ledger/wire.h"

#include <gtest/gtest.h>

#include <string>

#include "ledger/concat.h"
#include "ledger/naive_merkle.h"

namespace gpufleet::ledger {
namespace {

using testing::Concat;
using testing::HashFromHex;

const Hash kH1 = HashFromHex("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
constexpr char kH1Base64[] = "bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=";

TEST(WireTest, EncodesTheDocumentedShapes) {
  EXPECT_EQ(EncodeEntries({{7, "hi"}, {8, std::string("\0\xff", 2)}}),
            R"({"entries":[{"index":7,"data":"aGk="},{"index":8,"data":"AP8="}]})");
  EXPECT_EQ(EncodeEntries({}), R"({"entries":[]})");
  EXPECT_EQ(
      EncodeInclusionProof({3, 8, {kH1}}),
      R"({"index":3,"tree_size":8,"hashes":["bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0="]})");
  EXPECT_EQ(EncodeConsistencyProof({4, 8, {}}), R"({"old_size":4,"new_size":8,"hashes":[]})");
}

TEST(WireTest, DecodesWhatItEncodes) {
  const std::vector<LogEntry> entries = {{0, ""}, {1, "x"}, {2, std::string(300, '\x80')}};
  Result<std::vector<LogEntry>> e = DecodeEntries(EncodeEntries(entries));
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(*e, entries);
  const InclusionProofMessage inclusion{5, 9, {kH1, kH1}};
  Result<InclusionProofMessage> i = DecodeInclusionProof(EncodeInclusionProof(inclusion));
  ASSERT_TRUE(i.ok());
  EXPECT_EQ(*i, inclusion);
  const ConsistencyProofMessage consistency{1, 9223372036854775807u, {kH1}};
  Result<ConsistencyProofMessage> c = DecodeConsistencyProof(EncodeConsistencyProof(consistency));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(*c, consistency);
  // Key order and whitespace are not significant on the way in.
  Result<ConsistencyProofMessage> spaced =
      DecodeConsistencyProof(R"( { "hashes" : [ ], "new_size" : 8, "old_size" : 4 } )");
  ASSERT_TRUE(spaced.ok());
  EXPECT_EQ(spaced->new_size, 8u);
}

TEST(WireTest, RejectsWhatItWouldNotWrite) {
  const std::string h = Concat({"\"", kH1Base64, "\""});
  const std::pair<const char*, std::string> inclusion_cases[] = {
      {"tree_size", R"({"index":1,"hashes":[]})"},
      {"unknown key 'extra'", R"({"index":1,"tree_size":2,"hashes":[],"extra":0})"},
      {"'index'", R"({"index":-1,"tree_size":2,"hashes":[]})"},
      {"'index'", R"({"index":1.0,"tree_size":2,"hashes":[]})"},
      {"'index'", R"({"index":"1","tree_size":2,"hashes":[]})"},
      {"'tree_size'", R"({"index":1,"tree_size":9223372036854775808,"hashes":[]})"},
      {"not below", R"({"index":2,"tree_size":2,"hashes":[]})"},
      {"hashes[0]", R"({"index":1,"tree_size":2,"hashes":["AAAA"]})"},
      {"hashes[1]", Concat({R"({"index":1,"tree_size":2,"hashes":[)", h, R"(,7]})"})},
      {"'hashes' is not an array", R"({"index":1,"tree_size":2,"hashes":{}})"},
      {"not JSON", R"({"index":1,)"},
      {"not a JSON object", R"([1,2])"},
  };
  for (const auto& [why, json] : inclusion_cases) {
    Result<InclusionProofMessage> r = DecodeInclusionProof(json);
    ASSERT_FALSE(r.ok()) << json;
    EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
    EXPECT_NE(r.status().message().find(why), std::string::npos)
        << json << " -> " << r.status().message();
  }
  std::string many = R"({"old_size":1,"new_size":2,"hashes":[)";
  for (size_t i = 0; i <= kMaxProofHashes; ++i) {
    if (i > 0) many += ",";
    many += h;
  }
  many += "]}";
  EXPECT_FALSE(DecodeConsistencyProof(many).ok());
  EXPECT_FALSE(DecodeConsistencyProof(R"({"old_size":3,"new_size":2,"hashes":[]})").ok());

  for (const char* json : {
           R"({"entries":[{"index":1,"data":"aGk="},{"index":3,"data":"aGk="}]})",
           R"({"entries":[{"index":1,"data":"aGk"}]})",
           R"({"entries":[{"index":1}]})",
           R"({"entries":[{"index":1,"data":"aGk=","leaf_hash":""}]})",
           R"({"entries":[7]})",
           R"({"entries":{}})",
           R"({})",
       }) {
    EXPECT_FALSE(DecodeEntries(json).ok()) << json;
  }
}

}  // namespace
}  // namespace gpufleet::ledger
