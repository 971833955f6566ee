#!/usr/bin/env bash
# Sourced by the setup scripts (setup-peers.sh, setup-tokenizer-reference.sh); defines:
#
# ensure_venv VENV LABEL CHECK PACKAGE...
#   Creates the Python venv VENV when it is missing, then pip-installs the PACKAGEs into it
#   unless the Python snippet CHECK already runs there without error. Progress goes to stderr,
#   each line prefixed with LABEL, so a script's stdout stays its result.
ensure_venv() {
  local venv=$1 label=$2 check=$3
  shift 3
  if [ ! -x "$venv/bin/python" ]; then
    echo "$label: creating venv at $venv" >&2
    python3 -m venv "$venv"
  fi
  if ! "$venv/bin/python" -c "$check" 2>/dev/null; then
    echo "$label: installing $*" >&2
    "$venv/bin/pip" install --quiet --disable-pip-version-check "$@" >&2
  fi
}
