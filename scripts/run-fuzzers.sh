#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ (clang, ASan/UBSan) and runs them for a
# bounded time; see docs/reliability.md.
#
#   scripts/run-fuzzers.sh [SECONDS_TOTAL]     (default 90, shared by all targets)
#
# Environment: JOBS (build parallelism, default 2), FUZZ_BUILD_DIR (default build-fuzz).
#
# 1. Builds every fuzz/*_fuzzer.cpp into $FUZZ_BUILD_DIR/fuzz/.
# 2. Writes the seed corpora from the recorded fixtures (fuzz/make-corpus.js).
# 3. Replays every input of fuzz/regressions/<target>/: none may fail.
# 4. Runs each target for SECONDS_TOTAL / number of targets seconds, on its seeds,
#    fuzz/seeds/<target>/, its regressions and what earlier runs of this build
#    directory found ($FUZZ_BUILD_DIR/corpus/<target>/).
# When a target fails (crash, sanitizer report, timeout, out of memory), the input
# is copied into fuzz/regressions/<target>/, where it becomes a regression test,
# the command that reproduces it is printed, and the script exits with 1.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_TOTAL=${1:-90}
JOBS=${JOBS:-2}
BUILD_DIR=${FUZZ_BUILD_DIR:-build-fuzz}

if ! [[ $SECONDS_TOTAL =~ ^[0-9]+$ ]]; then
  echo "usage: $0 [SECONDS_TOTAL]" >&2
  exit 2
fi

cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRTCSTREAM_TESTS=OFF -DRTCSTREAM_FUZZ=ON >/dev/null
cmake --build "$BUILD_DIR" -j "$JOBS" --target fuzzers

targets=()
for src in fuzz/*_fuzzer.cpp; do
  name=$(basename "$src" .cpp)
  targets+=("${name%_fuzzer}")
done

rm -rf "$BUILD_DIR/seeds"
if command -v node >/dev/null; then
  node fuzz/make-corpus.js "$BUILD_DIR/seeds"
else
  echo "run-fuzzers: no node: fuzzing without the recorded seeds" >&2
fi

# The directories of `target` that exist, for libFuzzer's command line.
existing_dirs() {
  local d
  for d in "$@"; do
    [[ -d $d ]] && echo "$d"
  done
  return 0
}

# Reports a failed run of `target` whose artifacts are in `dir`, and exits.
fail() {
  local target=$1 dir=$2 log=$3 kept=()
  local bin="$BUILD_DIR/fuzz/${target}_fuzzer"
  mkdir -p "fuzz/regressions/$target"
  for f in "$dir"/crash-* "$dir"/leak-* "$dir"/timeout-* "$dir"/oom-*; do
    [[ -e $f ]] || continue
    cp "$f" "fuzz/regressions/$target/"
    kept+=("fuzz/regressions/$target/$(basename "$f")")
  done
  echo "---- $target failed; the end of its log ($log):"
  tail -n 60 "$log"
  echo "----"
  if ((${#kept[@]})); then
    echo "run-fuzzers: $target failed on ${kept[*]} (kept as regression tests). Reproduce with:"
    for f in "${kept[@]}"; do echo "  $bin $f"; done
  else
    echo "run-fuzzers: $target failed without an input to keep; see $log"
  fi
  exit 1
}

mkdir -p "$BUILD_DIR/logs"
for target in "${targets[@]}"; do
  bin="$BUILD_DIR/fuzz/${target}_fuzzer"
  inputs=()
  if [[ -d fuzz/regressions/$target ]]; then
    while IFS= read -r -d '' f; do inputs+=("$f"); done \
      < <(find "fuzz/regressions/$target" -type f ! -name '.*' -print0 | sort -z)
  fi
  ((${#inputs[@]})) || continue
  log="$BUILD_DIR/logs/$target-regressions.log"
  if ! "$bin" -rss_limit_mb=2048 -timeout=10 "${inputs[@]}" >"$log" 2>&1; then
    echo "---- $target: a regression input fails again; the end of $log:"
    tail -n 60 "$log"
    echo "----"
    echo "run-fuzzers: reproduce with: $bin <input of fuzz/regressions/$target/>"
    exit 1
  fi
  echo "run-fuzzers: $target: ${#inputs[@]} regression input(s) pass"
done

per_target=$((SECONDS_TOTAL / ${#targets[@]}))
((per_target > 0)) || per_target=1
for target in "${targets[@]}"; do
  bin="$BUILD_DIR/fuzz/${target}_fuzzer"
  corpus="$BUILD_DIR/corpus/$target"
  artifacts="$BUILD_DIR/artifacts/$target"
  log="$BUILD_DIR/logs/$target.log"
  rm -rf "$artifacts"
  mkdir -p "$corpus" "$artifacts"
  mapfile -t dirs < <(existing_dirs "$BUILD_DIR/seeds/$target" "fuzz/seeds/$target" \
    "fuzz/regressions/$target")
  options=()
  case $target in
    delta | frame | import) options+=(-dict=fuzz/getstats.dict) ;;
  esac
  echo "run-fuzzers: $target for ${per_target}s"
  if ! "$bin" -max_total_time="$per_target" -rss_limit_mb=2048 -timeout=10 "${options[@]}" \
    -print_final_stats=1 -artifact_prefix="$artifacts/" "$corpus" "${dirs[@]}" >"$log" 2>&1; then
    fail "$target" "$artifacts" "$log"
  fi
  # Coverage at the end, and the final statistics.
  cov=$(grep -Eo 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' "$log" | tail -n 1 || true)
  execs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' || true)
  rate=$(grep -Eo 'stat::average_exec_per_sec: *[0-9]+' "$log" | grep -Eo '[0-9]+$' || true)
  rss=$(grep -Eo 'stat::peak_rss_mb: *[0-9]+' "$log" | grep -Eo '[0-9]+$' || true)
  echo "run-fuzzers: $target: ${execs:-?} runs, ${rate:-?} exec/s, $cov, peak RSS ${rss:-?} MB"
done
echo "run-fuzzers: no failures in ${#targets[@]} targets"
