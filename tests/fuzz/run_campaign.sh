#!/usr/bin/env bash
# The long fuzz runs reported in issue 16: every target for SECONDS (default 600) one after the
# other, from the repository's corpus, with ASan+UBSan. Needs the asan preset built:
#   cmake --workflow --preset asan   (or: cmake --preset asan && cmake --build build/asan)
#   tests/fuzz/run_campaign.sh [SECONDS] [TARGET...]
# Prints one line per target: executions, corpus size, coverage and whether it found anything;
# logs and any crashing input go to build/asan/tests/fuzz/campaign/.
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
bin="$root/build/asan/tests/fuzz"
seconds="${1:-600}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_csv fuzz_idx fuzz_npy fuzz_metrics_log fuzz_experiment fuzz_study fuzz_lesson fuzz_app_options)
declare -A dict=([fuzz_csv]=csv.dict [fuzz_npy]=npy.dict [fuzz_metrics_log]=metrics_log.dict [fuzz_experiment]=json.dict
                 [fuzz_study]=json.dict [fuzz_lesson]=json.dict [fuzz_app_options]=app_options.dict)
declare -A seeds=([fuzz_experiment]=experiments [fuzz_study]=studies [fuzz_lesson]=lessons)
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 QT_QPA_PLATFORM=offscreen
out="$bin/campaign"
mkdir -p "$out"
for t in "${targets[@]}"; do
  mkdir -p "$out/$t/corpus" "$out/$t/crashes"
  args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=2048 -print_final_stats=1
        -artifact_prefix="$out/$t/crashes/" "$out/$t/corpus" "$root/tests/fuzz/corpus/$t")
  [ -n "${dict[$t]:-}" ] && args+=(-dict="$root/tests/fuzz/${dict[$t]}")
  [ -n "${seeds[$t]:-}" ] && args+=("$root/resources/${seeds[$t]}")
  "$bin/$t" "${args[@]}" > "$out/$t.log" 2>&1
  rc=$?
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$out/$t.log" | grep -o '[0-9]*$')
  last=$(grep -E '^#[0-9]+' "$out/$t.log" | tail -1)
  found=$(ls "$out/$t/crashes" | wc -l)
  echo "$t: exit $rc, ${execs:-?} executions in ${seconds} s, $found finding(s); last: $last"
done
