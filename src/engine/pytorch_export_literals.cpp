#include "engine/pytorch_export_literals.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "engine/text_util.h"

namespace larslab::engine {

std::string pyString(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          static const char* hex = "0123456789abcdef";
          out += "\\x";
          out += hex[(c >> 4) & 0xf];
          out += hex[c & 0xf];
        } else {
          out += c;  // UTF-8 passes through: Python 3 source is UTF-8
        }
    }
  }
  return out + "\"";
}

std::string pyBool(bool value) { return value ? "True" : "False"; }

std::string docText(std::string text) {
  std::string out;
  for (const char c : text) {
    if (c == '\\') out += "\\\\";
    else out += c;
  }
  std::size_t pos = 0;
  while ((pos = out.find("\"\"\"", pos)) != std::string::npos) out.replace(pos, 3, "\"\"\\\"");
  return out;
}

bool isPlainAttribute(const std::string& name) {
  static const std::set<std::string> reserved = {
      // Python keywords
      "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del",
      "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda",
      "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
      // torch.nn.Module's public attributes (torch 1.13) and the generated Model's own
      "T_destination", "add_module", "apply", "bfloat16", "buffers", "children", "cpu", "cuda", "double",
      "dump_patches", "eval", "extra_repr", "float", "forward", "get_buffer", "get_extra_state", "get_parameter",
      "get_submodule", "half", "ipu", "load_state_dict", "modules", "named_buffers", "named_children",
      "named_modules", "named_parameters", "parameters", "register_backward_hook", "register_buffer",
      "register_forward_hook", "register_forward_pre_hook", "register_full_backward_hook",
      "register_load_state_dict_post_hook", "register_module", "register_parameter", "requires_grad_",
      "set_extra_state", "share_memory", "state_dict", "to", "to_empty", "train", "training", "type", "xpu",
      "zero_grad", "reset_parameters", "ghost_batches", "x"};
  if (name.empty() || reserved.count(name) != 0) return false;
  if (name[0] >= '0' && name[0] <= '9') return false;
  if (name[0] == '_') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

}  // namespace larslab::engine
