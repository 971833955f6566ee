#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the test suite, on a free loopback port.
#   scripts/postgres-cluster.sh start   # installs PostgreSQL if missing, starts a cluster, prints its URL last
#   scripts/postgres-cluster.sh stop    # stops it and removes its data
# Idempotent: start replaces a cluster left behind by an earlier run.
set -euo pipefail

DATA_DIR="${MISTRALKIT_PG_DIR:-/tmp/mistralkit-postgres}"
log() { echo "postgres-cluster: $*" >&2; }

bin_dir() {
  local initdb
  initdb=$(ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$initdb" ]; then
    log "installing PostgreSQL from Debian's packages"
    export DEBIAN_FRONTEND=noninteractive
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq >&2
    $SUDO apt-get install -y -qq postgresql >&2
    initdb=$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)
  fi
  dirname "$initdb"
}

# PostgreSQL refuses to run as root: run its programs as the postgres user then.
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

stop() {
  local bin
  bin=$(bin_dir)
  if [ -f "$DATA_DIR/postmaster.pid" ]; then
    as_owner "$bin/pg_ctl" -D "$DATA_DIR" -m immediate stop >/dev/null 2>&1 || true
  fi
  rm -rf "$DATA_DIR"
}

start() {
  local bin port
  bin=$(bin_dir)
  stop
  mkdir -p "$DATA_DIR"
  if [ "$(id -u)" = 0 ]; then chown postgres "$DATA_DIR"; fi
  as_owner "$bin/initdb" -D "$DATA_DIR" -U mistralkit --auth=trust -E UTF8 >/dev/null
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
  as_owner "$bin/pg_ctl" -D "$DATA_DIR" -l "$DATA_DIR/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$DATA_DIR -c fsync=off" start >/dev/null
  as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U mistralkit mistralkit_test
  log "PostgreSQL running on 127.0.0.1:$port (data in $DATA_DIR)"
  echo "postgres://mistralkit@127.0.0.1:$port/mistralkit_test"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
