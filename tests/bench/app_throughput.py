#!/usr/bin/python3
"""The desktop app's training throughput against larslab-cli's on the same experiment (issue 17).

  /usr/bin/python3 tests/bench/app_throughput.py --build-dir build/release [EXPERIMENT.json]

Alternates, --rounds times, the two ways a user trains an experiment:
  - `larslab-cli run EXPERIMENT --threads T`: training alone; it prints its steps/s;
  - `larslab --screenshot ... --live S EXPERIMENT --threads T` (offscreen): the real window with
    its default views, its worker thread and its 30 Hz refresh, for S seconds; it prints the
    steps it trained, its steps/s and the CPU time of its GUI thread.
S is chosen so that the app cannot run out of planned steps (70% of the time the CLI needs for
them). Alternating lets both see about the same machine load; the report gives each round, the
medians of the rates and the median of the rounds' app / CLI ratios (the figure the target is
checked on). Default experiment: resources/experiments/default.json.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
CLI_RATE = re.compile(r"time ([0-9.e+-]+) s, ([0-9.e+-]+) steps/s")
APP_RATE = re.compile(r"live ([0-9.]+) s: (\d+) steps, ([0-9.]+) steps/s(.*?); GUI thread CPU ([0-9.]+) s, "
                      r"(\d+)% of a core, a refresh every (\d+) ms; (\d+) training threads")
TOTAL_STEPS = re.compile(r"(\d+) steps, batch")


def find(build_dir, name):
    for rel in (f"src/engine/{name}", f"ui/{name}", name):
        path = os.path.join(build_dir, rel)
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    sys.exit(f"app_throughput.py: {name} not found in {build_dir}; build it first")


def run_cli(cli, experiment, threads, work):
    out = subprocess.run([cli, "run", experiment, "--out", os.path.join(work, "cli"), "--threads", str(threads)],
                         check=True, capture_output=True, text=True)
    m = CLI_RATE.search(out.stdout)
    total = TOTAL_STEPS.search(out.stderr)
    if not m or not total:
        sys.exit("app_throughput.py: larslab-cli printed no rate:\n" + out.stdout + out.stderr)
    return float(m.group(2)), int(total.group(1))


def run_app(app, experiment, threads, seconds, size, work):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=os.path.join(work, "home"))
    os.makedirs(env["HOME"], exist_ok=True)
    out = subprocess.run([app, "--screenshot", os.path.join(work, "app.png"), "--size", size, "--live",
                          f"{seconds:.1f}", "--threads", str(threads), experiment],
                         check=True, capture_output=True, text=True, env=env)
    m = APP_RATE.search(out.stdout)
    if not m:
        sys.exit("app_throughput.py: larslab printed no live rate:\n" + out.stdout + out.stderr)
    if m.group(4):
        sys.exit("app_throughput.py: the app finished its planned steps before --live ended; the rate "
                 "would be too low:\n" + out.stdout)
    return {"rate": float(m.group(3)), "steps": int(m.group(2)), "seconds": float(m.group(1)),
            "gui_cpu": float(m.group(6)) / 100.0, "refresh_ms": int(m.group(7)), "threads": int(m.group(8))}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("experiment", nargs="?", default=os.path.join(REPO, "resources", "experiments", "default.json"))
    ap.add_argument("--build-dir", default=os.path.join(REPO, "build", "release"))
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--seconds", type=float, default=12.0, help="longest --live run of the app")
    ap.add_argument("--size", default="1366x768", help="window size of the app")
    args = ap.parse_args()
    cli, app = find(args.build_dir, "larslab-cli"), find(args.build_dir, "larslab")

    rows = []
    with tempfile.TemporaryDirectory(prefix="larslab-app-throughput-") as work:
        for r in range(args.rounds):
            cli_rate, planned = run_cli(cli, args.experiment, args.threads, work)
            seconds = min(args.seconds, 0.7 * planned / cli_rate)
            a = run_app(app, args.experiment, args.threads, seconds, args.size, work)
            rows.append((cli_rate, a))
            print(f"# round {r + 1}: CLI {cli_rate:.1f} steps/s; app {a['rate']:.1f} steps/s over {a['seconds']:.1f} s, "
                  f"GUI thread {100 * a['gui_cpu']:.0f}% of a core", file=sys.stderr, flush=True)

    cpu = "?"
    with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    cli_median = statistics.median(r[0] for r in rows)
    app_median = statistics.median(r[1]["rate"] for r in rows)
    # The ratio of each round (both sides ran back to back, under about the same load), then the
    # median over the rounds: steadier on a shared host than the ratio of the two medians.
    ratio_median = statistics.median(r[1]["rate"] / r[0] for r in rows)
    gui_median = statistics.median(r[1]["gui_cpu"] for r in rows)
    print(f"## The app against larslab-cli: {os.path.relpath(args.experiment, REPO)}, {args.threads} training threads, "
          f"window {args.size}")
    print()
    print(f"Machine: {cpu}, {os.cpu_count()} cores. Alternating runs, {args.rounds} rounds.")
    print()
    print("| round | CLI steps/s | app steps/s | app / CLI | GUI thread CPU (share of a core) | chart refresh at the end |")
    print("|---|---|---|---|---|---|")
    for i, (c, a) in enumerate(rows):
        print(f"| {i + 1} | {c:.1f} | {a['rate']:.1f} | {a['rate'] / c:.2f}x | {100 * a['gui_cpu']:.0f}% | "
              f"every {a['refresh_ms']} ms |")
    ok = ratio_median >= 0.9
    print(f"| median | {cli_median:.1f} | {app_median:.1f} | {ratio_median:.2f}x {'ok' if ok else 'MISS'} "
          f"(target >= 0.90x) | {100 * gui_median:.0f}% {'ok' if gui_median <= 0.25 else 'MISS'} (target <= 25%) | |")


if __name__ == "__main__":
    main()
