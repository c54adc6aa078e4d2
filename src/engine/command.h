#pragma once
// The commands a driver-side client (the GUI, the CLI, a test) submits to a running Session
// with Session::submit. They are queued and applied by the driver at the next step boundary;
// each is logged in the store as one Event (EventKind::Set, Option, Added, Removed, Described, or
// Rejected
// when it cannot be applied: an unknown run, a value out of range, a duplicate name).
//
// Restarting (Reset, a different dataset or model) is not a command: it builds a new Session
// from the experiment the store records (MetricsStore::experiment()), see session.h.

#include <string>
#include <variant>

#include "engine/experiment.h"

namespace larslab::engine {

// A hyperparameter of one run's optimizer; the optimizer state (momentum, moments) is kept.
struct SetHyperparameter {
  std::string run;
  std::string name;
  double value = 0.0;
};

// A convention option of one run; rebuilds the run's optimizer: weights kept, state cleared.
struct SetOption {
  std::string run;
  std::string name;
  std::string choice;
};

// A new run; it starts from the initial weights and replays the batches it missed.
struct AddRun {
  RunSpec run;
};

// Stops a run; its recorded metrics stay in the store, marked removed.
struct RemoveRun {
  std::string run;
};

// The experiment's name and description (what Save writes); training is not affected.
struct Describe {
  std::string name;
  std::string description;
};

using Command = std::variant<SetHyperparameter, SetOption, AddRun, RemoveRun, Describe>;

}  // namespace larslab::engine
