#include "engine/session.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <variant>

#include <tbb/task_arena.h>
#include <tbb/task_group.h>

#include "data/batcher.h"
#include "data/csv.h"
#include "data/fashion_mnist.h"
#include "nn/random.h"
#include "data/synthetic.h"
#include "engine/run_health.h"
#include "engine/text_util.h"
#include "nn/backprop.h"
#include "optim/optimizer.h"
#include "optim/schedule.h"

namespace larslab::engine {

data::DatasetSplit loadDataset(const DatasetSpec& spec, std::uint64_t seed) {
  try {
    if (spec.kind == "fashion_mnist")
      return data::loadFashionMnist(spec.path.empty() ? data::defaultFashionMnistDir() : resolvedDataPath(spec),
                                    spec.limit);
    if (spec.kind == "csv") return data::loadCsv(resolvedDataPath(spec), csvOptions(spec, seed));
    data::SyntheticSpec synthetic;
    synthetic.kind = spec.kind;
    synthetic.samples = spec.samples;
    synthetic.noise = spec.noise;
    synthetic.testFraction = spec.testFraction;
    synthetic.seed = seed;
    return data::makeSynthetic(synthetic);
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("dataset: ") + e.what());
  }
}

long experimentSteps(const ExperimentSpec& spec, long batchesPerEpoch) {
  if (spec.steps > 0) return spec.steps;
  if (spec.epochs > 0.0)
    return std::max(
        1L, static_cast<long>(std::ceil(spec.epochs * static_cast<double>(batchesPerEpoch))));
  return kDefaultSteps;
}

namespace {

// Streams of the experiment seed, so that initial weights, batch order and dropout masks are
// unrelated random sequences.
constexpr std::uint64_t kBatchStream = 1;
constexpr std::uint64_t kDropoutStream = 2;
// Test-split rows per inference chunk: large enough for efficient GEMMs, small enough that a
// CNN's activations per chunk and thread stay a few tens of MB (each run keeps its own).
constexpr int kEvalChunkRows = 128;

const char* nonFiniteName(double v) { return std::isnan(v) ? "NaN" : (v > 0 ? "inf" : "-inf"); }

}  // namespace

struct Session::Impl {
  struct Run {
    RunSpec spec;  // current: tuned hyperparameters and options
    int storeIndex = -1;
    std::unique_ptr<optim::Optimizer> optimizer;
    nn::ParameterStore params;
    nn::ParameterStore grads;
    std::unique_ptr<nn::ShardedBackprop> backprop;
    std::unique_ptr<nn::Inference> inference;  // test-set evaluation, buffers kept between calls
    std::unique_ptr<data::Batcher> batcher;
    nn::Matrix x, y;
    std::vector<optim::TensorTelemetry> telemetry;
    std::vector<float> runRow;
    std::vector<float> tensorRow;
    std::optional<RunHealth> health;
    std::shared_ptr<WeightHistory> history;  // null unless the inputs are 2-D (see keepsWeights)
    std::vector<Event> warnings;  // raised by trainOne, written as events by step()
    long step = 0;  // updates applied
    bool diverged = false;
    bool finished = false;
    [[nodiscard]] bool active() const { return !diverged && !finished; }
  };

  ExperimentSpec spec;  // as loaded; runs are kept in `runs`
  SessionOptions options;
  data::DatasetSplit split;
  std::unique_ptr<nn::Network> network;
  nn::ParameterStore initial;
  std::vector<int> telemetryTensors;  // layout index of each store tensor (trainable only)
  std::vector<TensorColumnInfo> tensorColumns;
  long total = 0;
  double perEpoch = 0.0;
  std::unique_ptr<tbb::task_arena> arena;

  std::vector<std::unique_ptr<Run>> runs;  // driver thread only
  std::vector<Run*> work;                  // runs trained by the current step

  std::atomic<long> sessionStep{0};
  std::atomic<bool> done{false};

  std::shared_ptr<MetricsStore> store;  // one per session, set at construction

  // Weight histories by store index, for any thread (weightsAt). Kept only for 2-D inputs: a
  // decision boundary can be drawn there, and such models are small.
  bool keepsWeights = false;
  mutable std::mutex historyMutex;
  std::map<int, std::shared_ptr<const WeightHistory>> histories;

  // A new run gets its store slot, and its weight history starting with the initial weights.
  void attach(Run& run) {
    run.storeIndex = store->addRun(run.spec.name);
    if (!keepsWeights) return;
    run.history = std::make_shared<WeightHistory>(WeightHistory::intervalFor(total));
    run.history->record(0, run.params);
    std::lock_guard lock(historyMutex);
    histories[run.storeIndex] = run.history;
  }

  mutable std::mutex mutex;  // guards the queue
  std::vector<Command> queue;

  // ---- construction helpers (driver thread) ----

  std::shared_ptr<MetricsStore> makeStore() const {
    return std::make_shared<MetricsStore>(tensorColumns, std::max(1L, total), perEpoch);
  }

  std::unique_ptr<optim::Optimizer> createOptimizer(const RunSpec& run) const {
    const optim::OptimizerInfo* info = optim::findOptimizer(run.optimizer.type);
    if (info == nullptr)
      throw std::invalid_argument("unknown optimizer \"" + run.optimizer.type + "\"");
    return info->create(run.optimizer, *network->layout());
  }

  std::unique_ptr<Run> makeRun(RunSpec runSpec) {
    auto run = std::make_unique<Run>();
    runSpec.schedule.totalSteps = total;
    run->spec = std::move(runSpec);
    run->optimizer = createOptimizer(run->spec);
    run->params = initial;
    run->grads = nn::ParameterStore(network->layout());
    run->backprop = std::make_unique<nn::ShardedBackprop>(*network, spec.batchSize);
    run->batcher = std::make_unique<data::Batcher>(
        split.train, spec.batchSize, nn::mixSeed(spec.seed, kBatchStream), spec.shuffle);
    run->telemetry.resize(static_cast<std::size_t>(network->layout()->count()));
    run->runRow.resize(kRunMetricCount);
    run->tensorRow.resize(telemetryTensors.size() * kTensorMetricCount);
    std::vector<RunHealth::TensorInfo> watched;
    for (const TensorColumnInfo& c : tensorColumns)
      watched.push_back({c.name, c.kind == nn::TensorKind::Weight});
    run->health.emplace(spec.health, std::move(watched),
                        split.train.isClassification() ? split.train.numClasses : 0);
    return run;
  }

  // Records the experiment as it is now, and what each optimizer holds, in the store: readers
  // (the GUI, the CLI's summary) learn the session's configuration there and nowhere else.
  void publishRuns() {
    ExperimentRecord record;
    record.experiment = spec;
    for (const auto& run : runs) {
      RunSpec saved = run->spec;
      saved.schedule.totalSteps = 0;  // derived from the length, not saved
      record.experiment.runs.push_back(std::move(saved));
      auto& values = record.applied[run->spec.name];
      if (const optim::OptimizerInfo* info = optim::findOptimizer(run->spec.optimizer.type))
        for (const optim::HyperparameterSpec& h : info->hyperparameters)
          values[h.name] = run->optimizer->hyperparameter(h.name);
    }
    store->setExperiment(std::move(record));
  }

  Run* findRun(const std::string& name) {
    for (auto& run : runs)
      if (run->spec.name == name) return run.get();
    return nullptr;
  }

  void event(long step, std::string run, EventKind kind, std::string detail) {
    store->addEvent(Event{step, std::move(run), kind, std::move(detail)});
  }

  // ---- commands (driver thread, step boundary) ----

  void apply(const SetHyperparameter& c) {
    Run* run = findRun(c.run);
    if (run == nullptr) {
      event(sessionStep.load(), c.run, EventKind::Rejected,
            "set " + c.name + " = " + formatNumber(c.value) + ": no such run");
      return;
    }
    const std::string problem = checkHyperparameter(run->spec.optimizer.type, c.name, c.value);
    if (!problem.empty()) {
      event(run->step, c.run, EventKind::Rejected, problem);
      return;
    }
    const double old = run->optimizer->hyperparameter(c.name);
    try {
      run->optimizer->setHyperparameter(c.name, c.value);
    } catch (const std::exception& e) {
      event(run->step, c.run, EventKind::Rejected, c.name + ": " + e.what());
      return;
    }
    run->spec.optimizer.hyperparameters[c.name] = c.value;
    event(run->step, c.run, EventKind::Set, formatSetEventDetail({c.name, old, c.value}));
  }

  void apply(const SetOption& c) {
    Run* run = findRun(c.run);
    if (run == nullptr) {
      event(sessionStep.load(), c.run, EventKind::Rejected,
            "set " + c.name + " = " + c.choice + ": no such run");
      return;
    }
    RunSpec changed = run->spec;
    const auto previous = changed.optimizer.options.find(c.name);
    const std::string old =
        previous == changed.optimizer.options.end() ? std::string(kOptionDefault) : previous->second;
    changed.optimizer.options[c.name] = c.choice;
    const std::vector<SpecIssue> issues = validateRun(changed, c.run);
    if (!issues.empty()) {
      event(run->step, c.run, EventKind::Rejected,
            issues.front().path + ": " + issues.front().message);
      return;
    }
    std::unique_ptr<optim::Optimizer> optimizer;
    try {
      optimizer = createOptimizer(changed);
    } catch (const std::exception& e) {
      event(run->step, c.run, EventKind::Rejected, c.name + ": " + e.what());
      return;
    }
    run->spec = std::move(changed);
    run->optimizer = std::move(optimizer);
    event(run->step, c.run, EventKind::Option, formatOptionEventDetail({c.name, old, c.choice}));
  }

  void apply(const AddRun& c) {
    std::vector<SpecIssue> issues =
        validateRun(c.run, c.run.name.empty() ? std::string("run") : c.run.name);
    if (findRun(c.run.name) != nullptr)
      issues.push_back({c.run.name, "a run with this name already exists"});
    if (!issues.empty()) {
      event(sessionStep.load(), c.run.name, EventKind::Rejected,
            "add: " + issues.front().path + ": " + issues.front().message);
      return;
    }
    std::unique_ptr<Run> run;
    try {
      run = makeRun(c.run);
      attach(*run);
    } catch (const std::exception& e) {
      event(sessionStep.load(), c.run.name, EventKind::Rejected, std::string("add: ") + e.what());
      return;
    }
    event(sessionStep.load(), run->spec.name, EventKind::Added,
          run->spec.optimizer.type + (sessionStep.load() > 0
                                          ? ", replaying " + std::to_string(sessionStep.load()) +
                                                " steps from the initial weights"
                                          : std::string()));
    runs.push_back(std::move(run));
  }

  void apply(const RemoveRun& c) {
    const auto it = std::find_if(runs.begin(), runs.end(),
                                 [&](const auto& r) { return r->spec.name == c.run; });
    if (it == runs.end()) {
      event(sessionStep.load(), c.run, EventKind::Rejected, "remove: no such run");
      return;
    }
    RunStatusInfo status = store->status((*it)->storeIndex);
    status.removed = true;
    store->setStatus((*it)->storeIndex, status);
    event((*it)->step, c.run, EventKind::Removed, "");
    runs.erase(it);
  }

  void apply(const Describe& c) {
    if (c.name.empty()) {
      event(sessionStep.load(), "", EventKind::Rejected, "describe: the experiment needs a name");
      return;
    }
    std::string detail;
    if (c.name != spec.name) detail = "name \"" + spec.name + "\" -> \"" + c.name + "\"";
    if (c.description != spec.description) detail += std::string(detail.empty() ? "" : ", ") + "description";
    if (detail.empty()) return;
    spec.name = c.name;
    spec.description = c.description;
    event(sessionStep.load(), "", EventKind::Described, detail);
  }

  void applyCommands() {
    std::vector<Command> commands;
    {
      const std::lock_guard lock(mutex);
      commands.swap(queue);
    }
    if (commands.empty()) return;
    for (const Command& command : commands)
      std::visit([this](const auto& c) { apply(c); }, command);
    publishRuns();
  }

  // ---- training ----

  void evaluate(Run& run) {
    if (!run.inference) run.inference = std::make_unique<nn::Inference>(*network, kEvalChunkRows);
    const nn::BatchResult r = run.inference->evaluate(run.params, split.test.features, split.test.targets);
    EvalPoint point;
    point.step = run.step;
    point.loss = r.loss;
    point.accuracy =
        split.test.isClassification() ? r.accuracy() : std::numeric_limits<double>::quiet_NaN();
    store->addEvaluation(run.storeIndex, point);
  }

  // One update of one run. Runs on a TBB worker; touches only `run` and its store columns.
  void trainOne(Run& run) {
    if (run.step == 0) evaluate(run);
    const long k = run.step;
    run.batcher->next(run.x, run.y);
    const std::uint64_t stepSeed =
        nn::mixSeed(nn::mixSeed(spec.seed, kDropoutStream), static_cast<std::uint64_t>(k));
    const nn::BatchResult batch =
        run.backprop->computeGradients(run.params, run.x, run.y, run.grads, stepSeed);
    const double factor = optim::scheduleFactor(run.spec.schedule, k);
    const double lr = run.optimizer->hyperparameter("lr") * factor;
    run.optimizer->step(run.params, run.grads, factor, run.telemetry);

    run.runRow[static_cast<int>(RunMetric::Loss)] = static_cast<float>(batch.loss);
    run.runRow[static_cast<int>(RunMetric::Accuracy)] =
        split.train.isClassification() ? static_cast<float>(batch.accuracy())
                                       : std::numeric_limits<float>::quiet_NaN();
    run.runRow[static_cast<int>(RunMetric::LearningRate)] = static_cast<float>(lr);
    float* out = run.tensorRow.data();
    for (const int t : telemetryTensors) {
      const optim::TensorTelemetry& tel = run.telemetry[static_cast<std::size_t>(t)];
      for (const optim::TensorMetricInfo& m : optim::kTensorMetrics) *out++ = static_cast<float>(tel.*m.field);
    }
    store->appendStep(run.storeIndex, run.runRow, run.tensorRow);
    run.step = k + 1;

    std::string reason;
    if (!std::isfinite(batch.loss)) {
      reason = std::string("loss is ") + nonFiniteName(batch.loss);
    } else if (!run.params.flat().allFinite()) {
      const nn::ParameterLayout& layout = *network->layout();
      for (int t = 0; t < layout.count() && reason.empty(); ++t) {
        const nn::ConstVectorMap v = std::as_const(run.params).vector(t);
        for (Eigen::Index i = 0; i < v.size(); ++i)
          if (!std::isfinite(v[i])) {
            reason = "parameter " + layout.tensor(t).name + " is " + nonFiniteName(v[i]);
            break;
          }
      }
    }
    if (!reason.empty()) {
      run.diverged = true;
      RunStatusInfo status = store->status(run.storeIndex);  // keeps a warning raised earlier
      status.diverged = true;
      status.divergedAtStep = k;
      status.reason = reason;
      store->setStatus(run.storeIndex, status);
      if (run.history) run.history->record(run.step, run.params, true);  // what it diverged to
      return;
    }
    checkHealth(run, k, batch);
    if (spec.evalEvery > 0 && run.step % spec.evalEvery == 0 && run.step != total) evaluate(run);
    if (run.step >= total) {
      evaluate(run);
      run.finished = true;
      RunStatusInfo status = store->status(run.storeIndex);  // keeps a warning
      status.finished = true;
      store->setStatus(run.storeIndex, status);
    }
    if (run.history) run.history->record(run.step, run.params, run.finished);
  }

  // Feeds the run's health check with what the step measured (after the telemetry is packed);
  // a warning is recorded in the run's status now and as an event by step().
  void checkHealth(Run& run, long k, const nn::BatchResult& batch) {
    for (std::size_t i = 0; i < telemetryTensors.size(); ++i) {
      const optim::TensorTelemetry& tel = run.telemetry[static_cast<std::size_t>(telemetryTensors[i])];
      run.health->setTensor(static_cast<int>(i), tel.weightNorm, tel.gradNorm);
    }
    const double accuracy = split.train.isClassification()
                                ? batch.accuracy()
                                : std::numeric_limits<double>::quiet_NaN();
    std::optional<HealthWarning> warning = run.health->observe(k, batch.loss, accuracy);
    if (!warning) return;
    RunStatusInfo status = store->status(run.storeIndex);
    if (status.warning == RunWarning::None || warning->kind == RunWarning::BlowUp) {
      status.warning = warning->kind;
      status.warningAtStep = warning->step;
      status.warningTensor = warning->tensor;
      status.warningDetail = warning->detail;
      store->setStatus(run.storeIndex, status);
    }
    run.warnings.push_back(
        Event{warning->step, run.spec.name, EventKind::Warning, std::move(warning->detail)});
  }

  bool anyWork() const {
    return std::any_of(runs.begin(), runs.end(), [](const auto& r) { return r->active(); });
  }

  // A command queued while the driver decided it was done must not be lost behind done=true.
  void publishDone(bool more) {
    const std::lock_guard lock(mutex);
    done.store(!more && queue.empty());
  }

  bool step() {
    applyCommands();
    if (!anyWork()) {
      publishDone(false);
      return false;
    }
    const long target = std::min(sessionStep.load() + 1, total);
    work.clear();  // a member: no allocation per step once it has held every run
    for (auto& run : runs)
      if (run->active() && run->step < target) work.push_back(run.get());
    const int catchUp = std::max(1, options.catchUpStepsPerCall);
    auto train = [&](Run* run) {
      // A run behind the session (added later) replays up to `catchUp` steps per call.
      const long steps = std::min<long>(target - run->step, catchUp);
      for (long i = 0; i < steps && run->active(); ++i) trainOne(*run);
    };
    arena->execute([&] {
      tbb::task_group group;
      for (Run* run : work) group.run([&train, run] { train(run); });
      group.wait();
    });
    sessionStep.store(target);
    // Events are written here, on the driver thread, in run order: deterministic.
    for (Run* run : work) {
      for (Event& e : run->warnings) store->addEvent(std::move(e));
      run->warnings.clear();
      const RunStatusInfo status = store->status(run->storeIndex);
      if (run->diverged)
        event(status.divergedAtStep, run->spec.name, EventKind::Diverged, status.describe());
    }
    const bool more = anyWork();
    publishDone(more);
    return more;
  }
};

Session::Session(ExperimentSpec spec, SessionOptions options) : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.options = options;
  // `automatic` is declared but not defined out of line in oneTBB 2021: never bind it to a
  // reference.
  const int concurrency =
      options.threads > 0 ? options.threads : static_cast<int>(tbb::task_arena::automatic);
  m.arena = std::make_unique<tbb::task_arena>(concurrency);
  m.split = loadDataset(spec.dataset, spec.seed);
  const long trainSize = m.split.train.size();
  if (spec.batchSize < 1 || spec.batchSize > trainSize)
    throw std::runtime_error("batch_size: must be between 1 and the training split size (" +
                             std::to_string(trainSize) + " samples), got " +
                             std::to_string(spec.batchSize));
  try {
    m.network = std::make_unique<nn::Network>(spec.model, m.split.train.inputShape);
  } catch (const std::exception& e) {
    const std::string what = e.what();  // names the field already: "model.layers[2].kernel: ..."
    throw std::runtime_error(what.rfind("model.", 0) == 0 ? what : "model.layers: " + what);
  }
  const int outputs = m.network->outputShape().size();
  const int expected = m.split.train.isClassification()
                           ? m.split.train.numClasses
                           : static_cast<int>(m.split.train.targets.cols());
  if (outputs != expected)
    throw std::runtime_error("model.layers: the model outputs " + std::to_string(outputs) +
                             " values per sample but the dataset needs " +
                             std::to_string(expected));
  if ((spec.model.loss == "cross_entropy") != m.split.train.isClassification())
    throw std::runtime_error("model.loss: " + spec.model.loss + " does not fit a " +
                             (m.split.train.isClassification() ? "classification" : "regression") +
                             " dataset");
  m.initial = m.network->initialParameters(spec.seed);
  const nn::ParameterLayout& layout = *m.network->layout();
  for (int t = 0; t < layout.count(); ++t) {
    const nn::TensorInfo& info = layout.tensor(t);
    if (!info.trainable()) continue;
    m.telemetryTensors.push_back(t);
    m.tensorColumns.push_back({info.name, info.kind, info.shape});
  }
  const data::Batcher probe(m.split.train, spec.batchSize, 0, false);
  m.perEpoch = probe.batchesPerEpoch();
  m.total = experimentSteps(spec, probe.batchesPerEpoch());
  m.store = m.makeStore();
  m.keepsWeights = m.split.train.inputShape.size() == 2;
  std::vector<RunSpec> runs = std::move(spec.runs);
  spec.runs.clear();
  m.spec = std::move(spec);
  std::vector<SpecIssue> issues;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    runs[i].schedule.totalSteps = m.total;
    for (SpecIssue& issue : validateRun(runs[i], "runs[" + std::to_string(i) + "]"))
      issues.push_back(issue);
    for (std::size_t k = 0; k < i; ++k)
      if (runs[k].name == runs[i].name)
        issues.push_back({"runs[" + std::to_string(i) + "].name",
                          "duplicate run name \"" + runs[i].name + "\""});
  }
  if (!issues.empty()) throw SpecError(m.spec.name, issues);
  for (RunSpec& runSpec : runs) {
    const std::string name = runSpec.name;
    try {
      auto run = m.makeRun(std::move(runSpec));
      m.attach(*run);
      m.runs.push_back(std::move(run));
    } catch (const std::invalid_argument& e) {
      throw std::runtime_error("run " + name + ": " + e.what());
    }
  }
  m.publishRuns();
  m.done.store(!m.anyWork());
}

Session::~Session() = default;

bool Session::step() { return impl_->step(); }

const nn::ParameterStore& Session::parameters(int run) const {
  for (const auto& r : impl_->runs)
    if (r->storeIndex == run) return r->params;
  throw std::invalid_argument("session: no active run with store index " + std::to_string(run));
}

const nn::ParameterStore& Session::parameters(const std::string& run) const {
  for (const auto& r : impl_->runs)
    if (r->spec.name == run) return r->params;
  throw std::invalid_argument("session: no run named \"" + run + "\"");
}

long Session::currentStep() const { return impl_->sessionStep.load(); }
long Session::totalSteps() const { return impl_->total; }
bool Session::finished() const { return impl_->done.load(); }
double Session::stepsPerEpoch() const { return impl_->perEpoch; }
int Session::threads() const { return impl_->arena->max_concurrency(); }

std::shared_ptr<const MetricsStore> Session::metrics() const { return impl_->store; }

const nn::ParameterStore& Session::initialParameters() const { return impl_->initial; }
const nn::Network& Session::network() const { return *impl_->network; }
const data::DatasetSplit& Session::data() const { return impl_->split; }

std::shared_ptr<const WeightHistory::Snapshot> Session::weightsAt(int run, long step) const {
  std::lock_guard lock(impl_->historyMutex);
  const auto it = impl_->histories.find(run);
  return it == impl_->histories.end() ? nullptr : it->second->at(step);
}

void Session::submit(Command command) {
  const std::lock_guard lock(impl_->mutex);
  impl_->queue.push_back(std::move(command));
  impl_->done.store(false);
}

}  // namespace larslab::engine
