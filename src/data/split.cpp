#include "data/split.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include "nn/random.h"

namespace larslab::data {
namespace {

Dataset emptyLike(const Dataset& all, int rows) {
  Dataset d;
  d.name = all.name;
  d.numClasses = all.numClasses;
  d.inputShape = all.inputShape;
  d.classNames = all.classNames;
  d.features.resize(rows, all.features.cols());
  d.targets.resize(rows, all.targets.cols());
  return d;
}

}  // namespace

DatasetSplit splitDataset(const Dataset& all, double testFraction, std::uint64_t seed) {
  if (!(testFraction > 0.0 && testFraction < 1.0)) {
    throw std::invalid_argument("dataset '" + all.name + "': test fraction must be in (0, 1), got " +
                                std::to_string(testFraction));
  }
  const int n = all.size();
  const int groups = all.isClassification() ? all.numClasses : 1;
  std::vector<int> group(static_cast<std::size_t>(n), 0);
  if (all.isClassification()) {
    for (int i = 0; i < n; ++i) {
      const auto c = static_cast<int>(all.targets(i, 0));
      if (c < 0 || c >= groups) {
        throw std::invalid_argument("dataset '" + all.name + "': row " + std::to_string(i) +
                                    " has class " + std::to_string(c) + ", expected 0.." +
                                    std::to_string(groups - 1));
      }
      group[static_cast<std::size_t>(i)] = c;
    }
  }

  std::vector<int> perGroup(static_cast<std::size_t>(groups), 0);
  for (int g : group) ++perGroup[static_cast<std::size_t>(g)];
  std::vector<int> testQuota(static_cast<std::size_t>(groups), 0);
  int testTotal = 0;
  for (int g = 0; g < groups; ++g) {
    const int count = perGroup[static_cast<std::size_t>(g)];
    if (count < 2) continue;  // a lone sample can only train
    const auto wanted = static_cast<int>(std::lround(count * testFraction));
    const int quota = std::min(std::max(wanted, 1), count - 1);
    testQuota[static_cast<std::size_t>(g)] = quota;
    testTotal += quota;
  }
  if (testTotal == 0 || testTotal == n) {
    throw std::invalid_argument("dataset '" + all.name + "': " + std::to_string(n) +
                                " samples are too few to split with test fraction " +
                                std::to_string(testFraction));
  }

  std::vector<int> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  nn::Rng rng(nn::mixSeed(seed, 0x5711));
  rng.shuffle(order);

  DatasetSplit split{emptyLike(all, n - testTotal), emptyLike(all, testTotal)};
  int trainRow = 0;
  int testRow = 0;
  for (int i : order) {
    int& quota = testQuota[static_cast<std::size_t>(group[static_cast<std::size_t>(i)])];
    if (quota > 0) {
      --quota;
      split.test.features.row(testRow) = all.features.row(i);
      split.test.targets.row(testRow) = all.targets.row(i);
      ++testRow;
    } else {
      split.train.features.row(trainRow) = all.features.row(i);
      split.train.targets.row(trainRow) = all.targets.row(i);
      ++trainRow;
    }
  }
  return split;
}

}  // namespace larslab::data
