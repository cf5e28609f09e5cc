#!/usr/bin/env bash
# Time-bounded fuzzing of every core parser and builder (cargo-fuzz targets in fuzz/).
#
#   FUZZ_SECONDS  seconds per target (default 10: the whole step, build included, stays under
#                 3 minutes on 2 cores even when cargo-fuzz must be installed first)
#   FUZZ_JOBS     targets fuzzed at once (default: the number of cores)
#   FUZZ_TARGETS  space-separated subset of targets (default: all)
#
# Installs cargo-fuzz when missing. Works on the stable toolchain: the targets are built without
# a sanitizer (`--sanitizer none`; the core is safe Rust), which needs no nightly flag.
# Writes only under fuzz/target, fuzz/corpus and fuzz/artifacts (all git-ignored).
# Prints the executions per target; exits non-zero when any target finds a crash.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-10}
jobs=${FUZZ_JOBS:-$(nproc)}
say() { printf '\033[1m[fuzz]\033[0m %s\n' "$*"; }

if ! cargo fuzz --version >/dev/null 2>&1; then
  say "installing cargo-fuzz (about 45 s, once)"
  cargo install cargo-fuzz --version 0.13.2
fi

targets=${FUZZ_TARGETS:-$(cd fuzz && cargo fuzz list)}
say "building $(echo "$targets" | wc -w) targets"
(cd fuzz && cargo fuzz build --sanitizer none)

bin_dir=fuzz/target/$(rustc -vV | sed -n 's/^host: //p')/release
# One log folder per run, so two runs at once never mix their figures; kept only on a crash.
mkdir -p fuzz/target
logs=$(mktemp -d fuzz/target/logs-XXXXXX)

run_target() { # runs one target for $seconds; its log holds libFuzzer's final stats
  local t=$1
  mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t"
  local seeds=()
  [ -d "fuzz/seeds/$t" ] && seeds=("fuzz/seeds/$t")
  "$bin_dir/$t" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
    -dict=fuzz/json.dict -artifact_prefix="fuzz/artifacts/$t/" "fuzz/corpus/$t" "${seeds[@]}" \
    >"$logs/$t.log" 2>&1
}

say "running each target for ${seconds}s, $jobs at a time"
declare -A pid_of
for t in $targets; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
  run_target "$t" &
  pid_of[$t]=$!
done

status=0
printf '%-20s %14s %10s %8s  %s\n' target executions exec/s corpus result
for t in $targets; do
  result=ok
  wait "${pid_of[$t]}" || { result=CRASH; status=1; }
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$logs/$t.log" | tail -n 1)
  corpus=$(find "fuzz/corpus/$t" -type f | wc -l)
  printf '%-20s %14s %10s %8s  %s\n' "$t" "${execs:-?}" "$(( ${execs:-0} / seconds ))" "$corpus" "$result"
  if [ "$result" != ok ]; then
    grep -E 'panicked|SUMMARY|Test unit written|ERROR' "$logs/$t.log" | head -n 20 >&2 || true
    echo "  log: $logs/$t.log; reproduce: (cd fuzz && cargo fuzz run --sanitizer none $t <artifact>)" >&2
  fi
done
[ "$status" = 0 ] && rm -rf "$logs"
exit "$status"
