#!/usr/bin/env bash
# A throw-away PostgreSQL 15 server for the tests and the multi-host scripts: its own data
# directory and Unix socket under DIR, no TCP, trust authentication for the role "sot", no
# fsync (the tests' data is disposable). Run as root it runs the server as the "postgres"
# user (initdb refuses root). Never touches a system cluster. SOT_PG_FSYNC=on keeps the
# server durable (benchmarks).
#
#   pg-test-server.sh start DIR     initdb (once) and start; prints the URI of database "sot"
#   pg-test-server.sh stop DIR      fast shutdown
#   pg-test-server.sh kill DIR      immediate shutdown (as a crash would)
#   pg-test-server.sh restart DIR   fast shutdown and start again
#   pg-test-server.sh createdb DIR DB   a new empty database DB
#   pg-test-server.sh uri DIR [DB]  postgresql:///DB?host=DIR&user=sot
set -euo pipefail

cmd="${1:?start|stop|kill|restart|uri}"
dir="${2:?a directory}"
BIN="${SOT_PG_BINDIR:-/usr/lib/postgresql/15/bin}"
fsync="${SOT_PG_FSYNC:-off}"

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

uri() { echo "postgresql:///${1:-sot}?host=$dir&user=sot"; }

start() {
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    as_owner "$BIN/initdb" -D "$dir/data" -U sot --auth=trust -E UTF8 --no-locale -N \
      >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
  fi
  as_owner "$BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-k $dir -c listen_addresses='' -c fsync=$fsync -c synchronous_commit=$fsync \
        -c full_page_writes=$fsync -c max_connections=300" start >/dev/null ||
    { tail -20 "$dir/server.log" >&2; exit 1; }
  if ! as_owner "$BIN/psql" -h "$dir" -U sot -d postgres -Atqc \
      "SELECT 1 FROM pg_database WHERE datname='sot'" | grep -q 1; then
    as_owner "$BIN/createdb" -h "$dir" -U sot sot
  fi
  uri sot
}

case "$cmd" in
  start) start ;;
  stop) as_owner "$BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null ;;
  kill) as_owner "$BIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null ;;
  restart)
    as_owner "$BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    start
    ;;
  createdb) as_owner "$BIN/createdb" -h "$dir" -U sot "${3:?a database name}" ;;
  uri) uri "${3:-sot}" ;;
  *) echo "pg-test-server.sh: unknown command $cmd" >&2; exit 2 ;;
esac
