#!/usr/bin/env bash
# The gateway's overload scenario: an upstream limited to 20 requests/s (the emulator answers 429 above it),
# our gateway in front of it told the same limit, and three keys offering 80, 5 and 5 requests/s for 60 s
# (open loop, `mistral-bench load`, latency from each request's scheduled start). Prints, per key: what was
# offered, answered 200 and refused 429, and the served requests' latency (with the emulator answering at
# once, that is their wait in the gateway's queue); then the upstream's 429s and its utilisation (requests
# it answered over 20 × the measured seconds), from the gateway's own /metrics.
#
# Environment: SECONDS_MEASURED [60], WARMUP [2], UPSTREAM_RPS [20], RATES ["80 5 5"], MAX_QUEUE_WAIT_MS [1000],
# BENCH_BIN (a folder with release mistral and mistral-bench) or MISTRALKIT_BENCH_SCRATCH
# [~/.cache/mistralkit/build-bench] where scripts/bench-gateway.sh built them.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$HERE/bench-servers.sh"
SECONDS_MEASURED="${SECONDS_MEASURED:-60}"
WARMUP="${WARMUP:-2}"
UPSTREAM_RPS="${UPSTREAM_RPS:-20}"
RATES=(${RATES:-80 5 5})
MAX_QUEUE_WAIT_MS="${MAX_QUEUE_WAIT_MS:-1000}"
SCRATCH="${MISTRALKIT_BENCH_SCRATCH:-$HOME/.cache/mistralkit/build-bench}"
BIN="${BENCH_BIN:-$SCRATCH/release}"
WORK=$(mktemp -d)
trap 'stop_server "${GATEWAY_PID:-}"; stop_server "${EMULATOR_PID:-}"; rm -rf "$WORK"' EXIT

start_emulator "$BIN/mistral" "$WORK/emulator.log" 0 --rps "$UPSTREAM_RPS"
DB="$WORK/gateway.sqlite"
KEYS=()
for index in "${!RATES[@]}"; do
  KEYS+=("$("$BIN/mistral" keys create --name "key$index" --database "sqlite:$DB" | tail -n 1)")
done
PORT=$(free_port)
"$BIN/mistral" serve --port "$PORT" --base-url "$EMULATOR_URL" --api-key bench --database "sqlite:$DB" \
  --rps "$UPSTREAM_RPS" --max-queue-wait-ms "$MAX_QUEUE_WAIT_MS" --access-log off >"$WORK/gateway.log" 2>&1 &
GATEWAY_PID=$!
GATEWAY_URL="http://127.0.0.1:$PORT"
wait_http "$GATEWAY_URL/health" 60 "$GATEWAY_PID"

pids=()
for index in "${!RATES[@]}"; do
  "$BIN/mistral-bench" load --url "$GATEWAY_URL" --key "${KEYS[$index]}" --rate "${RATES[$index]}" \
    --duration "$SECONDS_MEASURED" --warmup "$WARMUP" --label "key$index" --json >"$WORK/key$index.json" &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done
curl -s "$GATEWAY_URL/metrics" >"$WORK/metrics.txt"

python3 - "$WORK" "$SECONDS_MEASURED" "$WARMUP" "$UPSTREAM_RPS" "${RATES[@]}" <<'PY'
import json, re, sys
work, measured, warmup, upstream_rps = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
rates = sys.argv[5:]
print(f"| key | offered req/s | sent | 200 | 429 | other | served p50 ms | served p99 ms | served max ms |")
print("|---|---|---|---|---|---|---|---|---|")
for index, rate in enumerate(rates):
    summary = json.load(open(f"{work}/key{index}.json"))
    statuses = summary.get("statuses", {})
    ok, refused = statuses.get("200", 0), statuses.get("429", 0)
    other = summary["sent"] - ok - refused
    latency = summary.get("latency") or {}
    fmt = lambda key: f"{latency[key]:.1f}" if key in latency else "-"
    print(f"| key{index} | {rate} | {summary['sent']} | {ok} | {refused} | {other} | {fmt('p50')} | {fmt('p99')} | {fmt('max')} |")
metrics = open(f"{work}/metrics.txt").read()
def total(name, **labels):
    value = 0.0
    for line in metrics.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        if all(f'{k}="{v}"' in line for k, v in labels.items()):
            value += float(line.rsplit(" ", 1)[1])
    return value
upstream_ok = total("mistral_requests_total", outcome="ok")
upstream_429 = total("mistral_rate_limited_total")
wall = measured + warmup
print()
print(f"upstream: {int(upstream_ok)} answered, {int(upstream_429)} answered 429; utilisation over the {wall:.0f} s run "
      f"(warm-up included): {100 * upstream_ok / (upstream_rps * wall):.1f}% of {upstream_rps:g} req/s")
PY
