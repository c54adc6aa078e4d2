#include "engine/pytorch_export_metrics.h"

#include <stdexcept>
#include <string_view>

#include "optim/tensor_metrics.h"
#include "pytorch_resources.h"

namespace larslab::engine {

namespace {

// `text` with its one line that starts with `prefix` replaced by `line`. The resource keeps a
// line of its own so that it is valid Python on its own (py_compile, pyflakes); a resource that
// lost the line is a build mistake, reported as such.
std::string replaceLine(std::string_view text, std::string_view prefix, const std::string& line,
                        std::string_view resource) {
  std::size_t begin = 0;
  while (begin < text.size() && text.compare(begin, prefix.size(), prefix) != 0) {
    begin = text.find('\n', begin);
    if (begin == std::string_view::npos) break;
    ++begin;
  }
  if (begin >= text.size())
    throw std::logic_error("resources/pytorch/" + std::string(resource) + " has no line starting with " +
                           std::string(prefix));
  const std::size_t end = text.find('\n', begin);
  std::string out(text.substr(0, begin));
  out += line;
  if (end != std::string_view::npos) out += text.substr(end);
  return out;
}

template <typename Item>
std::string joined(std::string_view separator, Item item) {
  std::string out;
  for (const optim::TensorMetricInfo& m : optim::kTensorMetrics) {
    if (!out.empty()) out += separator;
    out += item(m);
  }
  return out;
}

}  // namespace

std::string metricLogCode() {
  const std::string tuple =
      joined(", ", [](const optim::TensorMetricInfo& m) { return '"' + std::string(m.key) + '"'; });
  return replaceLine(kPyMetricLog, "TENSOR_METRICS = ", "TENSOR_METRICS = (" + tuple + ")", "metric_log.py");
}

std::string optimCommonCode() {
  const std::string fields = joined(" ", [](const optim::TensorMetricInfo& m) { return std::string(m.key); });
  const std::string values = joined(", ", [](const optim::TensorMetricInfo& m) {
    if (!m.derived()) return std::string(m.key);
    return "divide(" + std::string(optim::tensorMetricName(m.numerator)) + ", " +
           optim::tensorMetricName(m.denominator) + ")";
  });
  const std::string withFields = replaceLine(kPyOptimCommon, "    \"Telemetry\", \"",
                                             "    \"Telemetry\", \"" + fields + "\")", "optim_common.py");
  return replaceLine(withFields, "    return Telemetry(", "    return Telemetry(" + values + ")", "optim_common.py");
}

}  // namespace larslab::engine
