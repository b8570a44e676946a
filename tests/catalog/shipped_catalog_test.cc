// The catalog that ships in data/catalog/: the published sanity values, the facts rules key
// on, and a row-by-row comparison with the reference table it was written from.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gpufleet/catalog/catalog.h"
#include "support/shared_data.h"

namespace gpufleet::catalog {
namespace {

std::string ShippedPath() {
  return std::string(GPUFLEET_SOURCE_DIR) + "/data/catalog/accelerators.yaml";
}

class ShippedCatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<Catalog> c = Catalog::Load(ShippedPath());
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    catalog_ = std::move(c).value();
  }

  // The model an alias names; fails the test when there is none.
  const AcceleratorSpec& Model(const std::string& alias) const {
    const AcceleratorSpec* m = catalog_->Find(alias);
    if (m == nullptr) {
      ADD_FAILURE() << "no model for '" << alias << "'";
      static const AcceleratorSpec kNone;
      return kNone;
    }
    return *m;
  }

  std::optional<Catalog> catalog_;
};

// export-controls.md M3 and section 7: the reference's published TPP figures.
TEST_F(ShippedCatalogTest, TppMatchesThePublishedSanityValues) {
  struct Pin {
    const char* alias;
    double tpp;
    double tolerance;
  };
  const Pin pins[] = {
      {"H100", 15832, 0.5},   {"H20", 2368, 0.5},  {"RTX 4090", 5285, 1},
      {"RTX 4090D", 4707, 1}, {"A100", 4992, 0.5},
  };
  for (const Pin& p : pins) {
    SCOPED_TRACE(p.alias);
    const std::optional<double> tpp = Tpp(Model(p.alias));
    ASSERT_TRUE(tpp.has_value());
    EXPECT_NEAR(*tpp, p.tpp, p.tolerance);
  }
}

TEST_F(ShippedCatalogTest, PerformanceDensityMatchesTheReference) {
  ASSERT_TRUE(PerformanceDensity(Model("H100")).has_value());
  EXPECT_NEAR(*PerformanceDensity(Model("H100")), 19.45, 0.01);
  ASSERT_TRUE(PerformanceDensity(Model("H20")).has_value());
  EXPECT_NEAR(*PerformanceDensity(Model("H20")), 2.91, 0.01);
}

TEST_F(ShippedCatalogTest, UnpublishedComputeStaysUnknown) {
  for (const char* alias : {"MI308X", "Kunlun P800"}) {
    SCOPED_TRACE(alias);
    EXPECT_EQ(Tpp(Model(alias)), std::nullopt);
    EXPECT_TRUE(IsUnknown(Fact(Model(alias), "tpp")));
    EXPECT_TRUE(IsUnknown(Fact(Model(alias), "pd")));
  }
  // Known TPP, unpublished die area: density is unknown, not infinite or zero.
  EXPECT_TRUE(Tpp(Model("MLU370-X8")).has_value());
  EXPECT_EQ(PerformanceDensity(Model("MLU370-X8")), std::nullopt);
}

TEST_F(ShippedCatalogTest, ChineseDesignsAreDomesticInChina) {
  const AcceleratorSpec& ascend = Model("Ascend 910B");
  EXPECT_TRUE(IsDomesticIn(ascend, "CN"));
  EXPECT_EQ(ascend.designer_country, "CN");
  EXPECT_EQ(Fact(ascend, "origin_country"), Value(std::string("CN")));
  for (const char* alias : {"Ascend 910C", "Ascend 950PR", "MLU370-X8", "MLU590", "Kunlun P800"}) {
    EXPECT_TRUE(IsDomesticIn(Model(alias), "CN")) << alias;
  }
  for (const char* alias : {"H20", "MI308X", "TPU v5e"}) {
    EXPECT_FALSE(IsDomesticIn(Model(alias), "CN")) << alias;
  }
}

TEST_F(ShippedCatalogTest, ConsumerPartsAreNotDatacenterParts) {
  EXPECT_EQ(Fact(Model("RTX 4090"), "is_datacenter"), Value(false));
  EXPECT_EQ(Fact(Model("RTX 4090D"), "is_datacenter"), Value(false));
  EXPECT_EQ(Fact(Model("L20"), "is_datacenter"), Value(true));
  EXPECT_EQ(Fact(Model("H20"), "is_datacenter"), Value(true));
}

TEST_F(ShippedCatalogTest, ModelsRulesNameAreReachableByAlias) {
  for (const char* alias :
       {"H20",       "H200",   "H100",        "A100",        "A800",        "H800",
        "L20",       "L40S",   "RTX 4090",    "RTX 4090D",   "MI300X",      "MI308X",
        "MI308",     "B200",   "B30A",        "Ascend 910B", "Ascend 910C", "Ascend 950PR",
        "MLU370-X8", "MLU590", "Kunlun P800", "TPU v5e"}) {
    EXPECT_NE(catalog_->Find(alias), nullptr) << alias;
  }
  EXPECT_EQ(Model("H100").id, "nvidia-h100-sxm5-80gb");
  EXPECT_NE(catalog_->Find("H100"), catalog_->Find("H100 PCIe"));
}

TEST_F(ShippedCatalogTest, EveryEntryCitesASourceAndOnlyOneIsHypothetical) {
  int hypothetical = 0;
  for (const AcceleratorSpec& m : catalog_->models()) {
    EXPECT_FALSE(m.source.empty()) << m.id;
    EXPECT_FALSE(m.designer_country.empty()) << m.id;
    EXPECT_TRUE(m.datacenter.has_value()) << m.id;
    EXPECT_TRUE(m.launch_year.has_value()) << m.id;
    if (m.hypothetical) {
      ++hypothetical;
      EXPECT_EQ(m.id, "bytedance-broadcom-5nm-asic");
    }
  }
  EXPECT_EQ(hypothetical, 1);
}

TEST_F(ShippedCatalogTest, DefaultPathHonoursTheDataDirOverride) {
  const char* saved = std::getenv("GPUFLEET_DATA_DIR");
  const std::string restore = saved ? saved : "";
  setenv("GPUFLEET_DATA_DIR", (std::string(GPUFLEET_SOURCE_DIR) + "/data").c_str(), 1);
  const std::string found = DefaultCatalogPath();
  setenv("GPUFLEET_DATA_DIR", "/nonexistent/gpufleet-data", 1);
  const std::string missing = DefaultCatalogPath();
  if (saved) {
    setenv("GPUFLEET_DATA_DIR", restore.c_str(), 1);
  } else {
    unsetenv("GPUFLEET_DATA_DIR");
  }
  EXPECT_EQ(found, std::string(GPUFLEET_SOURCE_DIR) + "/data/catalog/accelerators.yaml");
  EXPECT_EQ(missing, "");
}

// --- Row-by-row comparison with ../shared/reference/accelerators.csv -----------------------

// RFC 4180 records (quoted fields may hold commas); the reference file has no quoted
// newlines.
std::vector<std::vector<std::string>> ReadCsv(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::vector<std::string>> rows;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::vector<std::string> fields(1);
    bool quoted = false;
    for (size_t i = 0; i < line.size(); ++i) {
      const char c = line[i];
      if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = !quoted;
      } else if (c == ',' && !quoted) {
        fields.emplace_back();
      } else {
        fields.back() += c;
      }
    }
    rows.push_back(std::move(fields));
  }
  return rows;
}

// The number a cell starts with ("15000 (est)" -> 15000); nullopt for a blank cell.
std::optional<double> LeadingNumber(const std::string& cell) {
  if (cell.empty()) return std::nullopt;
  return std::stod(cell);
}

class ReferenceRowsTest : public ShippedCatalogTest {
 protected:
  void SetUp() override {
    ShippedCatalogTest::SetUp();
    if (HasFatalFailure()) return;
    const std::string dir = testing::ReferenceDir();
    if (dir.empty()) GTEST_SKIP() << "../shared/reference not found; set GPUFLEET_SHARED_DIR";
    rows_ = ReadCsv(dir + "/accelerators.csv");
    ASSERT_GT(rows_.size(), 1u);
    for (size_t i = 0; i < rows_[0].size(); ++i) column_[rows_[0][i]] = i;
    rows_.erase(rows_.begin());
  }

  const std::string& Cell(const std::vector<std::string>& row, const std::string& column) {
    EXPECT_TRUE(column_.count(column)) << column;
    return row.at(column_.at(column));
  }

  // Each CSV row with its catalog entry, matched by full name.
  std::vector<std::pair<std::vector<std::string>, const AcceleratorSpec*>> Matched() {
    std::vector<std::pair<std::vector<std::string>, const AcceleratorSpec*>> out;
    for (const std::vector<std::string>& row : rows_) {
      const AcceleratorSpec* found = nullptr;
      for (const AcceleratorSpec& m : catalog_->models()) {
        if (m.name == Cell(row, "model")) found = &m;
      }
      EXPECT_NE(found, nullptr) << "no catalog entry named '" << Cell(row, "model") << "'";
      if (found != nullptr) out.emplace_back(row, found);
    }
    return out;
  }

  std::vector<std::vector<std::string>> rows_;
  std::map<std::string, size_t> column_;
};

TEST_F(ReferenceRowsTest, OneEntryPerRow) {
  EXPECT_EQ(catalog_->models().size(), rows_.size());
  EXPECT_EQ(Matched().size(), rows_.size());
}

TEST_F(ReferenceRowsTest, DerivedMetricsReproduceTheReferenceColumns) {
  for (const auto& [row, m] : Matched()) {
    SCOPED_TRACE(m->id);
    const std::optional<double> tpp = LeadingNumber(Cell(row, "tpp"));
    ASSERT_EQ(Tpp(*m).has_value(), tpp.has_value());
    if (tpp) {
      EXPECT_NEAR(*Tpp(*m), *tpp, 1.0);  // the column is rounded to integers
    }
    const std::optional<double> pd = LeadingNumber(Cell(row, "performance_density"));
    ASSERT_EQ(PerformanceDensity(*m).has_value(), pd.has_value());
    if (pd) {
      EXPECT_NEAR(*PerformanceDensity(*m), *pd, 0.01);  // rounded to 2 decimals
    }
  }
}

TEST_F(ReferenceRowsTest, SpecificationsMatchTheReferenceColumns) {
  const std::pair<const char*, Precision> rates[] = {
      {"fp16_dense_tflops", Precision::kFp16},
      {"bf16_dense_tflops", Precision::kBf16},
      {"fp8_dense_tflops", Precision::kFp8},
      {"int8_dense_tops", Precision::kInt8},
  };
  for (const auto& [row, m] : Matched()) {
    SCOPED_TRACE(m->id);
    for (const auto& [column, precision] : rates) {
      const auto it = m->dense_tops.find(precision);
      EXPECT_EQ(it == m->dense_tops.end() ? std::nullopt : std::optional<double>(it->second),
                LeadingNumber(Cell(row, column)))
          << column;
    }
    EXPECT_EQ(m->die_area_mm2, LeadingNumber(Cell(row, "die_area_mm2")));
    EXPECT_EQ(m->memory_gb, LeadingNumber(Cell(row, "hbm_gb")));
    EXPECT_EQ(m->dram_bw_gbs, LeadingNumber(Cell(row, "mem_bw_gbs")));
    EXPECT_EQ(m->io_bw_gbs, LeadingNumber(Cell(row, "interconnect_gbs")));
    EXPECT_EQ(m->tdp_w, LeadingNumber(Cell(row, "tdp_w")));
    EXPECT_EQ(m->launch_year, LeadingNumber(Cell(row, "launch_year")));
    EXPECT_EQ(m->form_factor, Cell(row, "form_factor"));
    EXPECT_EQ(m->source, Cell(row, "source"));
    EXPECT_THAT(Cell(row, "vendor"), ::testing::StartsWith(m->vendor));
    // A price per chip-hour is a rental rate, not a purchase price.
    const std::string& price = Cell(row, "est_price_usd");
    if (price.find("per") == std::string::npos) {
      EXPECT_EQ(m->price_usd, LeadingNumber(price));
    } else {
      EXPECT_EQ(m->price_usd, std::nullopt);
    }
    const bool price_estimated = price.find("est") != std::string::npos;
    const bool listed =
        std::find(m->estimates.begin(), m->estimates.end(), "price_usd") != m->estimates.end();
    if (m->price_usd) {
      EXPECT_EQ(listed, price_estimated);
    }
  }
}

}  // namespace
}  // namespace gpufleet::catalog
