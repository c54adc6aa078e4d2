#pragma once
// Saves that never leave a half-written file: the content goes to a temporary file in the
// same directory (same file system), is flushed to disk, then renamed over the target.

#include <functional>
#include <ostream>
#include <string>

namespace larslab::engine {

// Throws std::runtime_error naming the path on failure; the target is then untouched.
void writeFileAtomically(const std::string& path, const std::string& content);
// Streaming form for large files (metric logs): `write` fills the stream; an exception thrown
// by it, or a stream error, removes the temporary file and leaves the target untouched.
void writeFileAtomically(const std::string& path, const std::function<void(std::ostream&)>& write);

}  // namespace larslab::engine
