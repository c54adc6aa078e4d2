#pragma once
// larslab-cli subcommands. Each registers itself on the CLI11 app and sets `exitCode` when
// it runs. Bad input: a one-line reason on stderr and a non-zero exit status.

#include <string>

namespace CLI {
class App;
}

namespace larslab::engine::cli {

// Exit statuses shared by every subcommand.
inline constexpr int kExitOk = 0;
inline constexpr int kExitBadInput = 1;  // invalid experiment, unreadable file, bad option value
inline constexpr int kExitCancelled = 2;  // stopped by Ctrl+C before the end (study)
inline constexpr int kExitFailure = 3;   // could not write results

void addValidateCommand(CLI::App& app, int& exitCode);
void addRunCommand(CLI::App& app, int& exitCode);
void addSweepCommand(CLI::App& app, int& exitCode);
void addRangeCommand(CLI::App& app, int& exitCode);
void addStudyCommand(CLI::App& app, int& exitCode);

// Shared helpers.
// Prints "larslab-cli: <first issue> (and N more: larslab-cli validate FILE)" for SpecError,
// else the exception text, on one line.
void printError(const std::exception& e);
// Writes a command's --out file atomically and says so on stderr: kExitOk, or kExitFailure with
// the reason printed.
int writeOutputFile(const std::string& path, const std::string& content);

// Progress on stderr: a bar with steps/s and ETA on a terminal, a plain line every 10%
// otherwise.
class Progress {
 public:
  Progress(std::string label, long total);
  void update(long done);
  void finish(long done);

 private:
  std::string label_;
  long total_;
  bool tty_;
  double start_;
  double lastDraw_ = -1.0;
  long lastPercent_ = -1;
};

}  // namespace larslab::engine::cli
