#include "bench_common.h"

#include <tbb/task_arena.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <stdexcept>

namespace larslab::bench {
namespace {

using nlohmann::json;

[[noreturn]] void fail(const std::string& path, const std::string& where, const std::string& what) {
  throw std::runtime_error(path + ": " + where + ": " + what);
}

template <typename T>
T field(const json& object, const char* key, const std::string& path, const std::string& where) {
  if (!object.contains(key)) fail(path, where + "." + key, "missing");
  try {
    return object.at(key).get<T>();
  } catch (const json::exception& e) {
    fail(path, where + "." + key, std::string("wrong type: ") + e.what());
  }
}

template <typename T>
T optionalField(const json& object, const char* key, T fallback, const std::string& path,
                const std::string& where) {
  return object.contains(key) ? field<T>(object, key, path, where) : fallback;
}

}  // namespace

std::string defaultWorkloadPath() {
  if (const char* env = std::getenv("LARSLAB_BENCH_WORKLOADS"); env != nullptr && *env != '\0') return env;
  return LARSLAB_BENCH_WORKLOADS;
}

WorkloadFile loadWorkloads(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open the benchmark workload file");
  json doc;
  try {
    doc = json::parse(in);
  } catch (const json::parse_error& e) {
    throw std::runtime_error(path + ": invalid JSON: " + e.what());
  }
  WorkloadFile file;
  if (!doc.contains("workloads") || !doc["workloads"].is_array()) fail(path, "workloads", "expected an array");
  for (std::size_t i = 0; i < doc["workloads"].size(); ++i) {
    const json& w = doc["workloads"][i];
    const std::string where = "workloads[" + std::to_string(i) + "]";
    Workload workload;
    workload.name = field<std::string>(w, "name", path, where);
    workload.title = optionalField<std::string>(w, "title", workload.name, path, where);
    workload.batch = field<int>(w, "batch", path, where);
    workload.classes = field<int>(w, "classes", path, where);
    const auto input = field<std::vector<int>>(w, "input", path, where);
    if (input.size() != 3) fail(path, where + ".input", "expected [channels, height, width]");
    workload.input = nn::Shape{input[0], input[1], input[2]};
    if (workload.batch < 1) fail(path, where + ".batch", "expected >= 1");
    if (!w.contains("layers") || !w["layers"].is_array()) fail(path, where + ".layers", "expected an array");
    for (std::size_t j = 0; j < w["layers"].size(); ++j) {
      const json& l = w["layers"][j];
      const std::string lw = where + ".layers[" + std::to_string(j) + "]";
      nn::LayerSpec layer;
      layer.type = field<std::string>(l, "type", path, lw);
      layer.units = optionalField<int>(l, "units", layer.units, path, lw);
      layer.filters = optionalField<int>(l, "filters", layer.filters, path, lw);
      layer.kernel = optionalField<int>(l, "kernel", layer.kernel, path, lw);
      layer.padding = optionalField<int>(l, "padding", layer.padding, path, lw);
      layer.stride = optionalField<int>(l, "stride", 0, path, lw);  // 0: the layer's default
      workload.model.layers.push_back(layer);
    }
    workload.model.loss = "cross_entropy";
    file.workloads.push_back(std::move(workload));
  }
  if (!doc.contains("optimizers") || !doc["optimizers"].is_object()) fail(path, "optimizers", "expected an object");
  for (const auto& [name, values] : doc["optimizers"].items()) {
    if (name == "comment") continue;
    OptimizerSetting setting;
    setting.name = name;
    for (const auto& [key, value] : values.items()) {
      if (!value.is_number()) fail(path, "optimizers." + name + "." + key, "expected a number");
      setting.hyperparameters[key] = value.get<double>();
    }
    file.optimizers.push_back(std::move(setting));
  }
  return file;
}

double trainingFlops(const nn::ModelSpec& model, nn::Shape input, int batch) {
  double flops = 0.0;
  bool firstParametrised = true;
  nn::Shape shape = input;
  for (const nn::LayerSpec& layer : model.layers) {
    double gemm = 0.0;
    if (layer.type == "dense") {
      gemm = 2.0 * batch * shape.size() * layer.units;
      shape = nn::Shape{layer.units, 1, 1};
    } else if (layer.type == "conv2d") {
      const int stride = layer.stride > 0 ? layer.stride : 1;
      const int oh = (shape.height + 2 * layer.padding - layer.kernel) / stride + 1;
      const int ow = (shape.width + 2 * layer.padding - layer.kernel) / stride + 1;
      gemm = 2.0 * batch * oh * ow * layer.filters * shape.channels * layer.kernel * layer.kernel;
      shape = nn::Shape{layer.filters, oh, ow};
    } else if (layer.type == "maxpool2d") {
      const int stride = layer.stride > 0 ? layer.stride : layer.kernel;
      shape = nn::Shape{shape.channels, (shape.height - layer.kernel) / stride + 1,
                        (shape.width - layer.kernel) / stride + 1};
    } else if (layer.type == "flatten") {
      shape = nn::Shape{shape.size(), 1, 1};
    }
    if (gemm > 0.0) {
      flops += gemm * (firstParametrised ? 2.0 : 3.0);
      firstParametrised = false;
    }
  }
  return flops;
}

void runInArena(int threads, const std::function<void()>& body) {
  tbb::task_arena arena(threads);
  arena.execute(body);
}

nn::Matrix randomUniform(int rows, int cols, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> dist(0.0F, 1.0F);
  nn::Matrix m(rows, cols);
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = dist(rng);
  return m;
}

nn::Matrix randomNormal(int rows, int cols, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> dist(0.0F, 1.0F);
  nn::Matrix m(rows, cols);
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = dist(rng);
  return m;
}

}  // namespace larslab::bench
