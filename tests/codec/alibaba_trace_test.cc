#include "gpufleet/codec/alibaba_trace.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "support/shared_data.h"

namespace gpufleet::codec {
namespace {

using ::testing::HasSubstr;

class AlibabaTraceTest : public ::testing::Test {
 protected:
  // Writes `text` to a file of the test's own and returns its path.
  std::string Write(const std::string& name, const std::string& text) {
    std::string test = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::replace(test.begin(), test.end(), '/', '_');
    const std::string path = ::testing::TempDir() + "/gpufleet_codec_" + test + "_" + name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  Fleet Nodes() {
    auto fleet = ReadAlibabaNodes(Write("nodes.csv",
                                        "sn,cpu_milli,memory_mib,gpu,model\n"
                                        "n0,32000,262144,0,\n"
                                        "n1,64000,262144,2,P100\n"
                                        "n2,96000,786432,8,V100M32\n"
                                        "n3,64000,262144,2,P100\n"));
    EXPECT_TRUE(fleet.ok()) << fleet.status().ToString();
    return std::move(fleet).value();
  }

  static constexpr char kPodHeader[] =
      "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,"
      "deletion_time,scheduled_time\n";
};

TEST_F(AlibabaTraceTest, ReadsNodesWithModelsInFirstAppearanceOrder) {
  Fleet fleet = Nodes();
  ASSERT_EQ(fleet.nodes().size(), 4u);
  EXPECT_EQ(fleet.total_gpus(), 12);
  ASSERT_EQ(fleet.models().size(), 2u);
  EXPECT_EQ(fleet.models()[0].name, "P100");
  EXPECT_EQ(fleet.models()[1].name, "V100M32");
  EXPECT_EQ(fleet.nodes()[0].gpu_count, 0);
  EXPECT_EQ(fleet.nodes()[2].gpu_model, fleet.FindModel("V100M32"));
  EXPECT_EQ(fleet.nodes()[2].memory_mib, 786432);
  ASSERT_EQ(fleet.sites().size(), 1u);
  EXPECT_EQ(fleet.sites()[0].country, "CN");
}

TEST_F(AlibabaTraceTest, ConvertsPodsAsTheReferenceSimulator) {
  Fleet fleet = Nodes();
  auto pods = ReadAlibabaPods(
      Write("pods.csv", std::string(kPodHeader) + "p0,12000,16384,1,1000,,LS,Running,0,50,2\n"
                                                  "p1,6000,8192,0,700,,BE,Failed,5,9,\n"
                                                  "p2,6000,8192,1,1500,P100|,LS,Running,1,2,1\n"
                                                  "p3,6000,8192,1,-5,,LS,Running,1,2,1\n"
                                                  "p4,88000,1,8,1000,V100M32|P100,LS,,,,\n"),
      fleet);
  ASSERT_TRUE(pods.ok()) << pods.status().ToString();
  ASSERT_EQ(pods->size(), 5u);
  const auto& p = *pods;
  EXPECT_EQ(p[0].pod.gpu_milli, 1000);
  EXPECT_EQ(p[0].creation_time, 0);
  EXPECT_EQ(p[0].deletion_time, 50);
  EXPECT_EQ(p[0].scheduled_time, 2);
  EXPECT_TRUE(p[1].pod.cpu_only()) << "num_gpu 0 ignores gpu_milli";
  EXPECT_EQ(p[1].pod.gpu_milli, 0);
  EXPECT_FALSE(p[1].scheduled_time.has_value());
  EXPECT_EQ(p[1].qos, "BE");
  EXPECT_EQ(p[2].pod.gpu_milli, 1000) << "clamped";
  EXPECT_EQ(p[2].pod.allowed_models, ModelSet::Of({*fleet.FindModel("P100")}));
  EXPECT_EQ(p[2].gpu_spec, "P100|");
  EXPECT_TRUE(p[3].pod.cpu_only()) << "a non-positive share acts as CPU-only";
  EXPECT_EQ(p[3].pod.gpu_count, 1) << "the count is kept for the typical-task shape";
  EXPECT_EQ(p[4].pod.gpu_count, 8);
  EXPECT_TRUE(p[4].pod.allowed_models.Allows(*fleet.FindModel("P100")));
  EXPECT_FALSE(p[4].creation_time.has_value());
}

TEST_F(AlibabaTraceTest, ReadsTheFiveColumnVariant) {
  Fleet fleet = Nodes();
  auto pods = ReadAlibabaPods(Write("pods.csv",
                                    "name,cpu_milli,memory_mib,num_gpu,gpu_milli\r\n"
                                    "p0,12000,16384,4,1000\r\n"
                                    "p1,1000,100,1,250\r\n"),
                              fleet);
  ASSERT_TRUE(pods.ok()) << pods.status().ToString();
  ASSERT_EQ(pods->size(), 2u);
  EXPECT_EQ((*pods)[0].pod.total_gpu_milli(), 4000);
  EXPECT_TRUE((*pods)[1].pod.sharing());
  EXPECT_TRUE((*pods)[1].pod.allowed_models.empty());
}

struct BadRow {
  const char* row;
  const char* where;  // expected "line:column" (or "line") in the message
  const char* what;
};

class AlibabaTraceBadPodTest : public AlibabaTraceTest,
                               public ::testing::WithParamInterface<BadRow> {};

TEST_P(AlibabaTraceBadPodTest, NamesFileLineAndColumn) {
  Fleet fleet = Nodes();
  const std::string path =
      Write("pods.csv",
            std::string(kPodHeader) + "ok,1000,1,0,0,,LS,Running,0,1,0\n" + GetParam().row + "\n");
  auto pods = ReadAlibabaPods(path, fleet);
  ASSERT_FALSE(pods.ok());
  EXPECT_THAT(pods.status().message(), HasSubstr(path + ":" + GetParam().where));
  EXPECT_THAT(pods.status().message(), HasSubstr(GetParam().what));
}

INSTANTIATE_TEST_SUITE_P(
    MalformedRows, AlibabaTraceBadPodTest,
    ::testing::Values(BadRow{"p,1000,1,0,0,,LS,Running,0,1", "3", "expected 11 columns"},
                      BadRow{"p,1000,1,0,0,,LS,Running,0,1,0,extra", "3", "found 12"},
                      BadRow{"p,-1000,1,0,0,,LS,Running,0,1,0", "3:2", "negative"},
                      BadRow{"p,1000,lots,0,0,,LS,Running,0,1,0", "3:3", "not an integer"},
                      BadRow{"p,1000,1,2.5,1000,,LS,Running,0,1,0", "3:4", "not an integer"},
                      BadRow{"p,1000,1,1,500,H100,LS,Running,0,1,0", "3:6",
                             "unknown GPU model 'H100'"},
                      BadRow{"p,1000,1,2,500,,LS,Running,0,1,0", "3:5", "fractional"},
                      BadRow{"p,1000,1,0,0,,LS,Running,9,1,0", "3:10", "before creation"},
                      BadRow{"ok,1000,1,0,0,,LS,Running,0,1,0", "3:1", "duplicate"},
                      BadRow{"p,1000,1,99,1000,,LS,Running,0,1,0", "3:4", "more than any"},
                      BadRow{"p,\"1000,1,0,0,,LS,Running,0,1,0", "3", "unterminated"}));

TEST_F(AlibabaTraceTest, RejectsBadNodeRows) {
  const std::string header = "sn,cpu_milli,memory_mib,gpu,model\n";
  for (const auto& [row, what] : std::vector<std::pair<std::string, std::string>>{
           {"n0,1000,1,2,", "GPU node without a model"},
           {"n0,1000,1,-2,P100", "negative"},
           {"n0,x,1,2,P100", "not an integer"},
           {"n0,1000,1,17,P100", "at most 16"},
           {"n0,1000,1,2", "expected 5 columns"}}) {
    auto fleet = ReadAlibabaNodes(Write("nodes.csv", header + row + "\n"));
    ASSERT_FALSE(fleet.ok()) << row;
    EXPECT_THAT(fleet.status().message(), HasSubstr(":2")) << row;
    EXPECT_THAT(fleet.status().message(), HasSubstr(what)) << row;
  }
  auto dup = ReadAlibabaNodes(Write("dup.csv", header + "n0,1,1,1,A\nn0,1,1,1,A\n"));
  ASSERT_FALSE(dup.ok());
  EXPECT_THAT(dup.status().message(), HasSubstr(":3:1"));
  auto missing = ReadAlibabaNodes(Write("missing.csv", "sn,cpu_milli,gpu,model\n"));
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr("missing column 'memory_mib'"));
  auto absent = ReadAlibabaNodes(::testing::TempDir() + "/no/such/file.csv");
  ASSERT_FALSE(absent.ok());
  EXPECT_EQ(absent.status().code(), Status::Code::kIOError);
}

TEST_F(AlibabaTraceTest, OrderFilesRoundTrip) {
  std::vector<ArrivalRow> rows = {
      {"a", "a", "n1", {0}}, {"b-tuned-0", "b", "", {}}, {"c", "c", "n2", {0, 1, 2, 3}}};
  const std::string path = Write("order.csv", "");
  ASSERT_TRUE(WriteArrivalOrder(path, rows).ok());
  auto back = ReadArrivalOrder(path);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->size(), 3u);
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ((*back)[i].pod, rows[i].pod);
    EXPECT_EQ((*back)[i].trace_pod, rows[i].trace_pod);
    EXPECT_EQ((*back)[i].node, rows[i].node);
    EXPECT_EQ((*back)[i].gpus, rows[i].gpus);
  }

  auto gap = ReadArrivalOrder(Write("gap.csv", "arrival,pod,trace_pod\n0,a,a\n2,b,b\n"));
  ASSERT_FALSE(gap.ok());
  EXPECT_THAT(gap.status().message(), HasSubstr(":3:1: arrival: expected arrival 1"));
  auto bad_gpu =
      ReadArrivalOrder(Write("bad.csv", "arrival,pod,trace_pod,node,gpu_index\n0,a,a,n,1--2\n"));
  ASSERT_FALSE(bad_gpu.ok());
  EXPECT_THAT(bad_gpu.status().message(), HasSubstr(":2:5"));

  auto nodes = ReadNodeOrder(Write("nodes.csv", "rank,node\n1,b\n0,a\n"));
  ASSERT_TRUE(nodes.ok()) << nodes.status().ToString();
  EXPECT_EQ(*nodes, (std::vector<std::string>{"a", "b"}));
  auto twice = ReadNodeOrder(Write("twice.csv", "rank,node\n0,a\n0,b\n"));
  ASSERT_FALSE(twice.ok());
  EXPECT_THAT(twice.status().message(), HasSubstr(":3:1"));
}

TEST_F(AlibabaTraceTest, ArrivalOrderWithoutRowsIsAnError) {
  // Read as empty, it would have meant "no explicit order" and a tuned, shuffled run.
  const std::string path = Write("header_only.csv", "arrival,pod,trace_pod,node,gpu_index\n");
  auto rows = ReadArrivalOrder(path);
  ASSERT_FALSE(rows.ok());
  EXPECT_THAT(rows.status().message(), HasSubstr(path + ": no arrivals"));
}

TEST_F(AlibabaTraceTest, NodeOrderNamesEachNodeOnce) {
  auto twice = ReadNodeOrder(Write("twice.csv", "rank,node\n0,a\n1,b\n2,a\n"));
  ASSERT_FALSE(twice.ok());
  EXPECT_THAT(twice.status().message(), HasSubstr(":4:2: node: 'a' already ranked on line 2"));
}

// The real trace, when ../shared/data is present: the counts its README gives.
TEST(AlibabaTraceRealDataTest, MatchesTheDocumentedCounts) {
  const std::string dir = gpufleet::testing::AlibabaTraceDir();
  if (dir.empty()) GTEST_SKIP() << "../shared/data/alibaba-gpu-v2023 not found; skipping";
  auto fleet = ReadAlibabaNodes(dir + "/openb_node_list_gpu_node.csv");
  ASSERT_TRUE(fleet.ok()) << fleet.status().ToString();
  EXPECT_EQ(fleet->nodes().size(), 1213u);
  EXPECT_EQ(fleet->total_gpus(), 6212);
  auto all = ReadAlibabaNodes(dir + "/openb_node_list_all_node.csv");
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_GT(all->nodes().size(), 1213u);
  EXPECT_EQ(all->total_gpus(), 6212);

  struct Variant {
    const char* file;
    size_t rows, cpu_only, sharing, multi, with_spec;
  };
  for (const Variant& v :
       {Variant{"default", 8152, 1088, 3078, 75, 0},
        Variant{"multigpu40", 8746, 1088, 3078, 669, 0},
        Variant{"gpushare60", 8152, 1088, 5233, 30, 0}, Variant{"cpu250", 9420, 2356, 3078, 75, 0},
        Variant{"gpuspec33", 8152, 1088, 3078, 75, 2388}}) {
    auto pods = ReadAlibabaPods(dir + "/openb_pod_list_" + v.file + ".csv", *fleet);
    ASSERT_TRUE(pods.ok()) << pods.status().ToString();
    size_t cpu_only = 0, sharing = 0, multi = 0, with_spec = 0;
    for (const TracePod& p : *pods) {
      cpu_only += p.pod.cpu_only();
      sharing += p.pod.sharing();
      multi += p.pod.gpu_count > 1;
      with_spec += !p.pod.allowed_models.empty();
    }
    EXPECT_EQ(pods->size(), v.rows) << v.file;
    EXPECT_EQ(cpu_only, v.cpu_only) << v.file;
    EXPECT_EQ(sharing, v.sharing) << v.file;
    EXPECT_EQ(multi, v.multi) << v.file;
    EXPECT_EQ(with_spec, v.with_spec) << v.file;
  }
}

}  // namespace
}  // namespace gpufleet::codec
