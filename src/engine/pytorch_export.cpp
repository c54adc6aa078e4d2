#include "engine/pytorch_export.h"

#include <filesystem>
#include <memory>
#include <sstream>

#include "engine/atomic_file.h"
#include "engine/pytorch_export_data.h"
#include "engine/pytorch_export_literals.h"
#include "engine/pytorch_export_metrics.h"
#include "engine/pytorch_export_model.h"
#include "engine/pytorch_export_optimizers.h"
#include "nn/backprop.h"
#include "pytorch_resources.h"

// Assembles the script: its docstring, imports and configuration here, the experiment-specific
// parts from pytorch_export_{data,model,optimizers}.cpp, the fixed parts from resources/pytorch/.

namespace larslab::engine {

std::string exportPytorchScript(const ExperimentSpec& spec, const PytorchExportOptions& options) {
  const std::vector<ExportedRun> runs = resolveExportedRuns(spec);
  const std::unique_ptr<nn::Network> network = exportedNetwork(spec, exportInputShape(spec.dataset, spec.seed));
  const std::string model = modelCode(spec, *network);

  std::ostringstream py;
  // ---- header docstring ----
  py << "#!/usr/bin/env python3\n"
     << "\"\"\"" << docText(spec.name) << ": a LARS Lab experiment as a standalone PyTorch script.\n\n";
  if (!spec.description.empty()) py << docText(spec.description) << "\n\n";
  py << "Exported by `larslab-cli export-pytorch`. It trains the runs of the experiment with the same\n"
     << "model (the same tensor names: " << network->layout()->tensor(0).name << ", ...), the same data, the same optimizers\n"
     << "with the same conventions (written out below, not imported from a package) and the same\n"
     << "learning-rate schedules, and logs the same per-step and per-tensor metrics in LARS Lab's CSV\n"
     << "format, so that LARS Lab can open the log next to its own runs.\n\n"
     << "    python3 SCRIPT.py --out logs                       every run, one process\n"
     << "    python3 SCRIPT.py --run NAME --steps 500           one run, another length\n"
     << "    torchrun --standalone --nproc_per_node=2 SCRIPT.py DistributedDataParallel (gloo, CPU)\n\n"
     << "(Debian 12's torch 1.13 under Python 3.11: add `--redirects 1 --tee 1` to torchrun; its default\n"
     << "\"0\" fails with \"'NoneType' object has no attribute 'get'\", pytorch/pytorch#92319.)\n\n"
     << "To follow a LARS Lab run step for step (an experiment with \"shuffle\": false), start from its\n"
     << "initial weights:\n\n"
     << "    larslab-cli run EXPERIMENT.json --out cpp --save-weights weights\n"
     << "    python3 SCRIPT.py --init-weights weights --out torch\n\n"
     << "Losses and per-tensor norms then agree with LARS Lab's to float32 rounding. What cannot agree:\n"
     << "dropout masks and shuffled batch orders (both drawn by LARS Lab's own generator), and initial\n"
     << "weights when --init-weights is not given (same distributions, different random numbers).\n"
     << "\"\"\"\n";
  // Which modules the script imports depends on the dataset (gzip, csv); every part's own file
  // lists what it uses (resources/pytorch/), and the suite runs pyflakes on exported scripts.
  py << "import argparse\n"
        "import collections\n"
        "import math\n"
        "import os\n"
        "import sys\n"
     << datasetImports(spec.dataset)
     << "\n"
        "import numpy as np\n"
        "import torch\n"
        "import torch.distributed as dist\n"
        "import torch.nn as nn\n"
        "import torch.nn.functional as F\n"
        "from torch.nn.parallel import DistributedDataParallel\n"
        "from torch.utils.data import DataLoader, DistributedSampler, TensorDataset\n";

  // ---- configuration ----
  long steps = spec.steps;
  py << "\n# ---------------------------------------------------------------------------------------------\n"
     << "# The experiment, as exported\n"
     << "# ---------------------------------------------------------------------------------------------\n"
     << "SEED = " << spec.seed << "\n"
     << "BATCH_SIZE = " << spec.batchSize << "\n"
     << "STEPS = " << steps << "  # the experiment's length in steps; 0: EPOCHS\n"
     << "EPOCHS = " << pyFloat(spec.epochs) << "\n"
     << "EVAL_EVERY = " << spec.evalEvery << "  # evaluate on the test split every k steps (0: only at the end)\n"
     << "SHUFFLE = " << pyBool(spec.shuffle) << "\n"
     << "DATASET = " << datasetLiteral(spec.dataset) << "\n"
     << "DEFAULT_DATA_DIR = " << (options.dataDir.empty() ? std::string("None") : pyString(options.dataDir))
     << "  # LARS Lab's data as .npy, relative to this script\n"
     << "LOSS = " << pyString(spec.model.loss) << "\n"
     << "# LARS Lab cuts every minibatch into this many shards (BatchNorm's ghost batches).\n"
     << "SHARDS = " << nn::ShardedBackprop::kDefaultShards << "\n";
  py << datasetConstants(spec.dataset);

  py << runsCode(runs);
  py << dataCode(spec.dataset);
  py << model;
  py << kPyInitialWeights;
  py << optimizersCode(runs);
  py << kPySchedule << metricLogCode() << kPyTraining;
  return py.str();
}

void writePytorchScriptText(const std::string& path, const std::string& text) {
  writeFileAtomically(path, text);
  std::error_code ignored;  // best effort: `python3 SCRIPT.py` works without the executable bit
  std::filesystem::permissions(path, std::filesystem::perms::owner_exec | std::filesystem::perms::group_exec |
                                         std::filesystem::perms::others_exec,
                               std::filesystem::perm_options::add, ignored);
}

void writePytorchScript(const ExperimentSpec& spec, const std::string& path, const PytorchExportOptions& options) {
  writePytorchScriptText(path, exportPytorchScript(spec, options));
}

}  // namespace larslab::engine
