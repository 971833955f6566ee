#!/usr/bin/env bash
# The main job: builds `mistral` (release, once) and serves the Mistral API with the chat service
# (Conversations and Agents API) on http://127.0.0.1:${PORT:-8080}, with its data in an SQLite file
# under ${MISTRAL_SERVE_DIR:-~/.mistral/serve}. Upstream: Mistral when MISTRAL_API_KEY is set (or
# MISTRAL_BASE_URL, any compatible server), else the offline emulator started beside it (it says so).
# On the first start it makes a gateway key (kept in the data folder, mode 600) and seeds the example's
# FAQ as a library and its support persona as an agent answering from it and checking orders with the
# order_status tool (a webhook, scripts/orders_webhook.py, standing in for the order system), through the
# API; later starts reuse them. Prints what to open and try, then
# serves until Ctrl-C, which stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { echo "serve.sh: $*" >&2; }

PORT="${PORT:-8080}"
DIR="${MISTRAL_SERVE_DIR:-$HOME/.mistral/serve}"
DB="$DIR/mistral.sqlite"
mkdir -p "$DIR"
chmod 700 "$DIR"

log "building mistral (release; the first build takes several minutes)"
swift build -c release --product mistral >&2
bin="$(swift build -c release --show-bin-path)/mistral"

pids=()
stop() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap stop EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
wait_for() {  # URL, what: until it answers at all
  for _ in $(seq 1 200); do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' "$1")" != "000" ]; then return 0; fi
    sleep 0.1
  done
  log "$2 did not answer at $1"; exit 1
}

upstream=()
if [ -n "${MISTRAL_API_KEY:-}" ] || [ -n "${MISTRAL_BASE_URL:-}" ]; then
  log "upstream: ${MISTRAL_BASE_URL:-the Mistral API} (from the environment)"
else
  emulator_port=$(free_port)
  log "no MISTRAL_API_KEY: the upstream is the offline emulator on 127.0.0.1:$emulator_port (canned answers, not a model)"
  "$bin" emulate --host 127.0.0.1 --port "$emulator_port" >"$DIR/emulator.log" 2>&1 &
  pids+=($!)
  wait_for "http://127.0.0.1:$emulator_port/v1/models" "the emulator"
  upstream=(--base-url "http://127.0.0.1:$emulator_port" --api-key emulator)
fi

if [ ! -s "$DIR/key" ]; then
  (umask 077; "$bin" keys create --name serve-demo --database "$DB" | tail -n 1 >"$DIR/key")
  log "made a gateway key (kept in $DIR/key)"
fi
key=$(cat "$DIR/key")
if [ ! -s "$DIR/token-secret" ]; then
  (umask 077; python3 -c 'import secrets; print(secrets.token_hex(32))' >"$DIR/token-secret")
fi

# The example's order system, as the webhook behind the server's order_status tool.
orders_port=$(free_port)
python3 scripts/orders_webhook.py "$orders_port" >"$DIR/orders.log" 2>&1 &
pids+=($!)
order_parameters='{"type": "object", "properties": {"order_id": {"type": "string", "description": "The order number", "enum": ["4412", "4413", "5120"]}}, "required": ["order_id"]}'
cat >"$DIR/serve-config.json" <<JSON
{"tools": [{"name": "order_status", "description": "The status and expected delivery date of one of the customer's orders.",
            "parameters": $order_parameters, "url": "http://127.0.0.1:$orders_port/status"}]}
JSON

"$bin" serve --host 127.0.0.1 --port "$PORT" --database "$DB" --config "$DIR/serve-config.json" --access-log "$DIR/access.log" \
  --token-secret-file "$DIR/token-secret" "${upstream[@]}" >"$DIR/serve.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$PORT/health" "mistral serve (see $DIR/serve.log)"
base="http://127.0.0.1:$PORT"

if [ ! -s "$DIR/library" ]; then
  # The support-bot example's FAQ (Examples/SupportBot/faq), through the Libraries API.
  curl -sf "$base/v1/libraries" -H "Authorization: Bearer $key" -H 'content-type: application/json' \
    -d '{"name": "Acme FAQ", "description": "The help-centre articles of the support-bot example"}' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])' >"$DIR/library.new"
  for article in Examples/SupportBot/faq/*.md; do
    curl -sf -o /dev/null "$base/v1/libraries/$(cat "$DIR/library.new")/documents" -H "Authorization: Bearer $key" \
      -F "file=@$article;type=text/markdown"
  done
  mv "$DIR/library.new" "$DIR/library"
  log "seeded the library 'Acme FAQ' ($(cat "$DIR/library")) with $(ls Examples/SupportBot/faq/*.md | wc -l) articles"
fi
library=$(cat "$DIR/library")

if [ ! -s "$DIR/agent" ]; then
  # The support-bot example's persona (Examples/SupportBot), through the Agents API, answering from the FAQ.
  persona='{"name": "Acme support", "model": "mistral-small-latest", "description": "The support-bot example persona",
    "instructions": "You are the customer-support assistant of Acme. Answer in a formal, courteous register: full sentences, no slang, no emoji. Be concise, answer from the sources, and say so when you do not know.",
    "completion_args": {"temperature": 0.2}, "tools": [{"type": "document_library", "library_ids": ["'"$library"'"]},
    {"type": "function", "function": {"name": "order_status", "description": "The status and expected delivery date of one of the customer orders.", "parameters": '"$order_parameters"'}}]}'
  curl -sf "$base/v1/agents" -H "Authorization: Bearer $key" -H 'content-type: application/json' -d "$persona" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])' >"$DIR/agent"
  log "seeded the agent 'Acme support' ($(cat "$DIR/agent")), answering from the library, with the order_status tool"
fi
agent=$(cat "$DIR/agent")

cat <<EOF2

MistralKit is serving on $base (data: $DB; logs: $DIR/serve.log, $DIR/access.log).

  API base URL  $base/v1   (the Mistral API, and the Conversations, Agents and Libraries API)
  API key       $key
  Agent         $agent   (Acme support: answers from the library below, and checks orders with
                the order_status tool, a webhook on 127.0.0.1:$orders_port standing in for the order system)
  Library       $library   (Acme FAQ: shipping, returns, account)

Start a conversation (ask "What is the order status of my order 4412?" to see the tool used):

  curl $base/v1/conversations -H "Authorization: Bearer $key" -H 'content-type: application/json' \\
    -d '{"agent_id": "$agent", "inputs": "What are the delivery options?"}'

Continue it with POST $base/v1/conversations/CONVERSATION_ID {"inputs": "..."}; add "stream": true for
Mistral's event stream. The official SDK: Mistral(api_key="$key", server_url="$base").beta.conversations.
A browser gets an end-user token from your backend (POST $base/v1/end_user_tokens {"user": "u1"} with the
key) and sees only that user's conversations with it.
Ctrl-C stops the server, the order webhook$([ ${#upstream[@]} -gt 0 ] && echo " and the emulator").
EOF2

wait "${pids[-1]}"
