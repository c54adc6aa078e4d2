#include "data/batcher.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <set>

#include "test_util.h"

// Counts operator new calls so the test can prove that next() does not allocate.
namespace {
std::atomic<long> gNewCalls{0};
}  // namespace

// GCC 12 flags free() on memory from a replaced operator new as mismatched; here both sides
// are malloc/free, so the pairing is correct.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t size) {
  gNewCalls.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#pragma GCC diagnostic pop

namespace larslab::data {
namespace {

// Sample i has features (i, -i) and target 2i, so a batch row identifies its sample.
Dataset idDataset(int n) {
  Dataset d;
  d.name = "ids";
  d.inputShape = nn::Shape{1, 1, 2};
  d.features.resize(n, 2);
  d.targets.resize(n, 1);
  for (int i = 0; i < n; ++i) {
    d.features(i, 0) = static_cast<float>(i);
    d.features(i, 1) = static_cast<float>(-i);
    d.targets(i, 0) = static_cast<float>(2 * i);
  }
  return d;
}

// Sample ids of the next `batches` batches, in order; checks rows stay together.
std::vector<int> drawIds(Batcher& batcher, int batches) {
  std::vector<int> ids;
  nn::Matrix x;
  nn::Matrix y;
  for (int b = 0; b < batches; ++b) {
    batcher.next(x, y);
    for (Eigen::Index r = 0; r < x.rows(); ++r) {
      const int id = static_cast<int>(x(r, 0));
      EXPECT_EQ(x(r, 1), -x(r, 0));
      EXPECT_EQ(y(r, 0), 2.0F * x(r, 0));
      ids.push_back(id);
    }
  }
  return ids;
}

TEST(Batcher, EveryBatchFullEverySampleOncePerEpoch) {
  const Dataset data = idDataset(100);
  Batcher batcher(data, 10, 1);
  EXPECT_EQ(batcher.batchesPerEpoch(), 10);
  EXPECT_EQ(batcher.batchSize(), 10);
  for (int epoch = 0; epoch < 3; ++epoch) {
    EXPECT_EQ(batcher.epoch(), epoch);
    EXPECT_EQ(batcher.step(), 10L * epoch);
    const std::vector<int> ids = drawIds(batcher, 10);
    EXPECT_EQ(std::set<int>(ids.begin(), ids.end()).size(), 100U) << "epoch " << epoch;
  }
  EXPECT_EQ(batcher.step(), 30);
  EXPECT_EQ(batcher.epoch(), 3);
}

TEST(Batcher, DropLastSkipsTheRemainderAndItMoves) {
  const Dataset data = idDataset(103);
  Batcher batcher(data, 10, 2);
  EXPECT_EQ(batcher.batchesPerEpoch(), 10);
  std::set<int> skippedUnion;
  std::vector<std::set<int>> skipped;
  for (int epoch = 0; epoch < 4; ++epoch) {
    const std::vector<int> ids = drawIds(batcher, 10);
    std::set<int> seen(ids.begin(), ids.end());
    EXPECT_EQ(seen.size(), 100U);  // no duplicates within an epoch
    std::set<int> left;
    for (int i = 0; i < 103; ++i) if (seen.count(i) == 0) left.insert(i);
    EXPECT_EQ(left.size(), 3U);
    skipped.push_back(left);
  }
  EXPECT_NE(skipped[0], skipped[1]);  // the same samples are not left out every epoch
  EXPECT_EQ(Batcher(data, 103, 2).batchesPerEpoch(), 1);
  EXPECT_EQ(Batcher(data, 52, 2).batchesPerEpoch(), 1);
  EXPECT_EQ(Batcher(data, 51, 2).batchesPerEpoch(), 2);
}

TEST(Batcher, DeterministicPerSeedAndReshuffledPerEpoch) {
  const Dataset data = idDataset(64);
  Batcher a(data, 8, 11);
  Batcher b(data, 8, 11);
  Batcher c(data, 8, 12);
  const std::vector<int> seqA = drawIds(a, 24);
  const std::vector<int> seqB = drawIds(b, 24);
  const std::vector<int> seqC = drawIds(c, 24);
  EXPECT_EQ(seqA, seqB);
  EXPECT_NE(seqA, seqC);
  const std::vector<int> epoch0(seqA.begin(), seqA.begin() + 64);
  const std::vector<int> epoch1(seqA.begin() + 64, seqA.begin() + 128);
  const std::vector<int> epoch2(seqA.begin() + 128, seqA.end());
  EXPECT_NE(epoch0, epoch1);
  EXPECT_NE(epoch1, epoch2);
  std::vector<int> identity(64);
  for (int i = 0; i < 64; ++i) identity[static_cast<std::size_t>(i)] = i;
  EXPECT_NE(epoch0, identity);
}

TEST(Batcher, ResetRepeatsTheSameBatches) {
  const Dataset data = idDataset(50);
  Batcher batcher(data, 7, 5);
  const std::vector<int> first = drawIds(batcher, 20);  // crosses two epoch boundaries
  batcher.reset();
  EXPECT_EQ(batcher.step(), 0);
  EXPECT_EQ(batcher.epoch(), 0);
  EXPECT_EQ(drawIds(batcher, 20), first);
}

TEST(Batcher, WithoutShuffleVisitsStoredOrder) {
  const Dataset data = idDataset(10);
  Batcher batcher(data, 4, 5, false);
  EXPECT_EQ(drawIds(batcher, 4), (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7}));
}

TEST(Batcher, NextDoesNotAllocateOnceSized) {
  const Dataset data = idDataset(200);
  Batcher batcher(data, 16, 3);
  nn::Matrix x;
  nn::Matrix y;
  batcher.next(x, y);  // sizes x and y
  const float* xData = x.data();
  const float* yData = y.data();
  const long before = gNewCalls.load();
  for (int i = 0; i < 60; ++i) batcher.next(x, y);  // crosses several epochs
  EXPECT_EQ(gNewCalls.load(), before);
  EXPECT_EQ(x.data(), xData);  // Eigen allocates with malloc: check it did not reallocate
  EXPECT_EQ(y.data(), yData);
  EXPECT_EQ(x.rows(), 16);
  EXPECT_EQ(y.cols(), 1);
}

TEST(Batcher, MultiColumnTargetsTravelWithTheirRows) {
  Dataset data = idDataset(30);
  data.targets.resize(30, 3);
  for (int i = 0; i < 30; ++i) data.targets.row(i) << float(i), float(i + 100), float(i + 200);
  Batcher batcher(data, 6, 8);
  nn::Matrix x;
  nn::Matrix y;
  batcher.next(x, y);
  ASSERT_EQ(y.cols(), 3);
  for (Eigen::Index r = 0; r < 6; ++r) {
    EXPECT_EQ(y(r, 0), x(r, 0));
    EXPECT_EQ(y(r, 2), x(r, 0) + 200.0F);
  }
}

TEST(Batcher, RejectsBadBatchSizes) {
  const Dataset data = idDataset(20);
  test::expectThrowMentioning<std::invalid_argument>([&] { Batcher b(data, 21, 1); },
                                                     {"21", "20", "ids"});
  test::expectThrowMentioning<std::invalid_argument>([&] { Batcher b(data, 0, 1); }, {"batch size", "0"});
  EXPECT_NO_THROW(Batcher(data, 20, 1));
}

}  // namespace
}  // namespace larslab::data
