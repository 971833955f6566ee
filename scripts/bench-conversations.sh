#!/usr/bin/env bash
# The chat service benchmark (issue 14): CONVERSATIONS [1000] concurrent conversations of TURNS [3]
# turns each (THINK_MS [0] apart: a user's time between an answer and the next message; 0 is a stress
# test) through `mistral serve`'s Conversations API, closed loop, against the emulator set to
# the seed team's latency (TTFT_MS [250] to the first token), on SQLite and, when BACKENDS has
# postgres [sqlite postgres], on a throwaway PostgreSQL cluster (scripts/postgres-cluster.sh). For each
# backend, `mistral-bench conversations` first makes the same number of chat calls straight to the
# emulator at the same concurrency (the direct baseline), then the conversations, then reads every
# history back (turns lost or duplicated). Prints its lines on stdout; stops what it started.
#
# BENCH_BIN: a folder with release `mistral` and `mistral-bench` [built into the scratch path
# MISTRALKIT_BENCH_SCRATCH, ~/.cache/mistralkit/build-bench].
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bench-servers.sh

CONVERSATIONS="${CONVERSATIONS:-1000}"
TURNS="${TURNS:-3}"
TTFT_MS="${TTFT_MS:-250}"
THINK_MS="${THINK_MS:-0}"
BACKENDS="${BACKENDS:-sqlite postgres}"
if [ -z "${BENCH_BIN:-}" ]; then
  SCRATCH="${MISTRALKIT_BENCH_SCRATCH:-$HOME/.cache/mistralkit/build-bench}"
  swift build -c release --product mistral --scratch-path "$SCRATCH" >&2
  swift build -c release --product mistral-bench --scratch-path "$SCRATCH" >&2
  BENCH_BIN="$SCRATCH/release"
fi
WORK="$(mktemp -d)"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do stop_server "$pid" 2>/dev/null || true; done
  if [[ " $BACKENDS " == *" postgres "* ]]; then bash scripts/postgres-cluster.sh stop >/dev/null 2>&1 || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

start_emulator "$BENCH_BIN/mistral" "$WORK/emulator.log" 0 --ttft-ms "$TTFT_MS"
PIDS+=("$EMULATOR_PID")
echo "Machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1), $(date -u '+%Y-%m-%d %H:%M UTC'); emulator TTFT $TTFT_MS ms"
for backend in $BACKENDS; do
  case "$backend" in
    sqlite) database="$WORK/bench.sqlite" ;;
    postgres) database=$(bash scripts/postgres-cluster.sh start | tail -n 1) ;;
    *) echo "unknown backend $backend" >&2; exit 2 ;;
  esac
  key=$("$BENCH_BIN/mistral" keys create --name "bench-$backend-$RANDOM" --database "$database" | tail -n 1)
  port=$(free_port)
  "$BENCH_BIN/mistral" serve --port "$port" --base-url "$EMULATOR_URL" --api-key emulator --database "$database" --access-log off \
    >"$WORK/serve-$backend.log" 2>&1 &
  pid=$!
  PIDS+=("$pid")
  wait_listening "http://127.0.0.1:$port/health" 60 "$pid"
  "$BENCH_BIN/mistral-bench" conversations --url "http://127.0.0.1:$port" --key "$key" --upstream "$EMULATOR_URL" \
    --conversations "$CONVERSATIONS" --turns "$TURNS" --think-ms "$THINK_MS" --label "$backend"
  stop_server "$pid"
done
