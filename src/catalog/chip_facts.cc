// Fact() and ChipFieldTypes(): what a compliance rule may read about a chip. One table holds
// each field's name, type and getter, so the schema the rule parser checks against cannot
// disagree with the values rules see.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gpufleet/catalog/accelerator.h"

namespace gpufleet::catalog {
namespace {

using Getter = Value (*)(const AcceleratorSpec&);

struct FactField {
  std::string name;
  ValueType type;
  Getter get;
};

Value Number(const std::optional<double>& v) { return v ? Value(*v) : Value(); }
Value Text(const std::string& s) { return s.empty() ? Value() : Value(s); }

// Customs origin is where the wafers are made; unknown when the foundry is not established
// (see accelerator.h): guessing the designer's country would assume a part domestic.
Value OriginCountry(const AcceleratorSpec& s) { return Text(s.fab_country); }

const std::vector<FactField>& FactFields() {
  static const std::vector<FactField>* const fields = new std::vector<FactField>{
      {"tpp", ValueType::kNumber, [](const AcceleratorSpec& s) { return Number(Tpp(s)); }},
      {"pd", ValueType::kNumber,
       [](const AcceleratorSpec& s) { return Number(PerformanceDensity(s)); }},
      {"is_datacenter", ValueType::kBool,
       [](const AcceleratorSpec& s) { return s.datacenter ? Value(*s.datacenter) : Value(); }},
      {"dram_bw_gbs", ValueType::kNumber,
       [](const AcceleratorSpec& s) { return Number(s.dram_bw_gbs); }},
      {"io_bw_gbs", ValueType::kNumber,
       [](const AcceleratorSpec& s) { return Number(s.io_bw_gbs); }},
      {"memory_gb", ValueType::kNumber,
       [](const AcceleratorSpec& s) { return Number(s.memory_gb); }},
      {"transistors_bn", ValueType::kNumber,
       [](const AcceleratorSpec& s) { return Number(s.transistors_bn); }},
      {"launch_year", ValueType::kNumber,
       [](const AcceleratorSpec& s) {
         return s.launch_year ? Value(static_cast<double>(*s.launch_year)) : Value();
       }},
      {"price_usd", ValueType::kNumber,
       [](const AcceleratorSpec& s) { return Number(s.price_usd); }},
      {"model", ValueType::kString, [](const AcceleratorSpec& s) { return Text(s.id); }},
      {"vendor", ValueType::kString, [](const AcceleratorSpec& s) { return Text(s.vendor); }},
      {"designer_country", ValueType::kString,
       [](const AcceleratorSpec& s) { return Text(s.designer_country); }},
      // The reference rule table (export-controls.md section 3) calls it designer_hq.
      {"designer_hq", ValueType::kString,
       [](const AcceleratorSpec& s) { return Text(s.designer_country); }},
      {"fab_country", ValueType::kString,
       [](const AcceleratorSpec& s) { return Text(s.fab_country); }},
      {"origin_country", ValueType::kString, &OriginCountry},
  };
  return *fields;
}

}  // namespace

const std::map<std::string, ValueType>& ChipFieldTypes() {
  static const std::map<std::string, ValueType>* const types = [] {
    auto* m = new std::map<std::string, ValueType>;
    for (const FactField& f : FactFields()) m->emplace(f.name, f.type);
    return m;
  }();
  return *types;
}

Value Fact(const AcceleratorSpec& spec, std::string_view field) {
  for (const FactField& f : FactFields()) {
    if (f.name == field) return f.get(spec);
  }
  return Value();
}

}  // namespace gpufleet::catalog
