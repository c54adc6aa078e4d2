#include "engine/pytorch_export_data.h"

#include <filesystem>
#include <span>
#include <sstream>
#include <stdexcept>

#include "engine/npy.h"
#include "engine/pytorch_export.h"
#include "engine/pytorch_export_literals.h"
#include "engine/session.h"
#include "pytorch_resources.h"

namespace larslab::engine {

namespace fs = std::filesystem;

nn::Shape exportInputShape(const DatasetSpec& d, std::uint64_t seed) {
  if (d.kind == "fashion_mnist") return nn::Shape{1, 28, 28};
  if (d.kind == "csv") return loadDataset(d, seed).train.inputShape;
  return nn::Shape{1, 1, 2};  // every synthetic kind has two features
}

std::string datasetImports(const DatasetSpec& d) {
  if (d.kind == "fashion_mnist") return "import gzip\n";
  if (d.kind == "csv") return "import csv\n";
  return {};
}

std::string datasetLiteral(const DatasetSpec& d) {
  std::ostringstream s;
  s << "{\"kind\": " << pyString(d.kind);
  if (d.kind == "fashion_mnist") {
    s << ", \"path\": " << pyString(resolvedDataPath(d)) << ", \"limit\": " << d.limit;
  } else if (d.kind == "csv") {
    s << ", \"path\": " << pyString(resolvedDataPath(d)) << ", \"label_column\": " << pyString(d.labelColumn);
    // Only when not the default: scripts of existing experiments stay as they were.
    if (!d.ignoreColumns.empty()) {
      s << ", \"ignore_columns\": [";
      for (std::size_t i = 0; i < d.ignoreColumns.size(); ++i) s << (i ? ", " : "") << pyString(d.ignoreColumns[i]);
      s << "]";
    }
    if (d.missing != data::MissingPolicy::Error) s << ", \"missing\": " << pyString(data::missingPolicyName(d.missing));
    s << ", \"regression\": " << pyBool(d.regression) << ", \"standardize\": " << pyBool(d.standardize)
      << ", \"test_fraction\": " << pyFloat(d.testFraction);
  } else {
    s << ", \"samples\": " << d.samples << ", \"noise\": " << pyFloat(d.noise)
      << ", \"test_fraction\": " << pyFloat(d.testFraction);
  }
  s << "}";
  return s.str();
}

namespace {

// load_data(): the choice between LARS Lab's .npy files and the dataset's own loader.
std::string loadDataCode(const DatasetSpec& d) {
  std::ostringstream s;
  s << "\n\ndef load_data(data_dir):\n"
    << "    \"\"\"(train_x, train_y, test_x, test_y) as tensors: x float32 (N, D); y the class index (int64)\n"
    << "    or the regression targets (float32, N x K).\"\"\"\n"
    << "    if data_dir is None and DEFAULT_DATA_DIR:\n"
    << "        data_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), DEFAULT_DATA_DIR)\n";
  if (d.kind == "fashion_mnist") {
    s << "    if data_dir is not None:\n"
      << "        arrays = load_npy_dataset(data_dir)\n"
      << "    else:\n"
      << "        directory = DATASET[\"path\"] or os.environ.get(\"LARSLAB_FASHION_MNIST_DIR\") or FASHION_MNIST_DIR\n"
      << "        arrays = load_fashion_mnist(directory, DATASET[\"limit\"])\n";
  } else if (d.kind == "csv") {
    s << "    if data_dir is not None:\n"
      << "        arrays = load_npy_dataset(data_dir)\n"
      << "    else:\n"
      << "        print(\"note: no --data given; splitting the CSV file with NumPy's RNG, not LARS Lab's\", flush=True)\n"
      << "        arrays = load_csv(DATASET[\"path\"], DATASET[\"label_column\"], DATASET[\"regression\"],\n"
      << "                          DATASET[\"standardize\"], DATASET[\"test_fraction\"], SEED,\n"
      << "                          DATASET.get(\"ignore_columns\", []), DATASET.get(\"missing\", \"error\"))\n";
  } else {
    s << "    if data_dir is None:\n"
      << "        sys.exit(f\"the {DATASET['kind']} data is drawn by LARS Lab's own random generator: write it with \"\n"
      << "                 \"`larslab-cli export-pytorch EXPERIMENT.json -o SCRIPT.py --data-dir DIR` and pass --data DIR\")\n"
      << "    arrays = load_npy_dataset(data_dir)\n";
  }
  s << "    train_x, train_y, test_x, test_y = (torch.from_numpy(np.ascontiguousarray(a)) for a in arrays)\n"
    << "    if LOSS == \"cross_entropy\":\n"
    << "        train_y, test_y = train_y[:, 0].long(), test_y[:, 0].long()\n"
    << "    return train_x, train_y, test_x, test_y\n";
  return s.str();
}

}  // namespace

std::string datasetConstants(const DatasetSpec& d) {
  return d.kind == "fashion_mnist" ? "FASHION_MNIST_DIR = \"/usr/share/datasets/fashion-mnist\"\n" : "";
}

std::string dataCode(const DatasetSpec& d) {
  std::ostringstream py;
  py << "\n# ---------------------------------------------------------------------------------------------\n"
     << "# Data\n"
     << "# ---------------------------------------------------------------------------------------------\n";
  py << kPyDataNpy;
  if (d.kind == "fashion_mnist") py << "\n" << kPyDataFashionMnist;
  if (d.kind == "csv") py << "\n" << kPyDataCsv;
  py << loadDataCode(d);
  return py.str();
}

bool pytorchScriptNeedsData(const DatasetSpec& dataset) { return dataset.kind != "fashion_mnist"; }

void writeDatasetNpy(const data::DatasetSplit& split, const std::string& directory) {
  std::error_code error;
  fs::create_directories(directory, error);
  if (error) throw std::runtime_error(directory + ": cannot create the directory: " + error.message());
  const fs::path dir(directory);
  auto write = [&](const char* name, const nn::Matrix& m) {
    // nn::Matrix is row-major, so its storage already is C order.
    writeNpy((dir / name).string(), std::span<const float>(m.data(), static_cast<std::size_t>(m.size())),
             {static_cast<int>(m.rows()), static_cast<int>(m.cols())});
  };
  write("train_x.npy", split.train.features);
  write("train_y.npy", split.train.targets);
  write("test_x.npy", split.test.features);
  write("test_y.npy", split.test.targets);
}

}  // namespace larslab::engine
