#!/usr/bin/env bash
# Installs LiteLLM's proxy, the peer the gateway benchmarks compare with, idempotently: a Python venv with
# `litellm[proxy]` pinned, in a cache directory outside the work tree so fresh clones (CI) reuse it.
# Prints the venv directory on the last line of stdout; its bin/litellm starts the proxy
# (scripts/bench-servers.sh's start_litellm does, with scripts/litellm-config.yaml).
set -euo pipefail
source "$(dirname "$0")/python-venv.sh"

LITELLM_DIR="${MISTRALKIT_LITELLM_DIR:-$HOME/.cache/mistralkit/litellm}"
VENV="$LITELLM_DIR/venv"
mkdir -p "$LITELLM_DIR"

# Pinned, with every dependency (scripts/constraints/litellm.txt, a `pip freeze` of a working venv), so a
# new release of LiteLLM or of what it pulls in cannot change what the benchmark compares with. Raise on purpose.
CONSTRAINTS="$(cd "$(dirname "$0")" && pwd)/constraints/litellm.txt"
LITELLM_VERSION="1.108.7"
ensure_venv "$VENV" setup-litellm \
  "import importlib.metadata as m, importlib.util as u; assert m.version('litellm') == '$LITELLM_VERSION'; assert all(u.find_spec(p) for p in ('fastapi', 'uvicorn', 'apscheduler', 'backoff'))" \
  --constraint "$CONSTRAINTS" "litellm[proxy]==$LITELLM_VERSION"

echo "$VENV"
