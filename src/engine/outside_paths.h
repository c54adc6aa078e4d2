#pragma once
// Files an experiment, lesson or study names that lie outside the folder it came from. A file
// from elsewhere (a colleague's lesson, a download) names only what it reads: a dataset, an
// experiment file. None of these formats names a place to write or anything to run; the app
// writes only where the user chose (Save dialogs, a study's output folder) or in its own cache.
// What a file reads from outside its folder (an absolute path, or a relative one that climbs
// out with "..") is shown to the user before it is opened.

#include <string>
#include <vector>

#include "engine/experiment.h"
#include "engine/lesson.h"
#include "engine/study.h"

namespace larslab::engine {

struct OutsidePath {
  std::string field;     // JSON path of the field that names it: "experiment.dataset.path"
  std::string written;   // as written in the file
  std::string resolved;  // the file or folder that would be opened
};

// `folder`: the folder of the file the document was read from.
std::vector<OutsidePath> pathsOutsideFolder(const ExperimentSpec& spec, const std::string& folder);
std::vector<OutsidePath> pathsOutsideFolder(const StudySpec& study, const std::string& folder);
std::vector<OutsidePath> pathsOutsideFolder(const LessonSpec& lesson, const std::string& folder);

// One line per path: "experiment.dataset.path: ../../home/x/data.csv (/home/x/data.csv)".
std::string describeOutsidePaths(const std::vector<OutsidePath>& paths);

}  // namespace larslab::engine
