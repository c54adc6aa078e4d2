#!/usr/bin/python3
"""Run the LARS Lab benchmarks and the PyTorch peer one after the other; print the comparison.

  /usr/bin/python3 tests/bench/compare.py --build-dir build/release

Steps (sequential, so the two never compete for the 2 cores):
  1. larslab_bench --benchmark_format=json (GEMM peak, kernels, optimizer step, training steps),
     the fastest of --repetitions runs of at least --min-time seconds each;
  2. peer_pytorch.py --best with the same workloads (workloads.json), optimizers and threads,
     with OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE removed from its environment (see README.md);
  3. when that OpenBLAS fell back to its generic "Prescott" kernels on a CPU with AVX-512 or
     AVX2 (OpenBLAS 0.3.21 does not know every new CPU model), the peer once more with the
     kernel forced (OPENBLAS_CORETYPE=SkylakeX or Haswell): the strongest peer this machine has.

Prints Markdown tables: samples/s per workload and optimizer with the ratio to each peer and
the issue-6 target, LARS/SGD-momentum step-time ratios, 1->2 thread speed-ups, GFLOP/s
against the Eigen GEMM peak, the optimizer step alone and the layer kernels. Raw JSON of
both sides is kept in --out-dir.
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
# Issue 6: samples/s at least this multiple of PyTorch's, with 2 threads.
SPEED_TARGET = {"spirals_mlp": 2.0, "deep_mlp": 2.0, "fmnist_mlp": 1.3, "fmnist_mlp_b4096": 1.3,
                "fmnist_cnn": 1.0}
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


def run_peer(args, out_dir, coretype, label):
    env = dict(os.environ)
    removed = [k for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if k in env]
    for k in removed:
        del env[k]
    if coretype:
        env["OPENBLAS_CORETYPE"] = coretype
    out = os.path.join(out_dir, f"peer_{label}.jsonl")
    cmd = [sys.executable, os.path.join(HERE, "peer_pytorch.py"), "--threads", args.threads,
           "--min-time", str(args.min_time), "--repetitions", str(args.repetitions), "--best"]
    if args.report_only:
        with open(out, encoding="utf-8") as f:
            text = f.read()
    else:
        print("# running:", ("OPENBLAS_CORETYPE=" + coretype + " ") if coretype else "", " ".join(cmd),
              file=sys.stderr, flush=True)
        text = subprocess.run(cmd, check=True, env=env, capture_output=True, text=True).stdout
        with open(out, "w", encoding="utf-8") as f:
            f.write(text)
    lines = [json.loads(l) for l in text.splitlines() if l.strip()]
    info = next(l for l in lines if l["kind"] == "env")
    info["removed_env"] = removed
    info["forced_coretype"] = coretype
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
                    help="OpenBLAS kernel for the second peer run: auto, none, or a name (SkylakeX)")
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
    peers = []
    info, gemm, train = run_peer(args, args.out_dir, None, "default")
    peers.append(("PyTorch", info, gemm, train))
    coretype = args.peer_coretype
    if coretype == "auto":
        coretype = None
        flags = cpu_flags()
        if info.get("blas_core") == "Prescott":
            coretype = "SkylakeX" if "avx512f" in flags else ("Haswell" if "avx2" in flags else None)
    elif coretype == "none":
        coretype = None
    if coretype:
        info2, gemm2, train2 = run_peer(args, args.out_dir, coretype, coretype)
        peers.append((f"PyTorch+{coretype}", info2, gemm2, train2))
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

    out = []
    p = out.append
    p("## LARS Lab vs PyTorch: training-step throughput")
    p("")
    p("Machine: " + ctx.get("cpu_model", "?") + f", {ctx.get('num_cpus', '?')} cores, "
      f"{platform.system()} {platform.release()}; LARS Lab: g++ {ctx.get('compiler', '?')}, "
      f"Eigen {ctx.get('eigen', '?')} ({ctx.get('eigen_simd', '?')}), oneTBB; "
      f"PyTorch {info['torch']} (Debian), {info.get('blas_config', '?')}.")
    for name, pinfo, _, _ in peers:
        removed = ", ".join(pinfo["removed_env"]) or "neither was set"
        forced = pinfo["forced_coretype"] or "not forced"
        p(f"- {name}: OpenBLAS kernel {pinfo.get('blas_core')} (OPENBLAS_CORETYPE {forced}; "
          f"removed from its environment: {removed}).")
    p(f"- Load average before / after: {meta['load_before']} / {meta['load_after']}; "
      f"whole run {meta['elapsed_s']:.0f} s.")
    p(f"- Clock: {'1-thread rates from process CPU time, 2-thread rates wall-clock' if args.clock == 'cpu' else 'wall-clock'}.")
    p("- Data: PyTorch uses one random batch of the workload's shape; LARS Lab draws each step's "
      "batch through data::Batcher (spirals from data::makeSynthetic, 28x28 random pixels).")
    p("")
    for t in threads:
        headers = ["workload", "optimizer", "LARS Lab samples/s"]
        for name, *_ in peers:
            headers += [f"{name} samples/s", "ratio"]
        headers.append("target")
        rows = []
        for w in workloads:
            for opt in OPTIMIZERS:
                ours = cpp_rate(w, opt, t)
                row = [titles[w] if opt == OPTIMIZERS[0] else "", opt, fmt_rate(ours)]
                for pi, (name, _, _, train_rows) in enumerate(peers):
                    theirs = peer_rate(train_rows, w, opt, t)
                    ratio = ours / theirs if ours and theirs else None
                    row += [fmt_rate(theirs), fmt_ratio(ratio, SPEED_TARGET[w] if t == 2 else None)]
                row.append(f">= {SPEED_TARGET[w]:.1f}x" if t == 2 else "(2 threads only)")
                rows.append(row)
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
        headers += [f"LARS Lab {t}T"] + [f"{name} {t}T" for name, *_ in peers]
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
            a, b = cpp_rate(w, "sgd_momentum", t), cpp_rate(w, "lars", t)
            row.append(fmt_ratio(a / b if a and b else None))
            for _, _, _, train_rows in peers:
                a, b = peer_rate(train_rows, w, "sgd_momentum", t), peer_rate(train_rows, w, "lars", t)
                row.append(fmt_ratio(a / b if a and b else None))
        rows.append(row)
    p(table(headers, rows))
    p("")

    if 1 in threads and 2 in threads:
        p(f"### Speed-up from 1 to 2 threads (target >= {SCALING_TARGET[1]}x on {SCALING_TARGET[0]})")
        p("")
        p("\"interleaved\" (the measure the target is checked on): BM_TwoThreadSpeedup alternates blocks of "
          "about 40 ms of 1-thread and 2-thread training steps and takes the median ratio (median over the "
          "repetitions). The other columns divide two separate runs.")
        p("")
        headers = ["workload", "optimizer", "LARS Lab interleaved", "LARS Lab"] + [name for name, *_ in peers]
        rows = []
        for w in workloads:
            for opt in OPTIMIZERS:
                a, b = cpp_rate(w, opt, 1), cpp_rate(w, opt, 2)
                target = SCALING_TARGET[1] if w == SCALING_TARGET[0] else None
                r = cpp.get(f"BM_TwoThreadSpeedup/{w}/{opt}")
                interleaved = statistics.median(r["ratios"]) if r and r["ratios"] else None
                row = [titles[w] if opt == OPTIMIZERS[0] else "", opt, fmt_ratio(interleaved, target),
                       fmt_ratio(b / a if a and b else None)]
                for _, _, _, train_rows in peers:
                    a, b = peer_rate(train_rows, w, opt, 1), peer_rate(train_rows, w, opt, 2)
                    row.append(fmt_ratio(b / a if a and b else None))
                rows.append(row)
        p(table(headers, rows))
        p("")

    p("### Achieved GFLOP/s (SGD-momentum step) against the GEMM peak")
    p("")
    peak = {}
    for t in threads:
        r = cpp.get(f"BM_EigenSgemm/n:1024/threads:{t}")
        peak[t] = r["GFLOPS"] * r["real_time"] / cpp_time(r, t) if r else None
    p("Eigen sgemm 1024^3 row-major float peak: " +
      ", ".join(f"{t} thread{'s' if t > 1 else ''} {peak[t]:.1f} GFLOP/s" for t in threads if peak[t]) +
      ". torch.mm 1024^3: " + "; ".join(
          f"{name} " + ", ".join(f"{t}T {g[t]:.1f}" for t in threads if t in g) for name, _, g, _ in peers) + ".")
    p("FLOPs per step count 2*M*N*K for every forward GEMM, weight-gradient GEMM and input-gradient "
      "GEMM (convolutions as im2col GEMMs); the first layer has no input gradient.")
    p("")
    headers = ["workload", "GFLOP/step"]
    for t in threads:
        headers += [f"LARS Lab {t}T GFLOP/s", "% of peak"] + [f"{name} {t}T" for name, *_ in peers]
    rows = []
    for w in workloads:
        r = cpp_row("Train", w, "sgd_momentum", 1) or cpp_row("Train", w, "sgd_momentum", 2)
        fl = r["flops_per_step"] if r else None
        peer_fl = peers[0][3].get((w, "sgd_momentum", threads[0]), {}).get("flops_per_step")
        note = "" if fl is None or peer_fl is None or abs(fl - peer_fl) < 1 else f" (peer counts {peer_fl / 1e9:.3f})"
        row = [titles[w], (f"{fl / 1e9:.4f}" if fl else "-") + note]
        for t in threads:
            rate = cpp_rate(w, "sgd_momentum", t)
            g = fl * rate / r["batch"] / 1e9 if rate and fl else None
            row += [f"{g:.1f}" if g else "-", f"{100 * g / peak[t]:.0f}%" if g and peak[t] else "-"]
            for _, _, _, train_rows in peers:
                pr = train_rows.get((w, "sgd_momentum", t))
                prate = peer_rate(train_rows, w, "sgd_momentum", t)
                row.append(f"{pr['flops_per_step'] * prate / pr['batch'] / 1e9:.1f}" if pr else "-")
        rows.append(row)
    p(table(headers, rows))
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
