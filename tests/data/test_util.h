#pragma once
// Helpers shared by the data tests.

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <utility>

#include "nn/tensor.h"
#include <string>
#include <vector>

namespace larslab::data::test {

inline std::string fixture(const std::string& relative) {
  return std::string(LARSLAB_FIXTURE_DIR) + "/" + relative;
}

// Smallest and largest coefficient. Eigen's minCoeff/maxCoeff trip a false
// -Wmaybe-uninitialized in GCC 12's AVX-512 intrinsics (GCC bug 105593) under -march=native.
inline std::pair<float, float> minMax(const nn::Matrix& m) {
  const auto [lo, hi] = std::minmax_element(m.data(), m.data() + m.size());
  return {*lo, *hi};
}

// Runs `call`, expects an exception of type E whose message contains every needle.
template <typename E>
void expectThrowMentioning(const std::function<void()>& call, const std::vector<std::string>& needles) {
  try {
    call();
  } catch (const E& e) {
    const std::string message = e.what();
    for (const auto& needle : needles) {
      EXPECT_NE(message.find(needle), std::string::npos)
          << "message \"" << message << "\" does not mention \"" << needle << "\"";
    }
    return;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "wrong exception type, message: " << e.what();
    return;
  }
  ADD_FAILURE() << "no exception thrown";
}

}  // namespace larslab::data::test
