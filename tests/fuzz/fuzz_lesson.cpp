// Lesson files (engine/lesson.h), checked against the app's own vocabulary of views, charts
// and controls: accepted lessons save and read back to the same text; rejections name the file.

#include <stdexcept>

#include "engine/lesson.h"
#include "fuzz_support.h"
#include "lesson_vocabulary.h"

namespace {

const larslab::engine::LessonVocabulary& vocabulary() {
  static const larslab::engine::LessonVocabulary v = larslab::ui::appLessonVocabulary();
  return v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace larslab;
  const std::string origin = "fuzz-lesson.json";
  engine::LessonSpec lesson;
  try {
    lesson = engine::parseLesson(std::string(fuzz::asText(data, size)), origin, fuzz::scratchDir().string(),
                                 vocabulary());
  } catch (const std::runtime_error& e) {
    fuzz::requireNamed(e, origin);
    return 0;
  }
  const std::string saved = engine::lessonToJson(lesson);
  const std::string again =
      engine::lessonToJson(engine::parseLesson(saved, origin, fuzz::scratchDir().string(), vocabulary()));
  fuzz::requireEqual(saved, again, "an accepted lesson");
  (void)engine::lessonActionsThrough(lesson, static_cast<int>(lesson.steps.size()));
  return 0;
}
