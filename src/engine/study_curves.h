#pragma once
// The training curves behind one point of a study: the configurations that differ only by seed,
// read back from DIR/configs/<id>/ and drawn as the mean over seeds with a min-max band. The
// train loss is averaged over buckets of consecutive steps first (a per-step batch loss is too
// noisy to compare seeds at); test accuracy is taken at the evaluation steps, which every seed
// of a configuration shares.

#include <string>
#include <vector>

namespace larslab::engine {

// Per x (a step): the mean, least and greatest value over the seeds that have one there.
struct SeedBand {
  std::vector<double> step, mean, least, most;
  std::vector<int> seeds;  // how many seeds had a finite value at that step
};

struct StudyCurves {
  SeedBand trainLoss;     // bucket means of the per-step batch loss
  SeedBand testAccuracy;  // at the evaluation steps
  long bucketSteps = 1;   // steps per train-loss bucket
  int seeds = 0;          // configurations read
};

// `ids` name folders under DIR/configs. Throws std::runtime_error naming the file when one cannot
// be read. At most about `maxPoints` train-loss points per seed.
StudyCurves readStudyCurves(const std::string& dir, const std::vector<std::string>& ids, int maxPoints = 400);

}  // namespace larslab::engine
