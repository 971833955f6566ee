#!/usr/bin/env bash
# Checks trace export end to end (not part of the test suite: it needs the OTLP trait build, which
# adds swift-otel to the build): builds `mistral` with `--traits OTLP` (release, scratch
# MISTRALKIT_OTLP_SCRATCH [~/.cache/mistralkit/build-otlp]), starts an emulator, a receiver and
# `mistral serve` with OTEL_EXPORTER_OTLP_ENDPOINT, sends one request carrying a W3C traceparent,
# and checks that a batch reached /v1/traces holding the server span, the upstream call's span and
# the caller's trace and parent span ids. Prints "OTLP export: ok" or why not; stops what it started.
set -euo pipefail
cd "$(dirname "$0")/.."
SCRATCH="${MISTRALKIT_OTLP_SCRATCH:-$HOME/.cache/mistralkit/build-otlp}"
swift build -c release --traits OTLP --product mistral --scratch-path "$SCRATCH" >&2
BIN="$SCRATCH/release/mistral"
WORK="$(mktemp -d)"
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
EMU=$(free_port); RX=$(free_port); GW=$(free_port)
"$BIN" emulate --port "$EMU" >"$WORK/emulator.log" 2>&1 & PIDS+=($!)
python3 scripts/otlp_receiver.py "$RX" "$WORK" & PIDS+=($!)
KEY=$("$BIN" keys create --name otlp --database "$WORK/db.sqlite" | tail -n 1)
OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$RX" OTEL_BSP_SCHEDULE_DELAY=200 \
  "$BIN" serve --port "$GW" --base-url "http://127.0.0.1:$EMU" --api-key emulator --database "$WORK/db.sqlite" --access-log off \
  >"$WORK/serve.log" 2>&1 & PIDS+=($!)
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$GW/health" >/dev/null && break; sleep 0.1; done
curl -sf -o /dev/null "http://127.0.0.1:$GW/v1/chat/completions" -H "Authorization: Bearer $KEY" -H 'content-type: application/json' \
  -H 'traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' \
  -d '{"model":"mistral-small-latest","messages":[{"role":"user","content":"Hi"}]}'
for _ in $(seq 50); do ls "$WORK"/batch-*.bin >/dev/null 2>&1 && break; sleep 0.1; done
python3 - "$WORK" <<'PY'
import glob, sys
data = b"".join(open(p, "rb").read() for p in glob.glob(sys.argv[1] + "/batch-*.bin"))
log = open(sys.argv[1] + "/requests.log").read() if data else ""
checks = {
    "POSTed to /v1/traces as protobuf": "/v1/traces application/x-protobuf" in log,
    "server span": b"POST /v1/chat/completions" in data,
    "upstream call span": b"chat mistral-small-latest" in data,
    "caller's trace id": bytes.fromhex("4bf92f3577b34da6a3ce929d0e0e4736") in data,
    "caller's span as parent": bytes.fromhex("00f067aa0ba902b7") in data,
}
for name, held in checks.items():
    print(("ok   " if held else "FAIL ") + name)
print("OTLP export: " + ("ok" if all(checks.values()) else "FAILED"))
sys.exit(0 if all(checks.values()) else 1)
PY
