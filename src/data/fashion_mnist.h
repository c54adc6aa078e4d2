#pragma once
// Fashion-MNIST (Xiao, Rasul, Vollgraf 2017) from the four gzip IDX files that Debian's
// dataset-fashion-mnist package installs.

#include <string>
#include <vector>

#include "data/dataset.h"

namespace larslab::data {

// $LARSLAB_FASHION_MNIST_DIR when set and non-empty, else /usr/share/datasets/fashion-mnist.
[[nodiscard]] std::string defaultFashionMnistDir();

// Reads train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and
// t10k-labels-idx1-ubyte.gz from `directory`. Pixels become floats in [0, 1], flattened
// row by row; inputShape is {1, 28, 28}; targets are class indices 0..9. trainLimit > 0 keeps
// only the first trainLimit training images (the test set is always complete).
// Throws std::runtime_error naming the file's full path and the problem (missing file, bad
// magic, wrong dimensions, image/label count mismatch, label out of range, truncation),
// std::invalid_argument for a negative trainLimit.
[[nodiscard]] DatasetSplit loadFashionMnist(const std::string& directory = defaultFashionMnistDir(),
                                            int trainLimit = 0);

// The four file names in a Fashion-MNIST directory: train images, train labels, test images,
// test labels.
[[nodiscard]] const std::vector<std::string>& fashionMnistFiles();

// One message per file of the four that `directory` lacks, as loadFashionMnist words it; empty
// when all are there (their content is only checked by loading them).
[[nodiscard]] std::vector<std::string> missingFashionMnistFiles(const std::string& directory);

// The ten Fashion-MNIST class names, index = label.
[[nodiscard]] const std::vector<std::string>& fashionMnistClassNames();

}  // namespace larslab::data
