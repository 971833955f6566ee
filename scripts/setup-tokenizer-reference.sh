#!/usr/bin/env bash
# Prepares the reference for MistralTokenizer's exactness tests and benchmarks, idempotently:
#   - a Python venv with a pinned mistral-common (and sentencepiece, its SentencePiece backend),
#   - the tokenizer files from the mistral-common wheel, plus tekken files derived for v7-v15,
#   - fixtures.json: mistral-common's outputs on the corpus (scripts/tokenizer-fixtures.py).
# Everything lives in a cache directory outside the work tree so fresh clones (CI) reuse it;
# fixtures are regenerated when the fixture script or the pinned version changes.
# Prints the directory holding the tokenizer files and fixtures.json on the last line of stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/python-venv.sh

# Pinned with every dependency (scripts/constraints/tokenizer-reference.txt, a `pip freeze` of a working venv).
MISTRAL_COMMON_VERSION="1.13.1"
CACHE_DIR="${MISTRALKIT_TOKENIZER_CACHE:-$HOME/.cache/mistralkit}"
VENV="$CACHE_DIR/tokenizer-venv"
REFERENCE_DIR="$CACHE_DIR/tokenizer-reference"
mkdir -p "$REFERENCE_DIR"

log() { echo "setup-tokenizer-reference: $*" >&2; }

ensure_venv "$VENV" setup-tokenizer-reference \
  "import importlib.metadata as m, sentencepiece; assert m.version('mistral_common') == '$MISTRAL_COMMON_VERSION'" \
  --constraint scripts/constraints/tokenizer-reference.txt "mistral-common[sentencepiece]==$MISTRAL_COMMON_VERSION"

stamp=$( (cat scripts/tokenizer-fixtures.py; echo "$MISTRAL_COMMON_VERSION") | sha256sum | cut -d' ' -f1)
if [ ! -s "$REFERENCE_DIR/fixtures.json" ] || [ "$(cat "$REFERENCE_DIR/fixtures.stamp" 2>/dev/null)" != "$stamp" ]; then
  log "generating expected outputs with mistral-common (about 15 s)"
  "$VENV/bin/python" scripts/tokenizer-fixtures.py --tokenizer-dir "$REFERENCE_DIR" --output "$REFERENCE_DIR/fixtures.json" >&2
  echo "$stamp" > "$REFERENCE_DIR/fixtures.stamp"
fi

echo "$REFERENCE_DIR"
