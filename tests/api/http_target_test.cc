#include "api/http_target.h"

#include <gtest/gtest.h>

namespace gpufleet::api {
namespace {

TEST(HttpTargetTest, PathIsDecodedQueryKeptRaw) {
  const RequestTarget t = ParseRequestTarget("/v1/jobs/j%2042+x?a=1%262&b=x+y#frag");
  ASSERT_TRUE(t.valid);
  EXPECT_EQ(t.path, "/v1/jobs/j 42+x");  // '+' is a space only in the query
  EXPECT_EQ(t.query, "a=1%262&b=x+y");
  EXPECT_FALSE(ParseRequestTarget("http://host/v1").valid);
  EXPECT_FALSE(ParseRequestTarget("*").valid);
  EXPECT_FALSE(ParseRequestTarget("").valid);
  // A broken escape stays as sent.
  EXPECT_EQ(ParseRequestTarget("/a%zz%4").path, "/a%zz%4");
}

TEST(HttpTargetTest, SplitPathKeepsEmptySegments) {
  EXPECT_EQ(SplitPath("/"), (std::vector<std::string_view>{""}));
  EXPECT_EQ(SplitPath("/v1/jobs/"), (std::vector<std::string_view>{"v1", "jobs", ""}));
  EXPECT_EQ(SplitPath("/a//b"), (std::vector<std::string_view>{"a", "", "b"}));
}

// Segments are split before decoding: an escaped '/' (a node named "site/node") or '#' stays
// inside its segment.
TEST(HttpTargetTest, SegmentsAreDecodedOneByOne) {
  const RequestTarget t = ParseRequestTarget("/v1/nodes/bj-01%2Fh20%231?x=1");
  EXPECT_EQ(t.segments, (std::vector<std::string>{"v1", "nodes", "bj-01/h20#1"}));
  EXPECT_EQ(t.path, "/v1/nodes/bj-01/h20#1");
  EXPECT_EQ(ParseRequestTarget("/").segments, (std::vector<std::string>{""}));
}

TEST(HttpTargetTest, QueryParametersAreDecodedAndRepeatable) {
  const std::multimap<std::string, std::string> q = ParseQuery("a=1%262&b=x+y&a=3&flag&=v&&c=");
  EXPECT_EQ(q, (std::multimap<std::string, std::string>{
                   {"a", "1&2"}, {"a", "3"}, {"b", "x y"}, {"c", ""}, {"flag", ""}}));
  EXPECT_TRUE(ParseQuery("").empty());
}

}  // namespace
}  // namespace gpufleet::api
