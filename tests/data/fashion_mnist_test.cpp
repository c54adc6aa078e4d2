#include "data/fashion_mnist.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <optional>

#include "test_util.h"

namespace larslab::data {
namespace {

using test::expectThrowMentioning;
using test::fixture;

constexpr const char* kEnv = "LARSLAB_FASHION_MNIST_DIR";
constexpr const char* kSystemDir = "/usr/share/datasets/fashion-mnist";

// Sets (or unsets) the override for one test and restores the previous value.
class ScopedEnv {
 public:
  explicit ScopedEnv(const char* value) {
    if (const char* old = std::getenv(kEnv)) previous_ = old;
    if (value != nullptr) setenv(kEnv, value, 1); else unsetenv(kEnv);
  }
  ~ScopedEnv() {
    if (previous_) setenv(kEnv, previous_->c_str(), 1); else unsetenv(kEnv);
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::optional<std::string> previous_;
};

// Pixel p of fixture image k, as make_data_fixtures.py writes it.
float fixturePixel(int k, int p) {
  if (p == 0) return 0.0F;
  if (p == 28 * 28 - 1) return 1.0F;
  return static_cast<float>((k * 37 + p) % 256) / 255.0F;
}

TEST(FashionMnist, LoadsTinyFixtureDirectory) {
  const DatasetSplit split = loadFashionMnist(fixture("fashion-tiny"));
  ASSERT_EQ(split.train.size(), 6);
  ASSERT_EQ(split.test.size(), 4);
  for (const Dataset* d : {&split.train, &split.test}) {
    EXPECT_EQ(d->features.cols(), 784);
    EXPECT_EQ(d->inputShape, (nn::Shape{1, 28, 28}));
    EXPECT_EQ(d->numClasses, 10);
    ASSERT_EQ(d->classNames.size(), 10U);
    EXPECT_EQ(d->classNames.front(), "T-shirt/top");
    EXPECT_EQ(d->classNames.back(), "Ankle boot");
    EXPECT_EQ(test::minMax(d->features), std::make_pair(0.0F, 1.0F));
  }
  const std::vector<float> trainLabels{0, 1, 2, 3, 4, 9};
  for (int i = 0; i < 6; ++i) EXPECT_EQ(split.train.targets(i, 0), trainLabels[static_cast<std::size_t>(i)]);
  const std::vector<float> testLabels{9, 8, 7, 6};
  for (int i = 0; i < 4; ++i) EXPECT_EQ(split.test.targets(i, 0), testLabels[static_cast<std::size_t>(i)]);
  // Row-major pixels in file order: sample, then row, then column.
  for (int p : {1, 29, 400, 782}) {
    EXPECT_FLOAT_EQ(split.train.features(2, p), fixturePixel(2, p)) << "pixel " << p;
    EXPECT_FLOAT_EQ(split.test.features(3, p), fixturePixel(103, p)) << "pixel " << p;
  }
}

TEST(FashionMnist, TrainLimitKeepsTheFirstImages) {
  const DatasetSplit full = loadFashionMnist(fixture("fashion-tiny"));
  const DatasetSplit limited = loadFashionMnist(fixture("fashion-tiny"), 4);
  ASSERT_EQ(limited.train.size(), 4);
  EXPECT_EQ(limited.test.size(), 4);
  EXPECT_EQ(limited.train.features, full.train.features.topRows(4));
  EXPECT_EQ(loadFashionMnist(fixture("fashion-tiny"), 100).train.size(), 6);
  expectThrowMentioning<std::invalid_argument>(
      [] { (void)loadFashionMnist(fixture("fashion-tiny"), -1); }, {"trainLimit", "-1"});
}

TEST(FashionMnist, DirectoryOverrideFromEnvironment) {
  {
    ScopedEnv env(nullptr);
    EXPECT_EQ(defaultFashionMnistDir(), kSystemDir);
  }
  {
    ScopedEnv env("");
    EXPECT_EQ(defaultFashionMnistDir(), kSystemDir);
  }
  ScopedEnv env(fixture("fashion-tiny").c_str());
  EXPECT_EQ(defaultFashionMnistDir(), fixture("fashion-tiny"));
  EXPECT_EQ(loadFashionMnist().train.size(), 6);
}

TEST(FashionMnist, MissingFilesNameThePathAndTheFix) {
  const std::string dir = fixture("idx");  // exists, but holds no Fashion-MNIST files
  expectThrowMentioning<std::runtime_error>(
      [&] { (void)loadFashionMnist(dir); },
      {dir + "/train-images-idx3-ubyte.gz: missing", "dataset-fashion-mnist", kEnv});
  expectThrowMentioning<std::runtime_error>(
      [] { (void)loadFashionMnist("/nonexistent/fashion"); },
      {"/nonexistent/fashion/train-images-idx3-ubyte.gz: missing"});
}

TEST(FashionMnist, MalformedDirectoriesNameTheFile) {
  const std::string mismatch = fixture("fashion-count-mismatch");
  expectThrowMentioning<std::runtime_error>(
      [&] { (void)loadFashionMnist(mismatch); },
      {mismatch + "/train-labels-idx1-ubyte.gz: 5 labels, but " + mismatch +
           "/train-images-idx3-ubyte.gz has 6 images"});
  const std::string badLabel = fixture("fashion-bad-label");
  expectThrowMentioning<std::runtime_error>(
      [&] { (void)loadFashionMnist(badLabel); },
      {badLabel + "/t10k-labels-idx1-ubyte.gz: label 10 at index 2 is out of range 0..9"});
  const std::string badDims = fixture("fashion-bad-dims");
  expectThrowMentioning<std::runtime_error>(
      [&] { (void)loadFashionMnist(badDims); },
      {badDims + "/train-images-idx3-ubyte.gz: images are 27x28, expected 28x28"});
}

TEST(FashionMnist, LoadsTheInstalledDataset) {
  if (!std::filesystem::is_directory(kSystemDir)) {
    GTEST_SKIP() << kSystemDir << " does not exist: install Debian package dataset-fashion-mnist";
  }
  const DatasetSplit split = loadFashionMnist(kSystemDir);
  ASSERT_EQ(split.train.size(), 60000);
  ASSERT_EQ(split.test.size(), 10000);
  for (const Dataset* d : {&split.train, &split.test}) {
    EXPECT_EQ(d->features.cols(), 784);
    EXPECT_EQ(test::minMax(d->features), std::make_pair(0.0F, 1.0F));
    // Fashion-MNIST is exactly balanced: 6,000 train and 1,000 test images per class.
    std::vector<int> perClass(10, 0);
    for (Eigen::Index i = 0; i < d->size(); ++i) {
      const float label = d->targets(i, 0);
      ASSERT_TRUE(label >= 0.0F && label <= 9.0F && label == std::floor(label)) << label;
      ++perClass[static_cast<std::size_t>(label)];
    }
    for (int count : perClass) EXPECT_EQ(count, d->size() / 10);
  }
}

}  // namespace
}  // namespace larslab::data
