#pragma once
// The PyTorch exporter's data part: which loader the script uses for the experiment's dataset,
// and the dataset's description in the script's configuration.

#include <cstdint>
#include <string>

#include "engine/experiment.h"
#include "nn/tensor.h"

namespace larslab::engine {

// The shape of one sample, from the dataset kind (CSV: from the file's header, the only way to
// know). Throws std::runtime_error when a CSV file cannot be read.
nn::Shape exportInputShape(const DatasetSpec& dataset, std::uint64_t seed);

// The standard-library module the dataset's loader needs besides the script's own ("import gzip\n"), or "".
std::string datasetImports(const DatasetSpec& dataset);
// The DATASET constant's value: a dict of what the loader reads.
std::string datasetLiteral(const DatasetSpec& dataset);
// Further constants the loader reads (FASHION_MNIST_DIR), one line each, or "".
std::string datasetConstants(const DatasetSpec& dataset);

// The script's data section: the loaders (resources/pytorch/data_*.py) and load_data().
std::string dataCode(const DatasetSpec& dataset);

}  // namespace larslab::engine
