#include "data/fashion_mnist.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "data/idx.h"

namespace larslab::data {
namespace {

constexpr int kSide = 28;
constexpr int kClasses = 10;

std::string missingMessage(const std::string& path) {
  return path + ": missing (install Debian package dataset-fashion-mnist or set LARSLAB_FASHION_MNIST_DIR)";
}

bool isFile(const std::string& path) {
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec);
}

std::string checkedPath(const std::string& directory, const std::string& fileName) {
  const std::string path = (std::filesystem::path(directory) / fileName).string();
  if (!isFile(path)) throw std::runtime_error(missingMessage(path));
  return path;
}

Dataset loadPart(const std::string& directory, const std::string& imagesName, const std::string& labelsName,
                 int limit) {
  const std::string imagesPath = checkedPath(directory, imagesName);
  const std::string labelsPath = checkedPath(directory, labelsName);
  const IdxArray images = readIdxGz(imagesPath, kIdxUbyte3dMagic);
  if (images.dims[1] != kSide || images.dims[2] != kSide) {
    throw std::runtime_error(imagesPath + ": images are " + std::to_string(images.dims[1]) + "x" +
                             std::to_string(images.dims[2]) + ", expected 28x28");
  }
  const IdxArray labels = readIdxGz(labelsPath, kIdxUbyte1dMagic);
  if (labels.dims[0] != images.dims[0]) {
    throw std::runtime_error(labelsPath + ": " + std::to_string(labels.dims[0]) +
                             " labels, but " + imagesPath + " has " +
                             std::to_string(images.dims[0]) + " images");
  }
  for (std::size_t i = 0; i < labels.values.size(); ++i) {
    if (labels.values[i] >= kClasses) {
      throw std::runtime_error(labelsPath + ": label " + std::to_string(labels.values[i]) +
                               " at index " + std::to_string(i) + " is out of range 0..9");
    }
  }

  const int n = limit > 0 ? std::min(limit, images.dims[0]) : images.dims[0];
  constexpr int kPixels = kSide * kSide;
  Dataset d;
  d.name = "fashion-mnist";
  d.numClasses = kClasses;
  d.inputShape = nn::Shape{1, kSide, kSide};
  d.classNames = fashionMnistClassNames();
  d.features.resize(n, kPixels);
  d.targets.resize(n, 1);
  constexpr nn::Scalar kScale = nn::Scalar(1) / nn::Scalar(255);
  const std::uint8_t* src = images.values.data();
  nn::Scalar* dst = d.features.data();  // row-major: sample after sample, as in the file
  const std::size_t total = static_cast<std::size_t>(n) * kPixels;
  for (std::size_t k = 0; k < total; ++k) dst[k] = static_cast<nn::Scalar>(src[k]) * kScale;
  for (int i = 0; i < n; ++i) d.targets(i, 0) = static_cast<nn::Scalar>(labels.values[i]);
  return d;
}

}  // namespace

std::string defaultFashionMnistDir() {
  const char* env = std::getenv("LARSLAB_FASHION_MNIST_DIR");
  if (env != nullptr && *env != '\0') return env;
  return "/usr/share/datasets/fashion-mnist";
}

const std::vector<std::string>& fashionMnistClassNames() {
  static const std::vector<std::string> names{"T-shirt/top", "Trouser", "Pullover", "Dress",
                                              "Coat",        "Sandal",  "Shirt",    "Sneaker",
                                              "Bag",         "Ankle boot"};
  return names;
}

const std::vector<std::string>& fashionMnistFiles() {
  static const std::vector<std::string> files{"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                                              "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"};
  return files;
}

std::vector<std::string> missingFashionMnistFiles(const std::string& directory) {
  std::vector<std::string> problems;
  for (const std::string& name : fashionMnistFiles()) {
    const std::string path = (std::filesystem::path(directory) / name).string();
    if (!isFile(path)) problems.push_back(missingMessage(path));
  }
  return problems;
}

DatasetSplit loadFashionMnist(const std::string& directory, int trainLimit) {
  if (trainLimit < 0) {
    throw std::invalid_argument("Fashion-MNIST: trainLimit must be >= 0 (0 = all), got " +
                                std::to_string(trainLimit));
  }
  DatasetSplit split;
  const std::vector<std::string>& files = fashionMnistFiles();
  split.train = loadPart(directory, files[0], files[1], trainLimit);
  split.test = loadPart(directory, files[2], files[3], 0);
  return split;
}

}  // namespace larslab::data
