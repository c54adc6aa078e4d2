#pragma once
// How long something takes, as the progress lines of long jobs (range tests, studies) say it:
// "45 s", "3 min 20 s", "25 min", "1 h 10 min".

#include <QString>

namespace larslab::ui {

QString durationText(double seconds);

}  // namespace larslab::ui
