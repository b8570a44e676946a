#include "gpufleet/catalog/accelerator.h"

#include <gtest/gtest.h>

#include <variant>

namespace gpufleet::catalog {
namespace {

TEST(AcceleratorTest, BitLengthsAndNamesFollowTheRule) {
  struct Case {
    Precision p;
    std::string_view name;
    int bits;
  };
  // export-controls.md section 1: "Bit lengths to use".
  const Case cases[] = {
      {Precision::kFp64, "fp64", 64}, {Precision::kFp32, "fp32", 32},
      {Precision::kTf32, "tf32", 19}, {Precision::kFp16, "fp16", 16},
      {Precision::kBf16, "bf16", 16}, {Precision::kFp8, "fp8", 8},
      {Precision::kInt8, "int8", 8},  {Precision::kFp6, "fp6", 6},
      {Precision::kFp4, "fp4", 4},    {Precision::kInt4, "int4", 4},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(BitLength(c.p), c.bits);
    EXPECT_EQ(PrecisionName(c.p), c.name);
    EXPECT_EQ(ParsePrecision(c.name), c.p);
  }
  EXPECT_EQ(ParsePrecision("FP16"), std::nullopt);
  EXPECT_EQ(ParsePrecision("fp12"), std::nullopt);
}

TEST(AcceleratorTest, TppTakesTheHighestPrecisionProduct) {
  AcceleratorSpec s;
  // MLU370-X8-like: INT8 x 8 = 2048 beats FP16 x 16 = 1536 and FP32 x 32 = 768.
  s.dense_tops = {{Precision::kFp32, 24}, {Precision::kFp16, 96}, {Precision::kInt8, 256}};
  ASSERT_TRUE(Tpp(s).has_value());
  EXPECT_DOUBLE_EQ(*Tpp(s), 2048);
  s.dense_tops[Precision::kFp4] = 600;  // 2400 at 4 bits now wins
  EXPECT_DOUBLE_EQ(*Tpp(s), 2400);
}

TEST(AcceleratorTest, TppAndDensityAreUnknownWithoutInputsNotZero) {
  AcceleratorSpec s;
  EXPECT_EQ(Tpp(s), std::nullopt);
  s.die_area_mm2 = 600;
  EXPECT_EQ(PerformanceDensity(s), std::nullopt);
  s.dense_tops[Precision::kBf16] = 197;
  s.die_area_mm2.reset();
  EXPECT_DOUBLE_EQ(*Tpp(s), 3152);
  EXPECT_EQ(PerformanceDensity(s), std::nullopt);
  s.die_area_mm2 = 0;  // only code can build this; the parser rejects it
  EXPECT_EQ(PerformanceDensity(s), std::nullopt);
}

TEST(AcceleratorTest, PerformanceDensityIsTppPerSquareMillimetre) {
  AcceleratorSpec s;
  s.dense_tops = {{Precision::kFp8, 296}};
  s.die_area_mm2 = 814;
  ASSERT_TRUE(PerformanceDensity(s).has_value());
  EXPECT_DOUBLE_EQ(*PerformanceDensity(s), 2368.0 / 814.0);
}

TEST(AcceleratorTest, DomesticOnlyWhereListed) {
  AcceleratorSpec s;
  EXPECT_FALSE(IsDomesticIn(s, "CN"));
  s.domestic_in = {"CN"};
  EXPECT_TRUE(IsDomesticIn(s, "CN"));
  EXPECT_FALSE(IsDomesticIn(s, "US"));
  EXPECT_FALSE(IsDomesticIn(s, "cn"));
}

AcceleratorSpec FullySpecified() {
  AcceleratorSpec s;
  s.id = "x-1";
  s.vendor = "X";
  s.designer_country = "US";
  s.fab_country = "TW";
  s.launch_year = 2024;
  s.datacenter = false;
  s.dense_tops = {{Precision::kFp16, 100}};
  s.die_area_mm2 = 400;
  s.memory_gb = 24;
  s.dram_bw_gbs = 1000;
  s.io_bw_gbs = 64;
  s.price_usd = 1599;
  s.transistors_bn = 76.3;
  return s;
}

bool HasType(const Value& v, ValueType t) {
  switch (t) {
    case ValueType::kBool:
      return std::holds_alternative<bool>(v);
    case ValueType::kNumber:
      return std::holds_alternative<double>(v);
    case ValueType::kString:
      return std::holds_alternative<std::string>(v);
  }
  return false;
}

TEST(AcceleratorTest, EveryFieldInTheSchemaHasItsDeclaredTypeWhenKnown) {
  const AcceleratorSpec s = FullySpecified();
  // The fields the reference rule table (export-controls.md section 3) predicates on.
  for (const char* field : {"tpp", "pd", "is_datacenter", "dram_bw_gbs", "io_bw_gbs", "model",
                            "origin_country", "designer_hq"}) {
    EXPECT_TRUE(ChipFieldTypes().count(field)) << field;
  }
  for (const auto& [field, type] : ChipFieldTypes()) {
    SCOPED_TRACE(field);
    EXPECT_TRUE(HasType(Fact(s, field), type));
  }
}

TEST(AcceleratorTest, EveryFieldIsUnknownOnAnEmptySpec) {
  const AcceleratorSpec empty;
  ASSERT_FALSE(ChipFieldTypes().empty());
  for (const auto& [field, type] : ChipFieldTypes()) {
    EXPECT_TRUE(IsUnknown(Fact(empty, field))) << field;
  }
}

TEST(AcceleratorTest, FactsCarryTheSpecValues) {
  const AcceleratorSpec s = FullySpecified();
  EXPECT_EQ(Fact(s, "tpp"), Value(1600.0));
  EXPECT_EQ(Fact(s, "pd"), Value(4.0));
  EXPECT_EQ(Fact(s, "is_datacenter"), Value(false));
  EXPECT_EQ(Fact(s, "dram_bw_gbs"), Value(1000.0));
  EXPECT_EQ(Fact(s, "io_bw_gbs"), Value(64.0));
  EXPECT_EQ(Fact(s, "memory_gb"), Value(24.0));
  EXPECT_EQ(Fact(s, "transistors_bn"), Value(76.3));
  EXPECT_EQ(Fact(s, "launch_year"), Value(2024.0));
  EXPECT_EQ(Fact(s, "price_usd"), Value(1599.0));
  EXPECT_EQ(Fact(s, "model"), Value(std::string("x-1")));
  EXPECT_EQ(Fact(s, "vendor"), Value(std::string("X")));
  EXPECT_EQ(Fact(s, "designer_country"), Value(std::string("US")));
  EXPECT_EQ(Fact(s, "designer_hq"), Value(std::string("US")));
  EXPECT_EQ(Fact(s, "fab_country"), Value(std::string("TW")));
  EXPECT_TRUE(IsUnknown(Fact(s, "no_such_field")));
}

TEST(AcceleratorTest, OriginIsTheFabCountryAndUnknownWithoutIt) {
  AcceleratorSpec s = FullySpecified();
  EXPECT_EQ(Fact(s, "origin_country"), Value(std::string("TW")));
  s.fab_country.clear();
  // Never the designer's country as a guess: that would assume a Chinese design domestic.
  EXPECT_TRUE(IsUnknown(Fact(s, "origin_country")));
  EXPECT_TRUE(IsUnknown(Fact(s, "fab_country")));
  EXPECT_EQ(Fact(s, "designer_country"), Value(std::string("US")));
}

TEST(AcceleratorTest, DomesticnessIsUnknownWithoutDesignerOrFab) {
  AcceleratorSpec s = FullySpecified();
  s.designer_country = "CN";
  s.fab_country = "CN";
  s.domestic_in = {"CN"};
  EXPECT_EQ(DomesticIn(s, "CN"), Tri::kTrue);
  EXPECT_EQ(DomesticIn(s, "US"), Tri::kFalse);
  s.fab_country.clear();
  EXPECT_EQ(DomesticIn(s, "CN"), Tri::kUnknown) << "listed, but the foundry is not established";
  s.fab_country = "CN";
  s.designer_country.clear();
  EXPECT_EQ(DomesticIn(s, "CN"), Tri::kUnknown);
}

TEST(AcceleratorTest, DatacenterFlagIsThreeValued) {
  AcceleratorSpec s;
  EXPECT_TRUE(IsUnknown(Fact(s, "is_datacenter")));
  s.datacenter = true;
  EXPECT_EQ(Fact(s, "is_datacenter"), Value(true));
}

}  // namespace
}  // namespace gpufleet::catalog
