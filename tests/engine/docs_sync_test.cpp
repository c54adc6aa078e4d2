// The format documents list what the registries define: a layer type, a per-tensor metric or an
// event kind added to its table and not to the docs fails here, so the docs cannot go stale.

#include <fstream>
#include <gtest/gtest.h>
#include <sstream>
#include <string>

#include "engine/metrics_store.h"
#include "nn/layer_registry.h"
#include "optim/tensor_metrics.h"

namespace larslab {
namespace {

std::string readDoc(const std::string& name) {
  std::ifstream in(std::string(LARSLAB_SOURCE_DIR) + "/resources/docs/" + name);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// True when a table row's first cell names `key` (a row may name several: "`relu`, `tanh`").
bool hasRow(const std::string& doc, const std::string& key) {
  std::istringstream lines(doc);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("| `", 0) != 0) continue;
    const std::string firstCell = line.substr(0, line.find(" |", 2));
    if (firstCell.find("`" + key + "`") != std::string::npos) return true;
  }
  return false;
}

TEST(DocsSync, EveryLayerTypeHasARowInTheExperimentFormat) {
  const std::string doc = readDoc("experiment-format.md");
  ASSERT_FALSE(doc.empty());
  for (const nn::LayerType& t : nn::layerTypes()) EXPECT_TRUE(hasRow(doc, t.type)) << t.type;
}

TEST(DocsSync, EveryPerTensorMetricHasARowInTheMetricsFormat) {
  const std::string doc = readDoc("metrics-format.md");
  ASSERT_FALSE(doc.empty());
  for (const optim::TensorMetricInfo& m : optim::kTensorMetrics) EXPECT_TRUE(hasRow(doc, m.key)) << m.key;
}

TEST(DocsSync, EveryEventKindIsNamedInTheMetricsFormat) {
  const std::string doc = readDoc("metrics-format.md");
  for (int k = 0; k < static_cast<int>(engine::EventKind::Count); ++k) {
    const std::string name = engine::eventKindName(static_cast<engine::EventKind>(k));
    EXPECT_NE(doc.find("`" + name + "`"), std::string::npos) << name;
  }
}

}  // namespace
}  // namespace larslab
