#include "gpufleet/model/fleet.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gpufleet/model/job.h"
#include "gpufleet/model/rng.h"

namespace gpufleet {
namespace {

using ::testing::HasSubstr;

TEST(FleetTest, AssignsDenseIdsAndFindsByName) {
  Fleet f;
  auto h20 = f.AddModel("NVIDIA", "H20", 96 * 1024);
  auto ascend = f.AddModel("Huawei", "Ascend910B", 64 * 1024);
  auto site = f.AddSite("bj-1", "CN", "self", Ownership::kOwned);
  ASSERT_TRUE(h20.ok() && ascend.ok() && site.ok());
  EXPECT_EQ(h20->value(), 0);
  EXPECT_EQ(ascend->value(), 1);
  auto n0 = f.AddNode("n0", *site, *h20, 8, 96000, 1 << 20);
  auto n1 = f.AddNode("n1", *site, *ascend, 8, 192000, 1 << 21);
  auto cpu = f.AddNode("cpu0", *site, ChipModelId(0), 0, 64000, 1 << 18);
  ASSERT_TRUE(n0.ok() && n1.ok() && cpu.ok());
  EXPECT_EQ(f.total_gpus(), 16);
  EXPECT_EQ(f.FindNode("n1"), *n1);
  EXPECT_EQ(f.FindModel("Ascend910B"), *ascend);
  EXPECT_FALSE(f.FindNode("nope").has_value());
  EXPECT_EQ(f.node(*n1).cpu_milli, 192000);
  auto org = f.AddOrganisation("acme");
  ASSERT_TRUE(org.ok());
  auto tenant = f.AddTenant("llm-training", *org);
  ASSERT_TRUE(tenant.ok());
  EXPECT_EQ(f.tenant(*tenant).org, *org);
}

TEST(FleetTest, RejectsDuplicatesUnknownIdsAndBadSizes) {
  Fleet f;
  auto m = f.AddModel("NVIDIA", "H20", 0);
  auto s = f.AddSite("s", "CN", "self", Ownership::kOwned);
  ASSERT_TRUE(m.ok() && s.ok());
  EXPECT_FALSE(f.AddModel("NVIDIA", "H20", 0).ok());
  ASSERT_TRUE(f.AddNode("n", *s, *m, 1, 1, 1).ok());
  auto dup = f.AddNode("n", *s, *m, 1, 1, 1);
  ASSERT_FALSE(dup.ok());
  EXPECT_THAT(dup.status().message(), HasSubstr("n"));
  EXPECT_EQ(f.AddNode("x", SiteId(7), *m, 1, 1, 1).status().code(), Status::Code::kNotFound);
  EXPECT_EQ(f.AddNode("y", *s, ChipModelId(9), 1, 1, 1).status().code(), Status::Code::kNotFound);
  EXPECT_FALSE(f.AddNode("z", *s, *m, kMaxGpusPerNode + 1, 1, 1).ok());
  EXPECT_FALSE(f.AddNode("w", *s, *m, 1, -1, 1).ok());
  EXPECT_EQ(f.nodes().size(), 1u) << "failed adds leave nothing behind";
  EXPECT_EQ(f.total_gpus(), 1);
}

TEST(OwnershipTest, RoundTripsItsNames) {
  for (Ownership o : {Ownership::kOwned, Ownership::kLeased, Ownership::kRented}) {
    auto back = ParseOwnership(OwnershipName(o));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, o);
  }
  EXPECT_FALSE(ParseOwnership("borrowed").ok());
}

TEST(PodRequestTest, ValidatesShares) {
  EXPECT_TRUE(ValidatePodRequest({1000, 10, 1, 500, {}, nullptr}, "p").ok());
  EXPECT_TRUE(ValidatePodRequest({1000, 10, 4, 1000, {}, nullptr}, "p").ok());
  EXPECT_FALSE(ValidatePodRequest({1000, 10, 2, 500, {}, nullptr}, "p").ok());
  EXPECT_FALSE(ValidatePodRequest({-1, 10, 0, 0, {}, nullptr}, "p").ok());
  EXPECT_FALSE(ValidatePodRequest({1, 10, 1, 1001, {}, nullptr}, "p").ok());
  const PodRequest sharing{1000, 10, 1, 300, {}, nullptr};
  EXPECT_TRUE(sharing.sharing());
  EXPECT_EQ(sharing.total_gpu_milli(), 300);
  EXPECT_TRUE((PodRequest{1000, 10, 0, 0, {}, nullptr}).cpu_only());
}

TEST(ModelSetTest, EmptyAllowsAnyModel) {
  ModelSet any;
  EXPECT_TRUE(any.Allows(ChipModelId(5)));
  ModelSet some = ModelSet::Of({ChipModelId(1), ChipModelId(63)});
  EXPECT_TRUE(some.Allows(ChipModelId(63)));
  EXPECT_FALSE(some.Allows(ChipModelId(2)));
}

TEST(WorkloadClassesTest, DefaultsAndLookup) {
  WorkloadClasses classes;
  EXPECT_EQ(classes.size(), 4u);
  auto inference = classes.Find("inference");
  ASSERT_TRUE(inference.ok());
  EXPECT_EQ(classes.name(*inference), "inference");
  EXPECT_EQ(classes.Find("mining").status().code(), Status::Code::kNotFound);
}

TEST(RngTest, SeedsReproduceAndUniformStaysInRange) {
  Rng a(42), b(42), c(43);
  bool differs = false;
  for (int i = 0; i < 1000; ++i) {
    const uint64_t x = a.Next();
    EXPECT_EQ(x, b.Next());
    differs |= x != c.Next();
    EXPECT_LT(a.Uniform(7), 7u);
    const double d = a.UniformDouble();
    EXPECT_GE(d, 0.0);
    EXPECT_LT(d, 1.0);
    b.Uniform(7);
    b.UniformDouble();
  }
  EXPECT_TRUE(differs);
}

}  // namespace
}  // namespace gpufleet
