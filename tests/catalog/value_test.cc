#include "gpufleet/catalog/value.h"

#include <gtest/gtest.h>

namespace gpufleet::catalog {
namespace {

TEST(ValueTest, TriNamesAreDistinctWords) {
  EXPECT_EQ(TriName(Tri::kFalse), "false");
  EXPECT_EQ(TriName(Tri::kTrue), "true");
  EXPECT_EQ(TriName(Tri::kUnknown), "unknown");
}

TEST(ValueTest, OnlyMonostateIsUnknown) {
  EXPECT_TRUE(IsUnknown(Value()));
  EXPECT_FALSE(IsUnknown(Value(0.0)));
  EXPECT_FALSE(IsUnknown(Value(false)));
  EXPECT_FALSE(IsUnknown(Value(std::string())));
}

}  // namespace
}  // namespace gpufleet::catalog
