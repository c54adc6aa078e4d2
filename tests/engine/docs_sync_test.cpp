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

TEST(DocsSync, EveryLayerTypeHasARowInTheExperimentFormat) {
  const std::string doc = readDoc("experiment-format.md");
  ASSERT_FALSE(doc.empty());
  for (const nn::LayerType& t : nn::layerTypes())
    EXPECT_NE(doc.find("| `" + std::string(t.type) + "` |"), std::string::npos) << t.type;
}

TEST(DocsSync, EveryPerTensorMetricHasARowInTheMetricsFormat) {
  const std::string doc = readDoc("metrics-format.md");
  ASSERT_FALSE(doc.empty());
  for (const optim::TensorMetricInfo& m : optim::kTensorMetrics)
    EXPECT_NE(doc.find("| `" + std::string(m.key) + "` |"), std::string::npos) << m.key;
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
