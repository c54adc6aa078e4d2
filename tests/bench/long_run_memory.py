#!/usr/bin/env python3
"""Peak memory of a long session (issue 16 c): larslab-cli and the desktop app (offscreen,
--screenshot after training) each train tests/bench/long_run.json (4 runs x 1,000,000 steps by
default), and their peak resident set is compared with what the metrics store's
MetricsStore::estimateBytes() predicts (larslab-cli prints it before training).

    /usr/bin/python3 tests/bench/long_run_memory.py --build-dir build/release [--steps N]

Not a unit test: it takes minutes and gigabytes of disk for the CLI's CSV export."""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def measure(command, env=None):
    """Runs `command`; returns (exit status, seconds, peak RSS in MiB, combined output)."""
    start = time.monotonic()
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.monotonic() - start
        out.seek(0)
        text = out.read().decode(errors="replace")
    return os.waitstatus_to_exitcode(status), seconds, usage.ru_maxrss / 1024.0, text


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", default="build/release")
    parser.add_argument("--experiment", default=os.path.join(HERE, "long_run.json"))
    parser.add_argument("--steps", type=int, default=1_000_000)
    args = parser.parse_args()
    cli = os.path.join(args.build_dir, "larslab-cli")
    app = os.path.join(args.build_dir, "larslab")
    with tempfile.TemporaryDirectory() as work:
        status, seconds, rss, text = measure(
            [cli, "run", args.experiment, "--steps", str(args.steps), "--out", os.path.join(work, "out")])
        if status != 0:
            sys.exit(f"larslab-cli failed ({status}):\n{text[-2000:]}")
        estimate = re.search(r"the metrics take up to (\d+) MiB", text)
        if not estimate:
            sys.exit("larslab-cli did not print the metrics estimate:\n" + text[:2000])
        estimate = int(estimate.group(1))
        print(f"steps: {args.steps} x 4 runs; MetricsStore::estimateBytes(): {estimate} MiB")
        print(f"larslab-cli run: peak RSS {rss:.0f} MiB ({rss / estimate:.2f}x the estimate), {seconds:.0f} s "
              f"(training and the CSV export)")
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=work)
        status, seconds, rss, text = measure(
            [app, "--screenshot", os.path.join(work, "shot.png"), "--steps", str(args.steps), "--size", "1366x768",
             args.experiment], env)
        if status != 0:
            sys.exit(f"larslab failed ({status}):\n{text[-2000:]}")
        print(f"larslab --screenshot: peak RSS {rss:.0f} MiB ({rss / estimate:.2f}x the estimate), {seconds:.0f} s "
              f"(training and one render of every chart)")


if __name__ == "__main__":
    main()
