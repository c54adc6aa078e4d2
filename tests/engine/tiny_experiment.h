#pragma once
// Small experiments that train in well under a second, shared by the engine tests.

#include <string>

#include "engine/experiment.h"

namespace larslab::engine::testing {

// Two spirals (400 samples), MLP 2-16-16-2 tanh, batch 32, `steps` steps, eval every 25.
inline std::string tinyJson(long steps = 100) {
  return R"({
    "version": 1, "name": "tiny",
    "dataset": {"kind": "spirals", "samples": 400, "noise": 0.1, "test_fraction": 0.25},
    "model": {"layers": [{"type": "dense", "units": 16}, {"type": "tanh"},
                         {"type": "dense", "units": 16}, {"type": "tanh"},
                         {"type": "dense", "units": 2}]},
    "batch_size": 32, "steps": )" +
         std::to_string(steps) + R"(, "eval_every": 25, "seed": 3,
    "runs": [
      {"name": "LARS", "optimizer": {"type": "lars", "lr": 2.0, "eta": 0.01}},
      {"name": "SGD", "optimizer": {"type": "momentum", "lr": 0.0625, "momentum": 0.9}},
      {"name": "Adam", "optimizer": {"type": "adam", "lr": 0.01}}
    ]})";
}

inline ExperimentSpec tinySpec(long steps = 100) {
  return parseExperiment(tinyJson(steps), "tiny.json");
}

}  // namespace larslab::engine::testing
