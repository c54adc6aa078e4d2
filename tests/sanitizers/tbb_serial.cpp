// Linked into every test of the tsan preset (tests/CMakeLists.txt). Debian's libtbb is not
// instrumented, so ThreadSanitizer cannot see the synchronisation inside a task_group or a
// parallel_for and reports every fork and join of the training step as a race (about 1,800
// reports in the session suite). With TBB limited to one thread, the training step runs in the
// thread that calls it, and TSan checks what our own code shares between threads: the driver
// thread writing the metrics store and the command queue while another thread submits commands
// and reads the store. The asan preset and the release suite cover the parallel training step.
#include <oneapi/tbb/global_control.h>

namespace {
const oneapi::tbb::global_control serialTbb(oneapi::tbb::global_control::max_allowed_parallelism, 1);
}  // namespace
