#include "teaching_views.h"

#include "teaching_view.h"

namespace larslab::ui {

const std::vector<TeachingViewInfo>& teachingViews() {
  // One row per view, in tab order.
  static const std::vector<TeachingViewInfo> views = {
  };
  return views;
}

const TeachingViewInfo* findTeachingView(const QString& id) {
  for (const TeachingViewInfo& v : teachingViews())
    if (id == QLatin1String(v.id)) return &v;
  return nullptr;
}

QStringList teachingViewIds() {
  QStringList ids;
  for (const TeachingViewInfo& v : teachingViews()) ids.append(QLatin1String(v.id));
  return ids;
}

}  // namespace larslab::ui
