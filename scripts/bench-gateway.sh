#!/usr/bin/env bash
# The gateway benchmark: one emulator (`mistral emulate`: no latency, no faults, no rate limit, the short
# canned answer to the default prompt) as the upstream, measured in one run
#   direct   the emulator itself,
#   litellm  LiteLLM's proxy (scripts/setup-litellm.sh, one worker, no database) in front of it,
#   gateway  our gateway (`mistral serve`) in front of it, when asked for (see GATEWAY below),
# with `mistral-bench load` (open loop; latency from each request's scheduled start) at each rate, JSON and
# streamed, then a search for the highest rate each target holds. Prints Markdown tables on stdout;
# progress on stderr. Every process it starts is stopped at the end.
#
# Environment (defaults in brackets):
#   RATES                 offered rates, req/s [100 500 1000]
#   MODES                 json and/or stream [json stream]
#   STEP_SECONDS          measured seconds per step [10]; WARMUP_SECONDS before each, not counted [2]
#   SEARCH_RATES          rates tried, ascending, by the highest-rate search; a proxy stops at its first rate
#                         not held; "" skips the search [10 25 50 75 100 150 200 ... 4000]; SEARCH_SECONDS
#                         measured per try [5]
#   ADDED_P99_LIMIT_MS    the search's criterion: p99 added over direct below this [20]
#   MAX_TOKENS            the requests' max_tokens [16]; TIMEOUT_SECONDS per request [10]
#   LOAD_FLAGS            more flags for every `mistral-bench load` (e.g. --threads 2) []
#   STREAMS               the memory test: this many streams held open through each target (each replaced
#                         when it ends) for STREAM_SECONDS [60], opened at STREAM_RAMP per second [100], from a
#                         fresh emulator answering one token every STREAM_TOKEN_MS [1000] ms; 0 skips it [0]
#   LITELLM               0 skips LiteLLM [1]
#   GATEWAY               1 starts this build's gateway: `mistral keys create --name bench --database sqlite:DB`
#                         (its secret is the last line of stdout), then
#                         `mistral serve --port P --base-url EMULATOR_URL --database sqlite:DB` [0]
#   GATEWAY_CMD           instead, a command that starts a gateway, with {port} and {upstream} in it, e.g.
#                         '/work/wt-gw/.build/debug/mistral serve --port {port} --base-url {upstream} ...'; its
#                         key in GATEWAY_KEY (or GATEWAY_KEY_CMD: a command whose last stdout line is the key)
#   GATEWAY_URL           instead, an already running gateway (GATEWAY_KEY its key) that forwards to
#                         http://127.0.0.1:$EMULATOR_PORT: set EMULATOR_PORT so the emulator listens there
#   MISTRALKIT_BENCH_SCRATCH  the release build's scratch path [~/.cache/mistralkit/build-bench]
#   SKIP_BUILD            1 uses the binaries already in the scratch path [0]
#   BENCH_BIN             a folder with mistral and mistral-bench to use instead of building them []
#   RESULTS               where the JSON lines go [a temporary file, named at the end]
#   KEEP_LOGS             1 keeps the servers' logs (their folder is named at the end) [0]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bench-servers.sh

log() { echo "bench-gateway: $*" >&2; }

RATES="${RATES:-100 500 1000}"
MODES="${MODES:-json stream}"
STEP_SECONDS="${STEP_SECONDS:-10}"
WARMUP_SECONDS="${WARMUP_SECONDS:-2}"
SEARCH_RATES="${SEARCH_RATES-10 25 50 75 100 150 200 300 500 750 1000 1500 2000 3000 4000}"
SEARCH_SECONDS="${SEARCH_SECONDS:-5}"
ADDED_P99_LIMIT_MS="${ADDED_P99_LIMIT_MS:-20}"
MAX_TOKENS="${MAX_TOKENS:-16}"
TIMEOUT_SECONDS="${TIMEOUT_SECONDS:-10}"
LOAD_FLAGS="${LOAD_FLAGS:-}"
STREAMS="${STREAMS:-0}"
STREAM_SECONDS="${STREAM_SECONDS:-60}"
STREAM_RAMP="${STREAM_RAMP:-100}"
STREAM_TOKEN_MS="${STREAM_TOKEN_MS:-1000}"
STREAM_TIMEOUT_SECONDS="${STREAM_TIMEOUT_SECONDS:-120}"
LITELLM="${LITELLM:-1}"
GATEWAY="${GATEWAY:-0}"
SCRATCH="${MISTRALKIT_BENCH_SCRATCH:-$HOME/.cache/mistralkit/build-bench}"
WORK=$(mktemp -d -t bench-gateway.XXXXXX)
RESULTS="${RESULTS:-$WORK/results.jsonl}"
: >"$RESULTS"
HZ=$(getconf CLK_TCK)

STARTED_PIDS=()
stop_targets() {
  local pid
  for pid in "${STARTED_PIDS[@]}"; do stop_server "$pid"; done
  STARTED_PIDS=()
}

cleanup() {
  stop_targets
  if [ "${KEEP_LOGS:-0}" = "1" ] || [ "$RESULTS" = "$WORK/results.jsonl" ]; then
    log "logs and results in $WORK"
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT

# Other builds may share the machine's cores: take the same lock as they do when flock is there.
swift_locked() {
  if command -v flock >/dev/null; then
    flock "${MISTRALKIT_BUILD_LOCK:-/tmp/swift-build.lock}" swift "$@"
  else
    swift "$@"
  fi
}
if [ -n "${BENCH_BIN:-}" ]; then
  BIN=$BENCH_BIN
else
  if [ "${SKIP_BUILD:-0}" != "1" ]; then
    log "building mistral and mistral-bench (release) in $SCRATCH"
    swift_locked build -c release --scratch-path "$SCRATCH" --product mistral >&2
    swift_locked build -c release --scratch-path "$SCRATCH" --product mistral-bench >&2
  fi
  BIN=$(swift_locked build -c release --scratch-path "$SCRATCH" --show-bin-path)
fi

# --- servers -----------------------------------------------------------------------------------------
# Starts the emulator (`mistral emulate` with the flags given, fast by default) and the proxies in front of
# it; sets TARGETS and each target's URL, KEY and PID (the proxy's process; none for direct).
declare -A URL KEY PID
start_targets() {
  local name=$1
  shift
  TARGETS=(direct)
  start_emulator "$BIN/mistral" "$WORK/emulator-$name.log" "${EMULATOR_PORT:-0}" "$@"
  STARTED_PIDS+=("$EMULATOR_PID")
  URL[direct]=$EMULATOR_URL KEY[direct]=bench PID[direct]=""
  log "emulator ($name) at $EMULATOR_URL"

  if [ "$LITELLM" = "1" ]; then
    start_litellm "$VENV" "$EMULATOR_URL" bench sk-bench-master "$WORK/litellm-$name.log"
    STARTED_PIDS+=("$LITELLM_PID")
    TARGETS+=(litellm)
    URL[litellm]=$LITELLM_URL KEY[litellm]=sk-bench-master PID[litellm]=$LITELLM_PID
    log "LiteLLM at $LITELLM_URL"
  fi

  # ---- the gateway's hook -----------------------------------------------------------------------------
  local gateway_url=${GATEWAY_URL:-} gateway_key=${GATEWAY_KEY:-} gateway_pid=""
  if [ "$GATEWAY" = "1" ]; then
    start_gateway "$BIN/mistral" "$EMULATOR_URL" "$WORK/gateway-$name.sqlite" "$WORK/gateway-$name.log"
    STARTED_PIDS+=("$GATEWAY_PID")
    gateway_url=$GATEWAY_URL gateway_key=$GATEWAY_KEY gateway_pid=$GATEWAY_PID
  elif [ -n "${GATEWAY_CMD:-}" ]; then
    local port command
    port=$(free_port)
    if [ -n "${GATEWAY_KEY_CMD:-}" ]; then gateway_key=$(bash -c "$GATEWAY_KEY_CMD" | tail -n 1); fi
    command=${GATEWAY_CMD//\{port\}/$port}
    command=${command//\{upstream\}/$EMULATOR_URL}
    bash -c "exec $command" >"$WORK/gateway-$name.log" 2>&1 &
    gateway_pid=$!
    STARTED_PIDS+=("$gateway_pid")
    gateway_url="http://127.0.0.1:$port"
    : "${gateway_key:?GATEWAY_CMD needs GATEWAY_KEY or GATEWAY_KEY_CMD}"
    wait_listening "$gateway_url/v1/models" 60 "$gateway_pid" || { cat "$WORK/gateway-$name.log" >&2; return 1; }
  fi
  if [ -n "$gateway_url" ]; then
    TARGETS+=(gateway)
    URL[gateway]=$gateway_url KEY[gateway]=${gateway_key:?GATEWAY_URL needs GATEWAY_KEY}
    # The gateway's process, for its CPU and memory: the one started here, or the one listening on its port.
    PID[gateway]=${gateway_pid:-$(ss -ltnpH "sport = :${gateway_url##*:}" 2>/dev/null | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -n 1)}
    log "gateway at $gateway_url"
  fi
  # -----------------------------------------------------------------------------------------------------
}

[ "$LITELLM" = "1" ] && VENV=$(bash scripts/setup-litellm.sh | tail -n 1)
start_targets fast

# One `mistral-bench load` run (more flags after the fixed arguments); its JSON summary, with the step's
# context, the servers' CPU over the step and the proxy's resident memory, goes to RESULTS.
run_step() {
  local phase=$1 target=$2 mode=$3 rate=$4 seconds=$5
  shift 5
  local proxy_pid=${PID[$target]} output
  local emulator_before proxy_before=0 emulator_after proxy_after=0 start end proxy_rss_before=""
  [ "$mode" = "stream" ] && set -- --stream "$@"
  local machine_before machine_after
  machine_before=$(machine_busy_ticks)
  emulator_before=$(cpu_ticks "$EMULATOR_PID")
  if [ -n "$proxy_pid" ]; then
    proxy_before=$(cpu_ticks "$proxy_pid")
    proxy_rss_before=$(rss_kib "$proxy_pid")
  fi
  start=$(date +%s.%N)
  # shellcheck disable=SC2086 # LOAD_FLAGS is a list of flags
  output=$("$BIN/mistral-bench" load --url "${URL[$target]}" --key "${KEY[$target]}" --rate "$rate" \
    --duration "$seconds" --timeout "$TIMEOUT_SECONDS" --max-tokens "$MAX_TOKENS" --label "$target" --json $LOAD_FLAGS "$@")
  end=$(date +%s.%N)
  emulator_after=$(cpu_ticks "$EMULATOR_PID")
  machine_after=$(machine_busy_ticks)
  [ -n "$proxy_pid" ] && proxy_after=$(cpu_ticks "$proxy_pid")
  STEP_OUTPUT=$output python3 - "$phase" "$target" "$mode" "$rate" "$((emulator_after - emulator_before))" \
    "${proxy_pid:+$((proxy_after - proxy_before))}" "$start" "$end" "$HZ" \
    "${proxy_pid:+$(peak_rss_kib "$proxy_pid")}" "$proxy_rss_before" "$(peak_rss_kib "$EMULATOR_PID")" \
    "$((machine_after - machine_before))" >>"$RESULTS" <<'PY'
import json, os, sys
phase, target, mode, rate, emulator, proxy, start, end, hz, proxy_peak, proxy_before, emulator_peak, machine = sys.argv[1:]
row = json.loads(os.environ["STEP_OUTPUT"])
wall = float(end) - float(start)
row.update(phase=phase, target=target, mode=mode, rate=float(rate), emulatorCPU=int(emulator) / int(hz) / wall,
           proxyCPU=int(proxy) / int(hz) / wall if proxy else None,
           proxyPeakRSSKiB=int(proxy_peak) if proxy_peak else None, proxyRSSBeforeKiB=int(proxy_before) if proxy_before else None,
           emulatorPeakRSSKiB=int(emulator_peak), machineCPU=int(machine) / int(hz) / wall)
print(json.dumps(row))
PY
  tail -n 1 "$RESULTS" | python3 -c 'import json, sys
r = json.loads(sys.stdin.read()); l = r.get("latency") or {}
print("bench-gateway: %s, %s, %s, %g: p50 %.2f ms, p99 %.2f ms, %d errors, %.0f/s, generator p99 late %.2f ms" % (r["phase"], r["target"],
      r["mode"], r["rate"], l.get("p50", float("nan")), l.get("p99", float("nan")), r["errors"], r["throughput"], (r.get("lateness") or {}).get("p99", 0)), file=sys.stderr)'
  # A proxy that fell behind may still be working through its backlog: let it finish before the next step.
  if [ -n "$proxy_pid" ]; then wait_idle "$proxy_pid" 60; fi
  sleep 1
}

for rate in $RATES; do
  for mode in $MODES; do
    for target in "${TARGETS[@]}"; do
      run_step rates "$target" "$mode" "$rate" "$STEP_SECONDS" --warmup "$WARMUP_SECONDS"
    done
  done
done

if [ -n "$SEARCH_RATES" ]; then
  for mode in $MODES; do
    active=("${TARGETS[@]:1}")
    for rate in $SEARCH_RATES; do
      [ ${#active[@]} -gt 0 ] || break
      run_step search direct "$mode" "$rate" "$SEARCH_SECONDS" --warmup "$WARMUP_SECONDS"
      # The proxies are judged against direct: one noisy direct run (another process on the cores) gets a second try.
      if ! python3 scripts/bench-gateway-report.py "$RESULTS" passes search "$mode" "$rate" direct "$ADDED_P99_LIMIT_MS"; then
        run_step search direct "$mode" "$rate" "$SEARCH_SECONDS" --warmup "$WARMUP_SECONDS"
      fi
      still=()
      for target in "${active[@]}"; do
        run_step search "$target" "$mode" "$rate" "$SEARCH_SECONDS" --warmup "$WARMUP_SECONDS"
        if python3 scripts/bench-gateway-report.py "$RESULTS" passes search "$mode" "$rate" "$target" "$ADDED_P99_LIMIT_MS"; then
          still+=("$target")
        fi
      done
      active=("${still[@]}")
    done
  done
fi

# Memory: STREAMS streams held open through each target, against a slow emulator started for it.
if [ "$STREAMS" -gt 0 ]; then
  stop_targets
  start_targets slow --token-ms "$STREAM_TOKEN_MS"
  for target in "${TARGETS[@]}"; do
    run_step streams "$target" stream "$STREAMS" "$STREAM_SECONDS" --concurrent-streams "$STREAMS" --rate "$STREAM_RAMP" \
      --timeout "$STREAM_TIMEOUT_SECONDS"
  done
fi

echo "Machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), $(date -u '+%Y-%m-%d %H:%M UTC')."
echo "Steps: ${STEP_SECONDS} s measured after ${WARMUP_SECONDS} s of warm-up; max_tokens ${MAX_TOKENS}; request timeout ${TIMEOUT_SECONDS} s."
python3 scripts/bench-gateway-report.py "$RESULTS" tables "$ADDED_P99_LIMIT_MS"
