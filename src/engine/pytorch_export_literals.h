#pragma once
// Python source text for values of the experiment, as the PyTorch exporter writes them.

#include <string>

#include "text/format.h"

namespace larslab::engine {

// A double-quoted Python string literal; UTF-8 passes through (Python 3 source is UTF-8).
std::string pyString(const std::string& text);
using text::pyFloat;
std::string pyBool(bool value);
// Text for a docstring: no triple quotes, no backslashes that Python would interpret.
std::string docText(std::string text);
// True when `name` can be a plain attribute of the generated nn.Module (self.<name>): an
// identifier that is no keyword and no name nn.Module or the generated Model uses itself.
bool isPlainAttribute(const std::string& name);

}  // namespace larslab::engine
