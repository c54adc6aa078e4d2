#pragma once
// Denormal floats (|x| < 1.2e-38) make x86 arithmetic on them up to ~100x slower. They appear
// when training drives a loss towards zero: softmax probabilities of 1e-40 flow back through
// every layer, and a LARS Lab step on a memorised batch ran a third slower because of them.
// The engine flushes them to zero (FTZ) and reads them as zero (DAZ): that changes values only
// below 1.2e-38 in magnitude. The mode is per thread, so every compute task sets it itself (an
// RAII guard around the task body): which thread runs a task never changes its result.

#if defined(__SSE2__)
#include <xmmintrin.h>
#endif

namespace larslab::nn {

class FlushDenormals {
 public:
#if defined(__SSE2__)
  FlushDenormals() : saved_(_mm_getcsr()) { _mm_setcsr(saved_ | kFlushToZero | kDenormalsAreZero); }
  ~FlushDenormals() { _mm_setcsr(saved_); }
#else
  FlushDenormals() = default;  // other architectures: arithmetic left as it is
#endif
  FlushDenormals(const FlushDenormals&) = delete;
  FlushDenormals& operator=(const FlushDenormals&) = delete;

 private:
#if defined(__SSE2__)
  static constexpr unsigned kFlushToZero = 0x8000;      // MXCSR bit 15
  static constexpr unsigned kDenormalsAreZero = 0x0040;  // MXCSR bit 6
  unsigned saved_;
#endif
};

}  // namespace larslab::nn
