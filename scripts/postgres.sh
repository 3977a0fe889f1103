#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests: initdb into a temporary folder, started on
# 127.0.0.1 on a free port (and a unix socket in the same folder), with one database.
#
#   eval "$(scripts/postgres.sh start DIR)"   starts it; prints `export GUIDE_TEST_POSTGRES=URL`
#   scripts/postgres.sh stop DIR              stops it and removes DIR
#
# Installs Debian's `postgresql` if no initdb is found. As root, the server runs as the
# `postgres` user (PostgreSQL refuses to run as root). Nothing listens beyond 127.0.0.1;
# authentication is `trust` for local connections only.
set -euo pipefail

cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }

bin_dir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$d" ] || [ ! -x "$d/initdb" ]; then
    echo "installing postgresql (Debian)" >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    d=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
  echo "$d"
}

# Runs a PostgreSQL program as the server's user.
as_pg() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

case "$cmd" in
start)
  BIN=$(bin_dir)
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres: "$dir"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  as_pg "$BIN/initdb" -D "$dir/data" -A trust -U guide --no-sync -E UTF8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  as_pg "$BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-h 127.0.0.1 -p $port -k $dir -F -c fsync=off -c full_page_writes=off" start >/dev/null \
    || { cat "$dir/server.log" >&2; exit 1; }
  as_pg "$BIN/createdb" -h 127.0.0.1 -p "$port" -U guide guide_test
  echo "$port" >"$dir/port"
  echo "export GUIDE_TEST_POSTGRES=postgres://guide@127.0.0.1:$port/guide_test"
  ;;
stop)
  if [ -d "$dir/data" ]; then
    BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    as_pg "$BIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
  ;;
*)
  echo "usage: $0 start|stop DIR" >&2
  exit 2
  ;;
esac
