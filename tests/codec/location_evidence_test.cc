// The texts of location evidence: the echo and measurement texts exactly as documented, a
// measurement read back equal, and the strict readers refusing anything else with the line.

#include "gpufleet/codec/location_evidence.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace gpufleet::codec {
namespace {

using ::testing::HasSubstr;

const std::string kNonce(64, 'a');

LandmarkMeasurement SampleMeasurement() {
  return {.landmark = "shanghai",
          .node = "kl-1/n0",
          .nonce_hex = kNonce,
          .echo_signature_base64 = "c2lnbmF0dXJl",
          .rtt_us = 1234,
          .samples = 5,
          .measured_ms = 1'765'000'000'000};
}

TEST(LocationEvidenceTest, EchoMessageIsTheDocumentedText) {
  EXPECT_EQ(EchoMessage("kl-1/n0", kNonce), "gpufleet-echo/v1\nkl-1/n0\n" + kNonce + "\n");
}

TEST(LocationEvidenceTest, NoncesAre32BytesOfLowercaseHex) {
  EXPECT_TRUE(IsEchoNonce(kNonce));
  EXPECT_FALSE(IsEchoNonce(std::string(62, 'a')));
  EXPECT_FALSE(IsEchoNonce(std::string(66, 'a')));
  EXPECT_FALSE(IsEchoNonce(std::string(64, 'A')));
  EXPECT_FALSE(IsEchoNonce(std::string(63, 'a') + "g"));
}

TEST(LocationEvidenceTest, MeasurementTextIsTheDocumentedTextAndReadsBackEqual) {
  const std::string text = MeasurementText(SampleMeasurement());
  EXPECT_EQ(text,
            "gpufleet-landmark-measurement/v1\nlandmark shanghai\nnode kl-1/n0\nnonce " + kNonce +
                "\necho c2lnbmF0dXJl\nrtt_us 1234\nsamples 5\nmeasured_at_ms 1765000000000\n");
  const Result<LandmarkMeasurement> back = ParseMeasurementText(text);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, SampleMeasurement());
}

struct BadMeasurement {
  std::string from, to;  // replaced in the sample's text
  std::string message;
};

TEST(LocationEvidenceTest, MalformedMeasurementsAreRefusedWithTheLine) {
  const BadMeasurement cases[] = {
      {"gpufleet-landmark-measurement/v1", "gpufleet-echo/v1", "line 1: expected"},
      {"landmark shanghai\n", "", "lines, expected 8"},
      {"landmark shanghai", "landmark ", "line 2: landmark: must not be empty"},
      {"node kl-1/n0\nnonce", "nonce", "lines, expected 8"},
      {"node kl-1/n0", "nodes kl-1/n0", "line 3: expected 'node ...'"},
      {"nonce " + kNonce, "nonce " + kNonce.substr(2), "line 4: nonce"},
      {"rtt_us 1234", "rtt_us -3", "line 6: rtt_us: expected a non-negative integer"},
      {"rtt_us 1234", "rtt_us 12x", "line 6: rtt_us"},
      {"samples 5", "samples 0", "line 7: samples: must be in 1..1000"},
      {"measured_at_ms 1765000000000\n", "measured_at_ms 1765000000000", "end with a newline"},
      {"measured_at_ms 1765000000000\n", "measured_at_ms 1\nextra 1\n", "lines, expected 8"},
  };
  for (const BadMeasurement& c : cases) {
    std::string text = MeasurementText(SampleMeasurement());
    const size_t at = text.find(c.from);
    ASSERT_NE(at, std::string::npos) << c.from;
    text.replace(at, c.from.size(), c.to);
    SCOPED_TRACE(text);
    const Result<LandmarkMeasurement> m = ParseMeasurementText(text);
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.status().code(), Status::Code::kInvalidArgument);
    EXPECT_THAT(m.status().message(), HasSubstr(c.message));
  }
}

TEST(LocationEvidenceTest, LandmarksFileReadsEachLandmark) {
  const Result<std::vector<Landmark>> l = ParseLandmarksYaml(
      "landmarks:\n"
      "  - {name: shanghai, lat: 31.23, lon: 121.47, key: \"k1\"}\n"
      "  - name: frankfurt\n"
      "    lat: 50.11\n"
      "    lon: 8.68\n"
      "    key: k2\n",
      "landmarks.yaml");
  ASSERT_TRUE(l.ok()) << l.status().ToString();
  ASSERT_EQ(l->size(), 2u);
  EXPECT_EQ((*l)[0],
            (Landmark{.name = "shanghai", .lat = 31.23, .lon = 121.47, .verifier_key = "k1"}));
  EXPECT_EQ((*l)[1].name, "frankfurt");
  EXPECT_EQ((*l)[1].lon, 8.68);
}

TEST(LocationEvidenceTest, MalformedLandmarksFilesAreRefusedWithTheirPosition) {
  const std::pair<std::string, std::string> cases[] = {
      {"landmark: []\n", "landmarks.yaml:1:1: landmark: unknown key"},
      {"landmarks:\n  - {name: a, lat: 91, lon: 0, key: k}\n", ":2:"},
      {"landmarks:\n  - {name: a, lat: 0, lon: -181, key: k}\n", "lon: must be in -180..180"},
      {"landmarks:\n  - {name: a, lat: 0, lon: 0}\n", "key: missing"},
      {"landmarks:\n  - {name: a, lat: 0, lon: 0, key: k, city: x}\n", "city: unknown key"},
      {"landmarks:\n  - {name: a, lat: 0, lon: 0, key: k}\n  - {name: a, lat: 1, lon: 1, key: "
       "j}\n",
       "landmark 'a' listed twice"},
      {"landmarks:\n  - just-a-name\n", "each landmark must be a map"},
  };
  for (const auto& [yaml, message] : cases) {
    SCOPED_TRACE(yaml);
    const Result<std::vector<Landmark>> l = ParseLandmarksYaml(yaml, "landmarks.yaml");
    ASSERT_FALSE(l.ok());
    EXPECT_THAT(l.status().message(), HasSubstr(message));
  }
}

}  // namespace
}  // namespace gpufleet::codec
