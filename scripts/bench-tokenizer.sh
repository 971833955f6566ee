#!/usr/bin/env bash
# MistralTokenizer next to mistral-common, in one run on the same corpus and tokenizer files:
# load time, encode throughput (text by text and as one document) and identical ids.
# Prints a Markdown table with the ratios (Swift / mistral-common), the table of BENCHMARKS.md's tokenizer section.
#   SECONDS_PER_MEASURE  time spent per throughput measurement (default 2)
#   MISTRALKIT_PACKAGE_DIR  the package that has the mistral-tokenizer-bench product (default: this repo)
set -euo pipefail
cd "$(dirname "$0")/.."

log() { echo "bench-tokenizer: $*" >&2; }

REFERENCE_DIR=$(bash scripts/setup-tokenizer-reference.sh | tail -n 1)
VENV_PY="${MISTRALKIT_TOKENIZER_CACHE:-$HOME/.cache/mistralkit}/tokenizer-venv/bin/python"
PACKAGE_DIR="${MISTRALKIT_PACKAGE_DIR:-$PWD}"
SECONDS_PER_MEASURE="${SECONDS_PER_MEASURE:-2}"
results=$(mktemp -t tokenizer-bench.XXXXXX)
trap 'rm -f "$results"' EXIT

log "building mistral-tokenizer-bench (release) in $PACKAGE_DIR"
swift build -c release --package-path "$PACKAGE_DIR" --product mistral-tokenizer-bench >&2
bin_dir=$(swift build -c release --package-path "$PACKAGE_DIR" --show-bin-path)

log "measuring MistralTokenizer"
"$bin_dir/mistral-tokenizer-bench" --tokenizer-dir "$REFERENCE_DIR" --seconds "$SECONDS_PER_MEASURE" >>"$results"
log "measuring mistral-common"
"$VENV_PY" scripts/tokenizer-bench.py --tokenizer-dir "$REFERENCE_DIR" --seconds "$SECONDS_PER_MEASURE" >>"$results"

"$VENV_PY" - "$results" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
swift = {r["file"]: r for r in rows if r["implementation"] == "swift"}
python = {r["file"]: r for r in rows if r["implementation"] == "mistral-common"}
print("| tokenizer file | identical ids (texts / tokens) | load Swift (median, first) | load mistral-common (median) | "
      "whole corpus, text by text: MB/s Swift / m-c (ratio) | whole corpus as one document | prose and code only |")
print("|---|---|---|---|---|---|---|")
for name, s in swift.items():
    p = python[name]
    print(f"| {name} | {s['texts_matched']}/{s['texts']} texts, {s['tokens_matched']}/{s['tokens']} tokens "
          f"| {s['load_median_s'] * 1000:.0f} ms, {s['load_first_s'] * 1000:.0f} ms | {p['load_median_s'] * 1000:.0f} ms "
          f"| {s['per_text_mb_s']:.2f} / {p['per_text_mb_s']:.2f} ({s['per_text_mb_s'] / p['per_text_mb_s']:.2f}x) "
          f"| {s['document_mb_s']:.2f} / {p['document_mb_s']:.2f} ({s['document_mb_s'] / p['document_mb_s']:.2f}x) "
          f"| {s['natural_mb_s']:.2f} / {p['natural_mb_s']:.2f} ({s['natural_mb_s'] / p['natural_mb_s']:.2f}x) |")
first = next((s for s in swift.values() if s["file"].endswith(".json")), None)
if first:
    print(f"\nFirst tekken encode of the process (builds the Unicode class table): {first['first_encode_s'] * 1000:.1f} ms.")
PY
