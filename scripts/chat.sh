#!/usr/bin/env bash
# The main job: builds the `mistral` command (once) and runs `mistral chat` with the given
# arguments. With MISTRAL_API_KEY it talks to Mistral's API (or to MISTRAL_BASE_URL); with
# neither, it starts the offline emulator on a free loopback port for this one command.
set -euo pipefail
cd "$(dirname "$0")/.."

swift build --product mistral >&2
bin=".build/debug/mistral"

if [ -n "${MISTRAL_API_KEY:-}" ] || [ -n "${MISTRAL_BASE_URL:-}" ]; then
  exec "$bin" chat "$@"
fi

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
echo "chat.sh: no MISTRAL_API_KEY or MISTRAL_BASE_URL; using the offline emulator on 127.0.0.1:$port" >&2
"$bin" emulate --host 127.0.0.1 --port "$port" >/dev/null 2>&1 &
emulator=$!
trap 'kill $emulator 2>/dev/null || true; wait $emulator 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
  sleep 0.1
done
"$bin" chat --base-url "http://127.0.0.1:$port" --api-key emulator "$@"
