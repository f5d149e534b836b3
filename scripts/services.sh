#!/usr/bin/env bash
# PostgreSQL 15 and Redis for development, tests and CI, installed from Debian's packages when missing
# and started on loopback: Postgres on 127.0.0.1:5432 (trust for local connections, user `postgres`),
# Redis on 127.0.0.1:6379. Idempotent: services already answering are left alone. Called by `make`
# (run, test) and `.ci/run`; `scripts/services.sh stop` stops what it started.
set -euo pipefail

PG_VERSION=15
PG_PORT=5432
REDIS_PORT=6379

say() { echo "services: $*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_updated=0
apt_install() {
  if [ "$apt_updated" -eq 0 ]; then
    say "apt-get update"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    apt_updated=1
  fi
  say "installing $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

wait_for() {  # wait_for NAME COMMAND...: up to 30 s
  for _ in $(seq 1 60); do
    if "${@:2}" >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  say "$1 did not answer within 30 s"
  return 1
}

pg_answers() { pg_isready -h 127.0.0.1 -p "$PG_PORT" -q; }
pg_trusts() { psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -Atqc 'SELECT 1' </dev/null; }
redis_answers() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping | grep -q PONG; }

start_postgres() {
  if pg_answers && pg_trusts; then say "PostgreSQL already up on 127.0.0.1:$PG_PORT"; return; fi
  if [ ! -x "/usr/lib/postgresql/$PG_VERSION/bin/postgres" ]; then
    # The package creates and configures the `main` cluster; policy-rc.d-less containers may try to
    # start it, which is harmless.
    apt_install "postgresql-$PG_VERSION" "postgresql-client-$PG_VERSION"
  fi
  local conf="/etc/postgresql/$PG_VERSION/main"
  if [ ! -d "$conf" ]; then
    as_root pg_createcluster "$PG_VERSION" main --port "$PG_PORT" >/dev/null
  fi
  # Development trust: local sockets and loopback TCP need no password (never use this in production).
  if ! grep -q '^# careerstream: trust loopback' "$conf/pg_hba.conf"; then
    as_root tee "$conf/pg_hba.conf" >/dev/null <<EOF
# careerstream: trust loopback (development and CI only)
local   all   all                  trust
host    all   all   127.0.0.1/32   trust
host    all   all   ::1/128        trust
EOF
  fi
  # Tests and benches open many connections at once (API workers, pools, load tests).
  as_root mkdir -p "$conf/conf.d"
  as_root tee "$conf/conf.d/careerstream.conf" >/dev/null <<EOF
listen_addresses = '127.0.0.1'
port = $PG_PORT
max_connections = 400
EOF
  if pg_answers; then
    as_root pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" main reload
  else
    say "starting PostgreSQL $PG_VERSION"
    as_root pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" main start
  fi
  wait_for PostgreSQL pg_answers
  wait_for "PostgreSQL (trust auth)" pg_trusts
  say "PostgreSQL up on 127.0.0.1:$PG_PORT"
}

start_redis() {
  if command -v redis-cli >/dev/null && redis_answers; then say "Redis already up on 127.0.0.1:$REDIS_PORT"; return; fi
  if ! command -v redis-server >/dev/null; then
    apt_install redis-server
  fi
  say "starting Redis"
  # No persistence: every Redis key is a read model or a cache, rebuilt from Postgres or the log.
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
    --maxclients 20000 --logfile /tmp/careerstream-redis.log
  wait_for Redis redis_answers
  say "Redis up on 127.0.0.1:$REDIS_PORT"
}

stop_all() {
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  as_root pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" main stop >/dev/null 2>&1 || true
  say "stopped"
}

case "${1:-start}" in
  start) start_postgres; start_redis ;;
  stop) stop_all ;;
  *) echo "usage: $0 [start|stop]" >&2; exit 2 ;;
esac
