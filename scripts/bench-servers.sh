#!/usr/bin/env bash
# Sourced by the gateway benchmark (scripts/bench-gateway.sh); starts and stops the servers it measures,
# each on a free loopback port, logging to a file, and waits until each answers. Defines:
#
# free_port                        prints a free loopback TCP port
# wait_http URL SECONDS PID [HEADER]
#                                  waits until URL answers 200 (curl, optional header); fails at once if PID exits
# wait_listening URL SECONDS PID   waits until URL answers at all, whatever the status (a server whose routes
#                                  are not known here); fails at once if PID exits
# start_emulator MISTRAL_BIN LOG [PORT [EMULATE_FLAG...]]
#                                  starts `mistral emulate` on PORT (default: a free one): no latency, no
#                                  faults, no rate limit unless flags say otherwise; sets EMULATOR_PID and
#                                  EMULATOR_URL (http://127.0.0.1:PORT)
# start_litellm VENV UPSTREAM_URL UPSTREAM_KEY MASTER_KEY LOG
#                                  starts LiteLLM's proxy (one worker, scripts/litellm-config.yaml, no
#                                  database) in front of UPSTREAM_URL; sets LITELLM_PID and LITELLM_URL
# start_gateway MISTRAL_BIN UPSTREAM_URL DATABASE LOG
#                                  creates a key and starts `mistral serve` in front of UPSTREAM_URL; sets
#                                  GATEWAY_PID, GATEWAY_URL and GATEWAY_KEY
# stop_server PID                  SIGTERM, then SIGKILL after 10 s; waits for it
# cpu_ticks PID...                 prints the CPU time the processes used so far, in clock ticks (/proc)
# machine_busy_ticks               prints the CPU time all processes of the machine used so far, in clock ticks
# wait_idle PID [SECONDS]          waits until PID uses under 5% of a core (a proxy done with a backlog)
# peak_rss_kib PID                 prints the process's peak resident memory (VmHWM) in KiB
# rss_kib PID                      prints its resident memory now (VmRSS) in KiB
BENCH_SERVERS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

wait_http() {
  local url=$1 seconds=$2 pid=$3 header=${4:-}
  local deadline=$((SECONDS + seconds))
  while [ "$SECONDS" -lt "$deadline" ]; do
    if ! kill -0 "$pid" 2>/dev/null; then echo "bench-servers: the server behind $url exited" >&2; return 1; fi
    if curl -fsS -o /dev/null --max-time 2 ${header:+-H "$header"} "$url" 2>/dev/null; then return 0; fi
    sleep 0.2
  done
  echo "bench-servers: $url did not answer within $seconds s" >&2
  return 1
}

wait_listening() {
  local url=$1 seconds=$2 pid=$3
  local deadline=$((SECONDS + seconds))
  while [ "$SECONDS" -lt "$deadline" ]; do
    if ! kill -0 "$pid" 2>/dev/null; then echo "bench-servers: the server behind $url exited" >&2; return 1; fi
    if [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url" 2>/dev/null)" != "000" ]; then return 0; fi
    sleep 0.2
  done
  echo "bench-servers: $url did not answer within $seconds s" >&2
  return 1
}

start_emulator() {
  local bin=$1 log=$2 port_wanted=${3:-0}
  shift $(($# < 3 ? $# : 3))
  "$bin" emulate --host 127.0.0.1 --port "$port_wanted" "$@" >"$log" 2>&1 &
  EMULATOR_PID=$!
  local deadline=$((SECONDS + 30)) port=""
  while [ -z "$port" ] && [ "$SECONDS" -lt "$deadline" ]; do
    port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$log" | head -n 1)
    [ -n "$port" ] || sleep 0.1
  done
  if [ -z "$port" ]; then echo "bench-servers: the emulator did not start:" >&2; cat "$log" >&2; return 1; fi
  EMULATOR_URL="http://127.0.0.1:$port"
  wait_http "$EMULATOR_URL/v1/models" 30 "$EMULATOR_PID" "Authorization: Bearer bench"
}

start_litellm() {
  local venv=$1 upstream=$2 upstream_key=$3 master_key=$4 log=$5
  local port
  port=$(free_port)
  # LITELLM_LOCAL_MODEL_COST_MAP: use the cost map in the package instead of fetching it (no internet here).
  MISTRALKIT_UPSTREAM_URL="$upstream/v1" MISTRALKIT_UPSTREAM_KEY="$upstream_key" LITELLM_MASTER_KEY="$master_key" \
    LITELLM_LOCAL_MODEL_COST_MAP=True LITELLM_LOG=ERROR LITELLM_MODE=PRODUCTION \
    env -u DATABASE_URL "$venv/bin/litellm" --config "$BENCH_SERVERS_DIR/litellm-config.yaml" --host 127.0.0.1 --port "$port" \
    --num_workers 1 >"$log" 2>&1 &
  LITELLM_PID=$!
  LITELLM_URL="http://127.0.0.1:$port"
  if ! wait_http "$LITELLM_URL/health/readiness" 120 "$LITELLM_PID"; then cat "$log" >&2; return 1; fi
}

# Our gateway: a key without limits, then `mistral serve` with the upstream's key "bench" (the emulator takes
# any), its access log (one JSON line per request) going to LOG like a deployment's would.
start_gateway() {
  local bin=$1 upstream=$2 database=$3 log=$4
  shift 4
  local port
  port=$(free_port)
  GATEWAY_KEY=$("$bin" keys create --name bench --database "sqlite:$database" | tail -n 1)
  "$bin" serve --port "$port" --base-url "$upstream" --api-key bench --database "sqlite:$database" "$@" >"$log" 2>&1 &
  GATEWAY_PID=$!
  GATEWAY_URL="http://127.0.0.1:$port"
  if ! wait_listening "$GATEWAY_URL/v1/models" 60 "$GATEWAY_PID"; then cat "$log" >&2; return 1; fi
}

stop_server() {
  local pid=$1
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  local deadline=$((SECONDS + 10))
  while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cpu_ticks() {
  local total=0 pid fields
  for pid in "$@"; do
    # Fields 14 and 15 of /proc/PID/stat (utime, stime), counted after the command name's closing parenthesis.
    fields=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{print $12 + $13}') || fields=0
    total=$((total + ${fields:-0}))
  done
  echo "$total"
}

machine_busy_ticks() {
  # user + nice + system + irq + softirq + steal of the first line of /proc/stat (all cores).
  awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9; exit}' /proc/stat
}

wait_idle() {
  local pid=$1 seconds=${2:-60} hz before after
  hz=$(getconf CLK_TCK)
  local deadline=$((SECONDS + seconds))
  while [ "$SECONDS" -lt "$deadline" ]; do
    before=$(cpu_ticks "$pid")
    sleep 1
    after=$(cpu_ticks "$pid")
    if [ $((after - before)) -le $((hz / 20)) ]; then return 0; fi
  done
  echo "bench-servers: process $pid still busy after $seconds s" >&2
}

peak_rss_kib() {
  awk '/^VmHWM:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0
}

rss_kib() {
  awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0
}
