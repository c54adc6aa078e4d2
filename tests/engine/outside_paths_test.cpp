// Untrusted files (issue 16): what an experiment or lesson reads outside the folder it came from
// (an absolute path, or a relative one that climbs out) is found, named by its field, and
// described for the question the window asks before opening it.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "engine/outside_paths.h"

namespace larslab::engine {
namespace {

namespace fs = std::filesystem;

class OutsidePathsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("larslab_outside_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
                                         "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_ / "lesson" / "data");
  }
  void TearDown() override { fs::remove_all(root_); }

  // An experiment file in root/lesson that reads the CSV at `dataPath` (as written).
  ExperimentSpec experimentReading(const std::string& dataPath) {
    const fs::path file = root_ / "lesson" / "experiment.json";
    std::ofstream(file) << R"({"version": 1, "dataset": {"kind": "csv", "path": ")" << dataPath
                        << R"(", "label_column": "label"},
      "model": {"layers": [{"type": "dense", "units": 2}]}, "batch_size": 4, "steps": 10,
      "runs": [{"name": "SGD", "optimizer": {"type": "sgd"}}]})";
    return loadExperiment(file.string());
  }
  [[nodiscard]] std::string folder() const { return (root_ / "lesson").string(); }

  fs::path root_;
};

TEST_F(OutsidePathsTest, PathsInsideTheFolderAreNotReported) {
  EXPECT_TRUE(pathsOutsideFolder(experimentReading("data/train.csv"), folder()).empty());
  EXPECT_TRUE(pathsOutsideFolder(experimentReading("train.csv"), folder()).empty());
  EXPECT_TRUE(pathsOutsideFolder(experimentReading("data/../train.csv"), folder()).empty());
}

TEST_F(OutsidePathsTest, ClimbingOutOrAnAbsolutePathIsReportedWithItsFieldAndTarget) {
  const auto up = pathsOutsideFolder(experimentReading("../secret.csv"), folder());
  ASSERT_EQ(up.size(), 1u);
  EXPECT_EQ(up[0].field, "dataset.path");
  EXPECT_EQ(up[0].written, "../secret.csv");
  EXPECT_EQ(fs::path(up[0].resolved).lexically_normal(), (root_ / "secret.csv").lexically_normal());

  const auto sneaky = pathsOutsideFolder(experimentReading("data/../../secret.csv"), folder());
  ASSERT_EQ(sneaky.size(), 1u) << "a path that dips into the folder and climbs out still escapes";

  // Absolute: reported even when it points into the folder (the file was written elsewhere).
  const std::string inside = (root_ / "lesson" / "data" / "train.csv").string();
  const auto absolute = pathsOutsideFolder(experimentReading(inside), folder());
  ASSERT_EQ(absolute.size(), 1u);
  EXPECT_EQ(absolute[0].written, inside);
  EXPECT_EQ(describeOutsidePaths(absolute), "dataset.path: " + inside);
  EXPECT_EQ(describeOutsidePaths(up), "dataset.path: ../secret.csv (" + up[0].resolved + ")");
}

TEST_F(OutsidePathsTest, ALessonReportsItsExperimentFileAndTheDataThatFileReads) {
  LessonSpec lesson;
  lesson.experimentPath = "/somewhere/else/experiment.json";
  lesson.experiment = experimentReading("/etc/hosts");
  const auto paths = pathsOutsideFolder(lesson, folder());
  ASSERT_EQ(paths.size(), 2u);
  EXPECT_EQ(paths[0].field, "experiment");
  EXPECT_EQ(paths[1].field, "experiment.dataset.path");
  EXPECT_EQ(paths[1].written, "/etc/hosts");
  // An inline experiment with data beside the lesson names nothing.
  lesson.experimentPath.clear();
  lesson.experiment = experimentReading("data/train.csv");
  EXPECT_TRUE(pathsOutsideFolder(lesson, folder()).empty());
}

}  // namespace
}  // namespace larslab::engine
