#include <algorithm>
#include <filesystem>
#include <ostream>

#include "engine/pytorch_export.h"
#include "engine/session.h"

// `larslab-cli export-pytorch`: reads the experiment, writes the script and LARS Lab's data.

namespace larslab::engine {

namespace {

namespace fs = std::filesystem;

std::string oneLine(std::string text) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  return text;
}

}  // namespace

int runExportPytorch(const ExportPytorchRequest& request, std::ostream& out, std::ostream& err) {
  constexpr int kOk = 0, kBadInput = 1, kWriteFailure = 3;
  ExperimentSpec spec;
  std::string text;
  PytorchExportOptions options;
  data::DatasetSplit split;
  const fs::path script(request.script);
  std::string dataDir = request.dataDir;
  try {
    spec = loadExperiment(request.experiment);
    if (dataDir.empty() && pytorchScriptNeedsData(spec.dataset))
      dataDir = (script.parent_path() / (script.stem().string() + "_data")).string();
    if (!dataDir.empty()) {
      // The script resolves a relative default against its own directory.
      const fs::path base = fs::absolute(script).parent_path();
      options.dataDir = fs::absolute(dataDir).lexically_normal().lexically_relative(base.lexically_normal()).string();
      if (options.dataDir.empty()) options.dataDir = ".";
    }
    text = exportPytorchScript(spec, options);
    if (!dataDir.empty()) split = loadDataset(spec.dataset, spec.seed);
  } catch (const SpecError& e) {
    // The same one line as the other subcommands print.
    const auto& issues = e.issues();
    std::string line = "larslab-cli: " + e.file() + ": ";
    if (!issues.empty()) line += (issues.front().path.empty() ? "" : issues.front().path + ": ") + issues.front().message;
    if (issues.size() > 1)
      line += " (and " + std::to_string(issues.size() - 1) + " more; see larslab-cli validate " + e.file() + ")";
    err << oneLine(line) << '\n';
    return kBadInput;
  } catch (const std::exception& e) {
    err << oneLine(std::string("larslab-cli: ") + e.what()) << '\n';
    return kBadInput;
  }
  try {
    if (!dataDir.empty()) {
      writeDatasetNpy(split, dataDir);
      out << "wrote " << dataDir << "/ (train " << split.train.size() << ", test " << split.test.size()
          << " samples, as .npy)\n";
    }
    if (script.has_parent_path()) fs::create_directories(script.parent_path());
    writePytorchScriptText(request.script, text);
  } catch (const std::exception& e) {
    err << oneLine(std::string("larslab-cli: ") + e.what()) << '\n';
    return kWriteFailure;
  }
  out << "wrote " << request.script << " (" << spec.runs.size() << " run" << (spec.runs.size() == 1 ? "" : "s")
      << "); run it with: python3 " << request.script << " --out DIR\n";
  return kOk;
}

}  // namespace larslab::engine
