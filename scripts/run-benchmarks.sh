#!/usr/bin/env bash
# Runs rtcstream's benchmarks from a build configured with -DRTCSTREAM_BENCH=ON
# (`make bench` builds it and calls this script):
#
#  1. every BUILD_DIR/*_bench (Google Benchmark), repeated, medians shown;
#  2. a load test: `BUILD_DIR/rtcstream serve` on a free loopback port with a
#     temporary data directory, driven by BUILD_DIR/rtcstream_loadgen with
#     simulated SDK peers that replay a recorded call (rooms of 2):
#       replay  at the recording's own pace (getstats every 2 s per peer):
#               server CPU and memory per 1,000 connected peers;
#       loop    the getstats frames as fast as the server takes them:
#               the sustained messages per second.
#
#  3. building and uploading one data stream window (stream_window_bench,
#     see the last section).
#
# The generator runs on the same machine and takes CPU from the server; its
# share is printed too. Results (JSON) go to BUILD_DIR/bench-results/.
# About 4 minutes for parts 1 and 2. See docs/benchmarks.md.
#
# usage: scripts/run-benchmarks.sh BUILD_DIR
# environment: BENCH_PEERS (1000), BENCH_REPLAY_SECONDS (60), BENCH_LOOP_SECONDS (30),
#   BENCH_REPETITIONS (5); BENCH_SKIP_MICRO=1, BENCH_SKIP_LOAD=1, BENCH_SKIP_WINDOW=1
#   skip a part.
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 2
fi
BUILD_DIR=$(cd "$1" && pwd)
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT="$BUILD_DIR/bench-results"
PEERS=${BENCH_PEERS:-1000}
REPLAY_SECONDS=${BENCH_REPLAY_SECONDS:-60}
LOOP_SECONDS=${BENCH_LOOP_SECONDS:-30}
REPETITIONS=${BENCH_REPETITIONS:-5}
API_KEY="bench-$$-key"
CLK_TCK=$(getconf CLK_TCK)
mkdir -p "$OUT"

for exe in rtcstream rtcstream_loadgen; do
  if [[ ! -x "$BUILD_DIR/$exe" ]]; then
    echo "run-benchmarks: $BUILD_DIR/$exe is missing (configure with -DRTCSTREAM_BENCH=ON)" >&2
    exit 1
  fi
done
if ((REPLAY_SECONDS < 20 || LOOP_SECONDS < 20)); then
  echo "run-benchmarks: the load runs need at least 20 s each" >&2
  exit 2
fi

SERVER_PID=""
SERVER_DIR=""
cleanup() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [[ -n "$SERVER_DIR" ]]; then rm -rf "$SERVER_DIR"; fi
}
trap cleanup EXIT

now() { date +%s.%N; }
# utime + stime of a process, in clock ticks (fields 14 and 15 of /proc/PID/stat).
cpu_ticks() {
  local stat
  stat=$(<"/proc/$1/stat")
  stat=${stat##*\) }
  read -r -a f <<<"$stat"
  echo $((f[11] + f[12]))
}
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
# Busy clock ticks of the whole machine (every state but idle and iowait).
machine_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }
# json_obj FILE KEY: the flat object "KEY":{...} of FILE; json_num TEXT KEY: a number in TEXT.
json_obj() { grep -o "\"$2\":{[^}]*}" "$1" | head -1; }
json_num() { grep -o "\"$2\":[-0-9.e+]*" <<<"$1" | head -1 | cut -d: -f2; }

echo "== machine"
echo "cpu: $(lscpu | sed -n 's/^Model name: *//p' | head -1), nproc $(nproc)"
echo "kernel: $(uname -r); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ -n "$(git -C "$ROOT" status --porcelain 2>/dev/null)" ]]; then commit="$commit+changes"; fi
echo "commit: $commit"

if [[ "${BENCH_SKIP_MICRO:-}" != 1 ]]; then
  for exe in "$BUILD_DIR"/*_bench; do
    name=$(basename "$exe")
    # Not a Google Benchmark executable: it has its own section at the end.
    [[ "$name" == stream_window_bench ]] && continue
    # Not a Google Benchmark program: it has a section of its own at the end.
    if [[ "$name" == stream_window_bench ]]; then continue; fi
    echo
    echo "== $name (median of $REPETITIONS runs; rates per core)"
    "$exe" --benchmark_repetitions="$REPETITIONS" --benchmark_report_aggregates_only=true \
      --benchmark_out="$OUT/$name.json" --benchmark_out_format=json |
      grep -E '^(Benchmark|BM_.*_median)'
  done
fi

start_server() {
  SERVER_DIR=$(mktemp -d /tmp/rtcstream-bench-XXXXXX)
  "$BUILD_DIR/rtcstream" serve --listen 127.0.0.1:0 --data-dir "$SERVER_DIR/data" \
    --api-key "$API_KEY" 2>"$SERVER_DIR/server.log" &
  SERVER_PID=$!
  SERVER_PORT=""
  for _ in $(seq 100); do
    SERVER_PORT=$(grep -o '"proxy_url":"ws://127.0.0.1:[0-9]*' "$SERVER_DIR/server.log" |
      head -1 | sed 's/.*://' || true)
    [[ -n "$SERVER_PORT" ]] && return 0
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "run-benchmarks: the server did not start:" >&2
  cat "$SERVER_DIR/server.log" >&2
  exit 1
}

stop_server() {
  kill -TERM "$SERVER_PID"
  wait "$SERVER_PID" || true
  SERVER_PID=""
  cp "$SERVER_DIR/server.log" "$OUT/server-$1.log"
  rm -rf "$SERVER_DIR"
  SERVER_DIR=""
}

# load_run NAME SECONDS LOADGEN_FLAGS...: one load generator run against a fresh server.
load_run() {
  local name=$1 seconds=$2
  shift 2
  start_server
  local rss_idle
  rss_idle=$(rss_kb "$SERVER_PID")
  "$BUILD_DIR/rtcstream_loadgen" --port "$SERVER_PORT" --api-key "$API_KEY" --peers "$PEERS" \
    --duration "$seconds" --progress 10 "$@" >"$OUT/load-$name.json" 2>"$OUT/load-$name.log" &
  local gen=$!
  # CPU is sampled while every peer is connected and sending: from 10 s after
  # the start (the peers connect in about 2 s) to 2 s before the end.
  sleep 10
  local t1 c1 g1 m1 t2 c2 g2 m2 rss_loaded
  t1=$(now)
  c1=$(cpu_ticks "$SERVER_PID")
  g1=$(cpu_ticks "$gen")
  m1=$(machine_ticks)
  sleep $((seconds - 12))
  t2=$(now)
  c2=$(cpu_ticks "$SERVER_PID")
  g2=$(cpu_ticks "$gen")
  m2=$(machine_ticks)
  rss_loaded=$(rss_kb "$SERVER_PID")
  wait "$gen"
  stop_server "$name"

  local report errors window connected warnings
  report="$OUT/load-$name.json"
  errors=$(json_obj "$report" errors)
  window=$(json_obj "$report" sustained)
  connected=$(json_num "$(cat "$report")" connected)
  warnings=$(grep -c '"level":"\(warn\|error\)"' "$OUT/server-$name.log" || true)
  echo
  echo "== load: $name, $PEERS peers, ${seconds} s ($*)"
  echo "connected: $connected; errors: $errors; server warnings logged: $warnings"
  if [[ -z "$window" || "$window" == '"sustained":{}' ]]; then
    echo "run-benchmarks: not every peer connected; no sustained rate" >&2
    return 1
  fi
  awk -v tick="$CLK_TCK" -v t1="$t1" -v t2="$t2" -v c1="$c1" -v c2="$c2" -v g1="$g1" -v g2="$g2" \
    -v m1="$m1" -v m2="$m2" \
    -v rss0="$rss_idle" -v rss1="$rss_loaded" -v peers="$connected" \
    -v getstats="$(json_num "$window" getstats_per_s)" -v tuples="$(json_num "$window" tuples_per_s)" \
    -v frames="$(json_num "$window" frames_per_s)" -v mb="$(json_num "$window" mb_per_s)" '
    BEGIN {
      cpu = (c2 - c1) / tick / (t2 - t1) * 100
      gen = (g2 - g1) / tick / (t2 - t1) * 100
      printf "sustained: %.0f messages/s (%.0f getstats/s), %.0f frames/s, %.2f MB/s of frames\n", tuples, getstats, frames, mb
      printf "server CPU: %.1f %% of one core (%.1f %% per 1,000 peers); %.0f us of CPU per message\n", cpu, cpu * 1000 / peers, cpu / 100 / tuples * 1e6
      other = (m2 - m1) / tick / (t2 - t1) * 100 - cpu - gen
      printf "generator CPU: %.1f %% of one core (same machine: it competes with the server)\n", gen
      printf "other processes: %.1f %% of one core (kernel work outside the two processes, and anything else running)\n", other < 0 ? 0 : other
      printf "server RSS: %.1f MB idle, %.1f MB loaded: %.1f MB per 1,000 connected peers\n", rss0 / 1024, rss1 / 1024, (rss1 - rss0) / 1024 * 1000 / peers
    }'
}

if [[ "${BENCH_SKIP_LOAD:-}" != 1 ]]; then
  # The server and every simulated peer need a file descriptor.
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  if (($(ulimit -n) < PEERS + 100)); then
    echo "run-benchmarks: open-file limit $(ulimit -n) is too low for $PEERS peers" >&2
    exit 1
  fi
  load_run replay "$REPLAY_SECONDS" --mode replay --speedup 1
  load_run loop "$LOOP_SECONDS" --mode loop
fi

# ---------------------------------------------------------------------------
# Building and uploading one data stream window (BUILD_DIR/stream_window_bench,
# see bench/stream_window_bench.cpp and docs/benchmarks.md): a history of
# BENCH_WINDOW_ROOMS closed rooms (100000) of 4 peers in one window, then
# RoomsInWindow + EncodeStream + Put as JSON and as NDJSON + gzip, to the file
# sink and, when node and tests/s3/node_modules are there, to the local S3 API
# of tests/s3 (multipart). Each variant runs BENCH_WINDOW_RUNS times (3), each
# time in a process of its own; medians. About 3 minutes.
# BENCH_SKIP_WINDOW=1 skips it.
# ---------------------------------------------------------------------------
if [[ "${BENCH_SKIP_WINDOW:-}" != 1 && -x "$BUILD_DIR/stream_window_bench" ]]; then
  window_flags=(--rooms "${BENCH_WINDOW_ROOMS:-100000}" --runs "${BENCH_WINDOW_RUNS:-3}")
  if command -v node >/dev/null && [[ -d "$ROOT/tests/s3/node_modules/s3rver" ]]; then
    window_flags+=(--s3)
  fi
  echo
  echo "== stream_window_bench ${window_flags[*]}"
  "$BUILD_DIR/stream_window_bench" "${window_flags[@]}" | tee "$OUT/stream_window_bench.txt"
fi
