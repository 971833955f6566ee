#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs the real peers (official Python SDKs,
# llama.cpp server with SmolLM2, mistral-common as the tokenizer reference, PostgreSQL), builds,
# starts the llama.cpp server and a PostgreSQL cluster on free loopback ports, runs every Swift
# test, and stops both again.
# Idempotent; safe to run repeatedly.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { echo "test.sh: $*" >&2; }

PEERS_DIR=$(bash scripts/setup-peers.sh | tail -n 1)
TOKENIZER_DIR=$(bash scripts/setup-tokenizer-reference.sh | tail -n 1)
PY="$PEERS_DIR/venv/bin/python"
MODEL="$PEERS_DIR/models/SmolLM2-135M-Instruct.Q4_1.gguf"

log "building"
swift build --build-tests

port=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
llama_log=$(mktemp -t llama-server.XXXXXX.log)
log "starting llama.cpp server (SmolLM2-135M) on 127.0.0.1:$port"
# --interrupt_requests false: by default llama-cpp-python's server ends a running stream (with
# `data: [DONE]` and no finish reason) as soon as another request arrives; tests run in parallel,
# so requests must queue instead of cutting each other's answers.
"$PY" -m llama_cpp.server --model "$MODEL" --model_alias smollm2 --host 127.0.0.1 --port "$port" \
  --n_ctx 2048 --n_threads 2 --interrupt_requests false >"$llama_log" 2>&1 &
llama_pid=$!
cleanup() {
  kill "$llama_pid" 2>/dev/null || true
  wait "$llama_pid" 2>/dev/null || true
  rm -f "$llama_log"
  bash scripts/postgres-cluster.sh stop || true
}
trap cleanup EXIT

log "starting a PostgreSQL cluster"
POSTGRES_URL=$(bash scripts/postgres-cluster.sh start | tail -n 1)

llama_ready=0
for _ in $(seq 1 120); do
  if "$PY" -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$port/v1/models', timeout=1)" 2>/dev/null; then
    llama_ready=1
    break
  fi
  if ! kill -0 "$llama_pid" 2>/dev/null; then
    log "llama.cpp server exited:"; cat "$llama_log" >&2; exit 1
  fi
  sleep 0.5
done
if [ "$llama_ready" != 1 ]; then
  log "llama.cpp server did not answer within the wait:"; cat "$llama_log" >&2; exit 1
fi

export MISTRALKIT_PEERS_PYTHON="$PY"
export MISTRALKIT_LLAMA_URL="http://127.0.0.1:$port"
export MISTRALKIT_TOKENIZER_DIR="$TOKENIZER_DIR"
export MISTRALKIT_POSTGRES_URL="$POSTGRES_URL"
export MISTRALKIT_REQUIRE_PEERS=1
log "running tests"
swift test --no-parallel
