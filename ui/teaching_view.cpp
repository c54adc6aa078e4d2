#include "teaching_view.h"

namespace larslab::ui {

void TeachingView::feed(const ViewContext& context, qint64 nowMs) {
  const bool changed = !everFed_ || context.store != fed_.store || context.session != fed_.session ||
                       context.run != fed_.run || context.tensor != fed_.tensor || context.step != fed_.step;
  const qint64 slot = (nowMs + livePhaseMs_) / kLivePeriodMs;
  if (!changed && context.training && slot == liveSlot_) return;
  everFed_ = true;
  fed_ = context;
  liveSlot_ = slot;
  showContext(context);
}

}  // namespace larslab::ui
