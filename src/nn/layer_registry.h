#pragma once
// Every layer type, once: its fields (JSON key, range, default, help), how it is built, and what
// the experiment file, the network builder, the model editor and the PyTorch exporter need to
// know about it. Adding a layer type means adding one entry in layer_registry.cpp (and the layer
// itself); nothing else lists layer types.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "nn/init.h"
#include "nn/layer.h"
#include "nn/model_spec.h"

namespace larslab::nn {

// A closed or open numeric range; an infinite end means "no bound on that side".
struct FieldRange {
  enum class Bound { Closed, Open };
  double lo;
  Bound loBound;
  double hi;
  Bound hiBound;
  [[nodiscard]] bool contains(double v) const;
  // "must be > 0" (integers: only the violated side), "must be in [0, 1)" (reals), "must be finite".
  [[nodiscard]] std::string violation(double v, bool integer) const;
};

struct LayerField {
  enum class Kind { Int, Real, Init };
  // When experimentToJson writes the field: always, or only when it differs from "the layer's
  // default" (stride 0), from "auto" (init), or when init is "constant" (init_value).
  enum class Written { Always, WhenNonZero, WhenNotAuto, WhenInitConstant };

  const char* key;  // JSON key, also the last part of an issue's path
  Kind kind;
  int LayerSpec::*intValue = nullptr;      // Kind::Int
  double LayerSpec::*realValue = nullptr;  // Kind::Real
  FieldRange range{};                      // Int and Real
  const char* requiredHint = nullptr;      // non-null: the file must give it ("output features")
  double editorStart = 0;                  // required fields: the value a layer added in the editor starts with
  Written written = Written::Always;
  const char* help = "";                   // one sentence for the model editor

  [[nodiscard]] double number(const LayerSpec& spec) const;  // Int and Real
  void setNumber(LayerSpec& spec, double value) const;
  [[nodiscard]] bool isWritten(const LayerSpec& spec) const;
  // What is wrong with this field's value in `spec` (range, initialiser name); empty when valid.
  [[nodiscard]] std::string problem(const LayerSpec& spec) const;
};

// How the "auto" initialiser of a weighted layer sees the layers after it: He when the next
// activation (looking past normalisation, dropout, pooling and flatten) is ReLU-like.
enum class InitRole { Weighted, LookThrough, ReluLike, Other };

// What the PyTorch exporter needs to write one layer of the generated nn.Module: the exporter
// writes the class around it, the per-type text comes from here.
struct PytorchContext {
  const LayerSpec& spec;
  const Layer& layer;  // as built: shapes, name
  std::string ref;     // the module's attribute: "self.dense1", or "self._modules[\"train\"]"
  bool imageInput;     // x is (N, C, H, W) when it reaches this layer (else flat rows)
};

struct PytorchForm {
  enum class Input { Any, Flat, Image };
  Input input = Input::Any;      // the exporter reshapes x to this first
  bool flattens = false;         // x is flat rows afterwards
  bool ghostBatchNorm = false;   // uses the script's GhostBatchNorm class
  bool randomMasks = false;      // draws random masks, which PyTorch draws differently
  // The module built in __init__ for the layer (nullptr: none).
  std::string (*module)(const PytorchContext&) = nullptr;
  // The forward line, without indentation.
  std::string (*forward)(const PytorchContext&) = nullptr;
  // What the docstring's layer chain says after the name (nullptr: the name alone).
  std::string (*summary)(const PytorchContext&) = nullptr;
  // A call on the module in reset_parameters() besides the weight initialiser, or nullptr.
  const char* reset = nullptr;
};

struct LayerType;
// Builds the layer for `spec` at input shape `input`; throws std::invalid_argument naming
// "model.layers[i].field" for what the shape makes impossible (a kernel larger than the input).
using LayerBuilder = std::unique_ptr<Layer> (*)(const LayerSpec& spec, std::string name, Shape input,
                                                const InitSpec& init, const std::string& path);

struct LayerType {
  const char* type;        // "dense"; LayerSpec::type and the JSON "type"
  const char* namePrefix;  // automatic names: prefix + running index ("conv2")
  const char* help;        // one sentence for the model editor
  std::vector<LayerField> fields;  // besides "type" and "name", in the order they are written
  InitRole initRole;
  const char* sizeField;   // the field the model editor shows as the layer's size, or nullptr
  LayerBuilder build;
  PytorchForm pytorch;

  [[nodiscard]] const LayerField* field(std::string_view key) const;
  [[nodiscard]] bool hasWeights() const { return initRole == InitRole::Weighted; }
};

// A layer of this type as the model editor adds it: LayerSpec's defaults, required fields at
// their editorStart value.
LayerSpec newLayerSpec(const LayerType& type);

// In the order the help and the error messages list them.
const std::vector<LayerType>& layerTypes();
const LayerType* findLayerType(std::string_view type);
std::vector<std::string> layerTypeNames();
std::string layerTypeList();  // "dense, conv2d, ..., identity"

// The initialiser names a file may give (init field), "auto" first.
const std::vector<std::string>& initNames();

// Problems of one layer's field values and initialiser (ranges, choices), as
// (field key, message) pairs; empty when valid. Shape-dependent checks happen when building.
struct FieldIssue {
  std::string field;
  std::string message;
};
std::vector<FieldIssue> checkLayerFields(const LayerType& type, const LayerSpec& spec);

// The initialiser LARS Lab uses for layer `index`: "auto" resolved by InitRole.
InitSpec resolveInit(const ModelSpec& spec, std::size_t index);

}  // namespace larslab::nn
