#!/usr/bin/python3
"""Run the LARS Lab benchmarks and the PyTorch peer one after the other; print the comparison.

  /usr/bin/python3 tests/bench/compare.py --build-dir build/release

Steps (sequential, so the two never compete for the 2 cores):
  1. larslab_bench --benchmark_format=json (GEMM peak, kernels, optimizer step, training steps),
     the fastest of --repetitions runs of at least --min-time seconds each;
  2. peer_pytorch.py --best with the same workloads (workloads.json), optimizers and threads, in
     every configuration a user could pick (PEER_CONFIGS): OMP_WAIT_POLICY unset and PASSIVE,
     and, when Debian's OpenBLAS 0.3.21 picks kernels weaker than the CPU supports, the same two
     with the right kernel forced (OPENBLAS_CORETYPE=SkylakeX or Haswell). OPENBLAS_CORETYPE /
     OPENBLAS_L2_SIZE inherited from the caller are removed (see README.md).

"PyTorch best" for a workload, optimizer and thread count t is the fastest of those
configurations at any thread count up to t (a user with 2 cores may well run PyTorch on one);
every ratio to PyTorch is against it. "as installed" (no variable set, t threads) is kept as a
second column.

Prints Markdown tables: samples/s per workload and optimizer with the ratios and the targets,
LARS/SGD-momentum step-time ratios, 1->2 thread speed-ups, GFLOP/s against the Eigen GEMM
peak, the optimizer step alone and the layer kernels. Raw JSON of every run is kept in
--out-dir.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
OPTIMIZERS = ("sgd_momentum", "lars", "adam")
# Issue 6: samples/s at least this multiple of PyTorch as installed, with 2 threads.
INSTALLED_TARGET = {"spirals_mlp": 2.0, "deep_mlp": 2.0, "fmnist_mlp": 1.3, "fmnist_mlp_b4096": 1.3,
                    "fmnist_cnn": 1.0}
# Issue 17: samples/s at least this multiple of PyTorch best, per (workload, threads): the MLPs at
# one thread at least PyTorch's efficiency, the CNN 1.5x ...
BEST_TARGET = {("fmnist_mlp", 1): 1.0, ("fmnist_mlp_b4096", 1): 1.0, ("fmnist_cnn", 2): 1.5}
# ... and the Fashion-MNIST MLPs at 2 threads at least this share of the 2-thread GEMM peak.
PEAK_TARGET = {("fmnist_mlp", 2): 0.85, ("fmnist_mlp_b4096", 2): 0.85}
# Every configuration of the peer a user could pick besides the thread count: (label, environment
# added, needs the OpenBLAS kernel forced). The first is "as installed".
PEER_CONFIGS = (("as installed", {}, False),
                ("OMP_WAIT_POLICY=PASSIVE", {"OMP_WAIT_POLICY": "PASSIVE"}, False),
                ("{core}", {}, True),
                ("{core}, OMP_WAIT_POLICY=PASSIVE", {"OMP_WAIT_POLICY": "PASSIVE"}, True))
# OpenBLAS kernels that use what the CPU has: on an AVX-512 CPU these, on an AVX2 CPU also Haswell and Zen.
AVX512_CORES = {"SkylakeX", "Cooperlake", "SapphireRapids"}
AVX2_CORES = AVX512_CORES | {"Haswell", "Zen"}
LARS_STEP_TARGET = 1.05
SCALING_TARGET = ("fmnist_mlp", 1.7)


def find_bench(build_dir):
    candidates = [build_dir] if build_dir else [
        os.path.join(REPO, "build", "release"), os.path.join(REPO, "build-bench"),
        os.path.join(REPO, "build")]
    for d in candidates:
        for rel in ("tests/bench/larslab_bench", "larslab_bench"):
            path = os.path.join(d, rel)
            if os.path.isfile(path) and os.access(path, os.X_OK):
                return path
    sys.exit("compare.py: larslab_bench not found in " + ", ".join(candidates) +
             "; build it first: cmake --build <build dir> --target larslab_bench")


def load_average():
    try:
        with open("/proc/loadavg", encoding="ascii") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "?"


def cpu_flags():
    try:
        with open("/proc/cpuinfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def run_cpp(bench, args, out_dir):
    """Runs larslab_bench; per benchmark keeps the fastest repetition (see README.md)."""
    out = os.path.join(out_dir, "larslab_bench.json")
    cmd = [bench, "--benchmark_format=json", f"--benchmark_out={out}", "--benchmark_out_format=json",
           f"--benchmark_min_time={args.min_time}", f"--benchmark_repetitions={args.repetitions}"]
    if args.filter:
        cmd.append(f"--benchmark_filter={args.filter}")
    if not args.report_only:
        print("# running:", " ".join(cmd), file=sys.stderr, flush=True)
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    with open(out, encoding="utf-8") as f:
        doc = json.load(f)
    rows = {}
    for b in doc["benchmarks"]:
        if b.get("run_type") == "aggregate":
            continue
        if b.get("error_occurred"):
            sys.exit(f"compare.py: {b['name']}: {b.get('error_message')}")
        name = b.get("run_name", b["name"]).removesuffix("/real_time")
        best = rows.get(name)
        if best is None:
            rows[name] = dict(b)
            rows[name]["ratios"] = [b["ratio"]] if "ratio" in b else []
            continue
        if "ratio" in b:  # interleaved benchmarks: a ratio per repetition, the median is reported
            best["ratios"].append(b["ratio"])
        # Wall-clock and CPU-clock minima are taken separately; rates follow the wall minimum.
        cpu = min(best["cpu_time"], b["cpu_time"])
        if b["real_time"] < best["real_time"]:
            rows[name] = dict(b, ratios=best["ratios"])
        rows[name]["cpu_time"] = cpu
    return doc["context"], rows


def forced_coretype(detected, flags, choice):
    """The OpenBLAS kernel to force for the second pair of peer configurations, or None: with
    choice "auto", SkylakeX on an AVX-512 CPU or Haswell on an AVX2 CPU when OpenBLAS picked a
    kernel that does not use them (0.3.21 falls back to Prescott or Zen on models it does not
    know); "none" never; anything else is a kernel name."""
    if choice == "none":
        return None
    if choice != "auto":
        return choice
    if "avx512f" in flags and detected not in AVX512_CORES:
        return "SkylakeX"
    if "avx2" in flags and detected not in AVX2_CORES:
        return "Haswell"
    return None


def run_peer(args, out_dir, coretype, extra_env, label):
    env = dict(os.environ)
    removed = [k for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OMP_WAIT_POLICY") if k in env]
    for k in removed:
        del env[k]
    if coretype:
        env["OPENBLAS_CORETYPE"] = coretype
    env.update(extra_env)
    slug = "".join(c if c.isalnum() else "_" for c in label)
    out = os.path.join(out_dir, f"peer_{slug}.jsonl")
    cmd = [sys.executable, os.path.join(HERE, "peer_pytorch.py"), "--threads", args.threads,
           "--min-time", str(args.min_time), "--repetitions", str(args.repetitions), "--best"]
    if args.report_only:
        with open(out, encoding="utf-8") as f:
            text = f.read()
    else:
        shown = ({"OPENBLAS_CORETYPE": coretype} if coretype else {}) | extra_env
        print("# running:", " ".join(f"{k}={v}" for k, v in shown.items()), " ".join(cmd),
              file=sys.stderr, flush=True)
        text = subprocess.run(cmd, check=True, env=env, capture_output=True, text=True).stdout
        with open(out, "w", encoding="utf-8") as f:
            f.write(text)
    lines = [json.loads(l) for l in text.splitlines() if l.strip()]
    info = next(l for l in lines if l["kind"] == "env")
    info["removed_env"] = removed
    info["forced_coretype"] = coretype
    info["label"] = label
    gemm = {l["threads"]: l["gflops"] for l in lines if l["kind"] == "gemm"}
    train = {(l["workload"], l["optimizer"], l["threads"]): l for l in lines if l["kind"] == "train"}
    return info, gemm, train


def fmt_rate(x):
    if x is None:
        return "-"
    return f"{x:,.0f}"


def fmt_ratio(x, target=None, upper=False):
    if x is None:
        return "-"
    s = f"{x:.2f}x"
    if target is not None:
        ok = x <= target if upper else x >= target
        s += " ok" if ok else " MISS"
    return s


def table(headers, rows):
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build-dir", help="CMake build dir holding tests/bench/larslab_bench "
                    "(default: build/release, build-bench or build under the repository)")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--min-time", type=float, default=0.25, help="seconds per timed repetition")
    ap.add_argument("--repetitions", type=int, default=5,
                    help="timed repetitions per case; the fastest one is reported")
    ap.add_argument("--filter", default="", help="--benchmark_filter for larslab_bench")
    ap.add_argument("--peer-coretype", default="auto",
                    help="OpenBLAS kernel forced in the last two peer configurations: auto (only when "
                    "the detected one does not use the CPU's AVX-512 / AVX2), none, or a name (SkylakeX)")
    ap.add_argument("--out-dir", default=os.path.join(REPO, "build", "bench-results"))
    ap.add_argument("--markdown", help="also write the report to this file")
    ap.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                    help="cpu: report 1-thread rates from CPU time (use on a shared, busy machine)")
    ap.add_argument("--report-only", action="store_true",
                    help="run nothing: rebuild the report from the raw results in --out-dir")
    args = ap.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    threads = [int(t) for t in args.threads.split(",")]
    bench = None if args.report_only else find_bench(args.build_dir)

    t0 = time.time()
    load_before = load_average()
    if not args.report_only and float(load_before.split()[0]) > 0.5:
        print(f"# WARNING: load average {load_before} before the run: other processes share the "
              "cores and the numbers below will be too low and noisy", file=sys.stderr, flush=True)
    ctx, cpp = run_cpp(bench, args, args.out_dir)
    # The configurations, "as installed" first; the kernel is forced only when the detected one
    # does not use the CPU's vector units (known from the first run).
    peers = []
    coretype = None
    for label, extra_env, forced in PEER_CONFIGS:
        if forced:
            if not peers:
                continue
            coretype = forced_coretype(peers[0][1].get("blas_core"), cpu_flags(), args.peer_coretype)
            if coretype is None:
                continue
            label = label.format(core=f"OPENBLAS_CORETYPE={coretype}")
        info, gemm, train = run_peer(args, args.out_dir, coretype if forced else None, extra_env, label)
        peers.append((label, info, gemm, train))
    meta_path = os.path.join(args.out_dir, "run_meta.json")
    if args.report_only:
        with open(meta_path, encoding="utf-8") as f:
            meta = json.load(f)
    else:
        meta = {"load_before": load_before, "load_after": load_average(), "elapsed_s": time.time() - t0,
                "command": " ".join(sys.argv)}
        with open(meta_path, "w", encoding="utf-8") as f:
            json.dump(meta, f)

    with open(os.path.join(HERE, "workloads.json"), encoding="utf-8") as f:
        spec = json.load(f)
    workloads = [w["name"] for w in spec["workloads"]]
    titles = {w["name"]: f'{w["title"]} [{w["batch"]}]' for w in spec["workloads"]}

    def cpp_row(kind, workload, opt, t):
        return cpp.get(f"BM_{kind}/{workload}/{opt}/threads:{t}")

    # --clock cpu: 1-thread rates from CPU time (robust when other processes share the cores);
    # multi-thread rates are always wall-clock.
    def cpp_rate(workload, opt, t):
        r = cpp_row("Train", workload, opt, t)
        if not r:
            return None
        if args.clock == "cpu" and t == 1:
            return r["items_per_second"] * r["real_time"] / r["cpu_time"]
        return r["items_per_second"]

    def cpp_time(r, t):
        return r["cpu_time"] if args.clock == "cpu" and t == 1 else r["real_time"]

    def peer_rate(train_rows, workload, opt, t):
        r = train_rows.get((workload, opt, t))
        if not r:
            return None
        return r["cpu_samples_per_s"] if args.clock == "cpu" and t == 1 else r["samples_per_s"]

    def peer_best(workload, opt, t, up_to=True):
        """(samples/s, "configuration, nT") of the fastest peer configuration at t threads, or at
        any thread count up to t."""
        best = (None, "-")
        for label, _, _, train_rows in peers:
            for tt in (range(1, t + 1) if up_to else (t,)):
                rate = peer_rate(train_rows, workload, opt, tt)
                if rate and (best[0] is None or rate > best[0]):
                    best = (rate, f"{label}, {tt}T")
        return best

    def installed(workload, opt, t):
        return peer_rate(peers[0][3], workload, opt, t)

    def ratio(a, b):
        return a / b if a and b else None

    out = []
    p = out.append
    p("## LARS Lab vs PyTorch: training-step throughput")
    p("")
    p("Machine: " + ctx.get("cpu_model", "?") + f", {ctx.get('num_cpus', '?')} cores, "
      f"{platform.system()} {platform.release()}; LARS Lab: g++ {ctx.get('compiler', '?')}, "
      f"Eigen {ctx.get('eigen', '?')} ({ctx.get('eigen_simd', '?')}), larger products on "
      f"{ctx.get('large_gemm', '?')}, oneTBB; "
      f"PyTorch {peers[0][1]['torch']} (Debian), {peers[0][1].get('blas_config', '?')}.")
    p("- PyTorch configurations measured, each at " + " and ".join(map(str, threads)) + " threads:")
    for name, pinfo, _, _ in peers:
        removed = ", ".join(pinfo["removed_env"]) or "none was set"
        p(f"  - {name}: OpenBLAS kernel {pinfo.get('blas_core')} (removed from the inherited "
          f"environment: {removed}).")
    p("- PyTorch best: per workload, optimizer and thread count t, the fastest of those "
      "configurations at any thread count up to t; every ratio is against it unless a column says "
      "\"as installed\" (Debian's defaults, t threads).")
    p(f"- Load average before / after: {meta['load_before']} / {meta['load_after']}; "
      f"whole run {meta['elapsed_s']:.0f} s.")
    p(f"- Clock: {'1-thread rates from process CPU time, 2-thread rates wall-clock' if args.clock == 'cpu' else 'wall-clock'}.")
    p("- Data: PyTorch uses one random batch of the workload's shape; LARS Lab draws each step's "
      "batch through data::Batcher (spirals from data::makeSynthetic, 28x28 random pixels).")
    p("")
    for t in threads:
        headers = ["workload", "optimizer", "LARS Lab samples/s", "PyTorch best samples/s", "PyTorch best is",
                   "ratio", "target", "PyTorch as installed", "ratio", "issue 6 target"]
        rows = []
        for w in workloads:
            for opt in OPTIMIZERS:
                ours = cpp_rate(w, opt, t)
                best, config = peer_best(w, opt, t)
                target = BEST_TARGET.get((w, t))
                inst = installed(w, opt, t)
                inst_target = INSTALLED_TARGET[w] if t == 2 else None
                rows.append([titles[w] if opt == OPTIMIZERS[0] else "", opt, fmt_rate(ours), fmt_rate(best), config,
                             fmt_ratio(ratio(ours, best), target), f">= {target:.1f}x" if target else "",
                             fmt_rate(inst), fmt_ratio(ratio(ours, inst), inst_target),
                             f">= {inst_target:.1f}x" if inst_target else ""])
        p(f"### {t} thread{'s' if t > 1 else ''}")
        p("")
        p(table(headers, rows))
        p("")

    p("### LARS step time / SGD-momentum step time (target <= 1.05)")
    p("")
    p("\"interleaved\" (the measure the target is checked on): BM_LarsOverSgd times blocks of about 40 ms of "
      "SGD-momentum and of LARS training steps alternately and takes the median ratio, so both see the same "
      "machine load (median over the repetitions). \"opt\" is 1 + (LARS optimizer step - SGD-momentum "
      "optimizer step) / SGD-momentum training step: the optimizer is all that differs between the two steps. "
      "The columns without a mark divide two separate runs (the fastest repetition of each) and carry "
      "their noise.")
    p("")
    headers = ["workload"] + [f"LARS Lab {t}T interleaved" for t in threads] + ["LARS Lab 1T (opt)"]
    for t in threads:
        headers += [f"LARS Lab {t}T", f"PyTorch best {t}T"]
    rows = []
    for w in workloads:
        row = [titles[w]]
        for t in threads:
            r = cpp.get(f"BM_LarsOverSgd/{w}/threads:{t}")
            row.append(fmt_ratio(statistics.median(r["ratios"]), LARS_STEP_TARGET, upper=True)
                       if r and r["ratios"] else "-")
        a, b = cpp_row("OptimizerStep", w, "sgd_momentum", 1), cpp_row("OptimizerStep", w, "lars", 1)
        step = cpp_row("Train", w, "sgd_momentum", 1)
        if a and b and step:
            # OptimizerStep is in microseconds, Train in milliseconds.
            extra_ms = (cpp_time(b, 1) - cpp_time(a, 1)) * 1e-3
            row.append(fmt_ratio(1.0 + extra_ms / cpp_time(step, 1), LARS_STEP_TARGET, upper=True))
        else:
            row.append("-")
        for t in threads:
            row.append(fmt_ratio(ratio(cpp_rate(w, "sgd_momentum", t), cpp_rate(w, "lars", t))))
            row.append(fmt_ratio(ratio(peer_best(w, "sgd_momentum", t)[0], peer_best(w, "lars", t)[0])))
        rows.append(row)
    p(table(headers, rows))
    p("")

    if 1 in threads and 2 in threads:
        p(f"### Speed-up from 1 to 2 threads (target >= {SCALING_TARGET[1]}x on {SCALING_TARGET[0]})")
        p("")
        p("\"interleaved\" (the measure the target is checked on): BM_TwoThreadSpeedup alternates blocks of "
          "about 40 ms of 1-thread and 2-thread training steps and takes the median ratio (median over the "
          "repetitions). The other columns divide two separate runs; PyTorch's are its fastest configuration "
          "at exactly 2 threads over its fastest at 1.")
        p("")
        headers = ["workload", "optimizer", "LARS Lab interleaved", "LARS Lab", "PyTorch best", "PyTorch as installed"]
        rows = []
        for w in workloads:
            for opt in OPTIMIZERS:
                target = SCALING_TARGET[1] if w == SCALING_TARGET[0] else None
                r = cpp.get(f"BM_TwoThreadSpeedup/{w}/{opt}")
                interleaved = statistics.median(r["ratios"]) if r and r["ratios"] else None
                rows.append([titles[w] if opt == OPTIMIZERS[0] else "", opt, fmt_ratio(interleaved, target),
                             fmt_ratio(ratio(cpp_rate(w, opt, 2), cpp_rate(w, opt, 1))),
                             fmt_ratio(ratio(peer_best(w, opt, 2, up_to=False)[0], peer_best(w, opt, 1)[0])),
                             fmt_ratio(ratio(installed(w, opt, 2), installed(w, opt, 1)))])
        p(table(headers, rows))
        p("")

    p("### Achieved GFLOP/s (SGD-momentum step) against the GEMM peak")
    p("")
    def gemm_rate(name, t):
        r = cpp.get(f"{name}/n:1024/threads:{t}")
        return r["GFLOPS"] * r["real_time"] / cpp_time(r, t) if r else None

    peak = {t: gemm_rate("BM_EngineSgemm", t) for t in threads}
    eigen = {t: gemm_rate("BM_EigenSgemm", t) for t in threads}
    p("GEMM peak (this run), 1024^3 row-major float with the engine's own GEMM (larger products on "
      f"{ctx.get('large_gemm', '?')} on this CPU, one thread per call; rows split over the threads): " +
      ", ".join(f"{t} thread{'s' if t > 1 else ''} {peak[t]:.1f} GFLOP/s" for t in threads if peak[t]) +
      "; with Eigen's product instead: " +
      ", ".join(f"{t}T {eigen[t]:.1f}" for t in threads if eigen[t]) +
      ". torch.mm 1024^3: " + "; ".join(
          f"{name} " + ", ".join(f"{t}T {g[t]:.1f}" for t in threads if t in g) for name, _, g, _ in peers) + ".")
    p("FLOPs per step count 2*M*N*K for every forward GEMM, weight-gradient GEMM and input-gradient "
      "GEMM (convolutions as im2col GEMMs); the first layer has no input gradient. \"% of peak\" is of "
      "the engine's GEMM peak at the same thread count, for both sides.")
    p("")
    headers = ["workload", "GFLOP/step"]
    for t in threads:
        headers += [f"LARS Lab {t}T GFLOP/s", "% of peak", f"PyTorch best {t}T", "% of peak"]
    rows = []
    for w in workloads:
        r = cpp_row("Train", w, "sgd_momentum", 1) or cpp_row("Train", w, "sgd_momentum", 2)
        fl = r["flops_per_step"] if r else None
        peer_fl = peers[0][3].get((w, "sgd_momentum", threads[0]), {}).get("flops_per_step")
        note = "" if fl is None or peer_fl is None or abs(fl - peer_fl) < 1 else f" (peer counts {peer_fl / 1e9:.3f})"
        row = [titles[w], (f"{fl / 1e9:.4f}" if fl else "-") + note]
        for t in threads:
            g = fl * cpp_rate(w, "sgd_momentum", t) / r["batch"] / 1e9 if cpp_rate(w, "sgd_momentum", t) and fl else None
            share = g / peak[t] if g and peak[t] else None
            target = PEAK_TARGET.get((w, t))
            mark = "" if share is None or target is None else (" ok" if share >= target else " MISS")
            row += [f"{g:.1f}" if g else "-", (f"{100 * share:.0f}%" + mark) if share else "-"]
            best = peer_best(w, "sgd_momentum", t)[0]
            pg = fl * best / r["batch"] / 1e9 if best and fl else None
            row += [f"{pg:.1f}" if pg else "-", f"{100 * pg / peak[t]:.0f}%" if pg and peak[t] else "-"]
        rows.append(row)
    p(table(headers, rows))
    p("Targets (issue 17): " + ", ".join(f"{titles[w]} at {t} threads >= {100 * v:.0f}% of the peak"
                                        for (w, t), v in PEAK_TARGET.items()) + ".")
    p("")

    p("### Optimizer step alone (update + per-tensor telemetry), microseconds per step")
    p("")
    p("Not a target: LARS must know ||w|| and ||g|| of a tensor before it can update it, so it reads w and g once "
      "more than SGD with momentum. Alone that costs up to ~1.5x on models larger than the L2 cache; within a "
      "training step it is the few percent the LARS/SGD table above shows.")
    p("")
    headers = ["workload", "parameters", "tensors"] + [f"{opt} 1T" for opt in OPTIMIZERS] + [
        "LARS / SGD-momentum 1T", "LARS 2T", "LARS / SGD-momentum 2T"]
    rows = []
    for w in workloads:
        r = {opt: cpp_row("OptimizerStep", w, opt, 1) for opt in OPTIMIZERS}
        r2 = {opt: cpp_row("OptimizerStep", w, opt, 2) for opt in OPTIMIZERS}
        any_row = next((x for x in r.values() if x), None)
        row = [titles[w], fmt_rate(any_row["params"]) if any_row else "-",
               f"{any_row['tensors']:.0f}" if any_row else "-"]
        row += [f"{cpp_time(r[opt], 1):.1f}" if r[opt] else "-" for opt in OPTIMIZERS]
        a, b = r["sgd_momentum"], r["lars"]
        row.append(fmt_ratio(cpp_time(b, 1) / cpp_time(a, 1) if a and b else None))
        a, b = r2["sgd_momentum"], r2["lars"]
        row.append(f"{b['real_time']:.1f}" if b else "-")
        row.append(fmt_ratio(b["real_time"] / a["real_time"]) if a and b else "-")
        rows.append(row)
    p(table(headers, rows))
    p("")

    p("### Layer kernels (one thread, one shard; CPU time)")
    p("")
    rows = []
    for name, r in cpp.items():
        if not name.startswith(("BM_Dense", "BM_Conv2D", "BM_BatchNorm")):
            continue
        unit = r.get("time_unit", "ns")
        extra = f"{r['GFLOPS']:.1f} GFLOP/s" if "GFLOPS" in r else (
            f"{r['bytes_per_second'] / 1e9:.1f} GB/s" if "bytes_per_second" in r else "")
        rows.append([name, f"{r['cpu_time']:.1f} {unit}", fmt_rate(r.get("items_per_second")), extra])
    p(table(["kernel", "time", "samples/s", "rate"], rows))
    p("")

    report = "\n".join(out)
    print(report)
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as f:
            f.write(report + "\n")


if __name__ == "__main__":
    main()
