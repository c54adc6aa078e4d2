#include "data/split.h"

#include <gtest/gtest.h>

#include <set>

#include "test_util.h"

namespace larslab::data {
namespace {

// Feature 0 is a unique sample id; class c for the first counts[0] rows, and so on.
Dataset makeLabelled(const std::vector<int>& counts) {
  int n = 0;
  for (int c : counts) n += c;
  Dataset d;
  d.name = "ids";
  d.numClasses = static_cast<int>(counts.size());
  d.inputShape = nn::Shape{1, 1, 1};
  d.features.resize(n, 1);
  d.targets.resize(n, 1);
  int row = 0;
  for (int c = 0; c < d.numClasses; ++c) {
    for (int i = 0; i < counts[static_cast<std::size_t>(c)]; ++i, ++row) {
      d.features(row, 0) = static_cast<float>(row);
      d.targets(row, 0) = static_cast<float>(c);
    }
  }
  return d;
}

std::vector<int> classCounts(const Dataset& d) {
  std::vector<int> counts(static_cast<std::size_t>(d.numClasses), 0);
  for (Eigen::Index i = 0; i < d.targets.rows(); ++i) ++counts[static_cast<std::size_t>(d.targets(i, 0))];
  return counts;
}

TEST(Split, StratifiedEveryRowOnceAndLabelsFollowRows) {
  const Dataset all = makeLabelled({90, 10, 1});
  const DatasetSplit split = splitDataset(all, 0.2, 3);
  EXPECT_EQ(classCounts(split.test), (std::vector<int>{18, 2, 0}));  // the lone sample trains
  EXPECT_EQ(classCounts(split.train), (std::vector<int>{72, 8, 1}));
  std::set<int> seen;
  for (const Dataset* d : {&split.train, &split.test}) {
    EXPECT_EQ(d->numClasses, 3);
    for (Eigen::Index i = 0; i < d->size(); ++i) {
      const int id = static_cast<int>(d->features(i, 0));
      EXPECT_TRUE(seen.insert(id).second) << "row " << id << " appears twice";
      EXPECT_EQ(d->targets(i, 0), all.targets(id, 0)) << "label separated from its row " << id;
    }
  }
  EXPECT_EQ(seen.size(), 101U);
}

TEST(Split, OrderIsShuffledAndSeeded) {
  const Dataset all = makeLabelled({50, 50});
  const DatasetSplit a = splitDataset(all, 0.3, 1);
  const DatasetSplit b = splitDataset(all, 0.3, 1);
  const DatasetSplit c = splitDataset(all, 0.3, 2);
  EXPECT_EQ(a.train.features, b.train.features);
  EXPECT_NE(a.train.features, c.train.features);
  // Not stored order: the train set's ids are not increasing.
  bool increasing = true;
  for (Eigen::Index i = 1; i < a.train.size(); ++i) increasing &= a.train.features(i, 0) > a.train.features(i - 1, 0);
  EXPECT_FALSE(increasing);
}

TEST(Split, RegressionAndTooFewRows) {
  Dataset reg = makeLabelled({10});
  reg.numClasses = 0;
  const DatasetSplit split = splitDataset(reg, 0.25, 1);
  EXPECT_EQ(split.test.size(), 3);  // round(2.5) away from zero
  EXPECT_EQ(split.train.size(), 7);
  EXPECT_FALSE(split.train.isClassification());

  test::expectThrowMentioning<std::invalid_argument>(
      [] { (void)splitDataset(makeLabelled({1, 1}), 0.5, 1); }, {"ids", "too few"});
  test::expectThrowMentioning<std::invalid_argument>(
      [] { (void)splitDataset(makeLabelled({5, 5}), 1.5, 1); }, {"test fraction"});
}

}  // namespace
}  // namespace larslab::data
