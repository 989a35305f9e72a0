#!/usr/bin/env bash
# Start, stop or query the private PostGIS cluster under .state/ (docs/adr/0002-embedded-postgis.md).
# It listens only on its own Unix socket in .state/run, so it never clashes with a system server.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
state=${GISPORTAL_STATE_DIR:-$root/.state}
data=$state/pgdata
run=$state/run
log=$state/postgresql.log
dbname=${GISPORTAL_DB_NAME:-gisportal}

pgbin() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/initdb" ] && ls "$(dirname "$d")"/lib/postgis*.so >/dev/null 2>&1; then
      echo "$d"; return 0
    fi
  done
  echo "scripts/pg.sh: no PostgreSQL with PostGIS under /usr/lib/postgresql (run scripts/setup.sh)" >&2
  return 1
}

# PostgreSQL refuses to run as root; as root the cluster belongs to the postgres user,
# who needs to pass through the directories above .state/.
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

grant_traverse() {
  [ "$(id -u)" = 0 ] || return 0
  local d=$state
  while [ "$d" != / ]; do
    if ! runuser -u postgres -- test -x "$d" 2>/dev/null; then
      chmod o+x "$d"
    fi
    d=$(dirname "$d")
  done
}

running() {
  [ -f "$data/postmaster.pid" ] && as_owner "$(pgbin)/pg_ctl" -D "$data" status >/dev/null 2>&1
}

start() {
  local bin
  bin=$(pgbin)
  mkdir -p "$state"
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
  fi
  grant_traverse
  mkdir -p "$run"
  if [ "$(id -u)" = 0 ]; then chown postgres "$run"; fi
  if [ ! -f "$data/PG_VERSION" ]; then
    mkdir -p "$data"
    if [ "$(id -u)" = 0 ]; then chown postgres "$data"; fi
    as_owner "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    cat >>"$data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$run'
port = 5432
max_connections = 100
shared_buffers = 512MB
work_mem = 16MB
maintenance_work_mem = 256MB
synchronous_commit = off
jit = off
CONF
  fi
  if [ "$(id -u)" = 0 ]; then touch "$log" && chown postgres "$log"; fi
  if ! running; then
    rm -f "$data/postmaster.pid"
    as_owner "$bin/pg_ctl" -D "$data" -l "$log" -w -t 60 start >/dev/null
  fi
  if ! "$bin/psql" -h "$run" -U postgres -d postgres -Atqc "select 1 from pg_database where datname='$dbname'" | grep -q 1; then
    "$bin/createdb" -h "$run" -U postgres "$dbname"
  fi
  PGOPTIONS="-c client_min_messages=warning" "$bin/psql" -h "$run" -U postgres -d "$dbname" -qc "create extension if not exists postgis" >/dev/null
  # The role the portal connects as; migrate grants it what it may do (core/db/rls.py).
  "$bin/psql" -h "$run" -U postgres -d postgres -qc \
    "do \$\$ begin if not exists (select from pg_roles where rolname = 'gisportal_app') then create role gisportal_app login; end if; end \$\$" >/dev/null
}

stop() {
  if running; then
    as_owner "$(pgbin)/pg_ctl" -D "$data" -m fast -w stop >/dev/null
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if running; then echo "running: $run"; else echo "stopped"; exit 3; fi ;;
  psql) shift; exec "$(pgbin)/psql" -h "$run" -U postgres -d "$dbname" "$@" ;;
  *) echo "usage: scripts/pg.sh start|stop|status|psql" >&2; exit 2 ;;
esac
