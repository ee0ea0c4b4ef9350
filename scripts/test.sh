#!/usr/bin/env bash
# make test: lint, then the whole suite on PostgreSQL and Redis.
# Uses DATABASE_URL / REDIS_URL when set; else the local servers when they answer; else starts
# throwaway servers of its own under var/ (installing Debian's packages when root and missing),
# and stops them afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PY=.venv/bin/python
VAR=$ROOT/var
mkdir -p "$VAR"
cleanup=()
trap 'for c in "${cleanup[@]:-}"; do [ -n "$c" ] && eval "$c" || true; done' EXIT

apt_install() {
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "== installing $* (Debian packages)"
    (apt-get update -qq || true) >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  else
    echo "!! $* missing and cannot be installed (not root)"; return 1
  fi
}

tcp_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# DEBUG defaults to off (production settings); the suite runs with the development defaults,
# as it always did (pytest-django still renders pages with DEBUG off).
export DEBUG="${DEBUG:-True}"

# --- PostgreSQL -------------------------------------------------------------------------------
if [ -z "${DATABASE_URL:-}" ]; then
  if tcp_open 127.0.0.1 5432; then
    export DATABASE_URL="postgres://postgres@127.0.0.1:5432/portal"
  else
    PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
    if [ -z "$PGBIN" ]; then apt_install postgresql; PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1); fi
    PGDATA=$VAR/test-pg; PGPORT=55432
    RUNAS=()
    if [ "$(id -u)" = 0 ]; then RUNAS=(runuser -u postgres --); mkdir -p "$PGDATA"; chown postgres "$PGDATA"; fi
    if [ ! -f "$PGDATA/PG_VERSION" ]; then
      "${RUNAS[@]}" "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 >/dev/null
    fi
    echo "== starting a throwaway PostgreSQL on port $PGPORT"
    "${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" -o "-p $PGPORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off" -w -l "$PGDATA/log" start >/dev/null
    cleanup+=("${RUNAS[*]} $PGBIN/pg_ctl -D $PGDATA -m fast stop >/dev/null")
    export DATABASE_URL="postgres://postgres@127.0.0.1:$PGPORT/portal"
  fi
fi

# --- Redis ------------------------------------------------------------------------------------
if [ -z "${REDIS_URL:-}" ]; then
  if tcp_open 127.0.0.1 6379; then
    export REDIS_URL="redis://127.0.0.1:6379/0"
  else
    command -v redis-server >/dev/null || apt_install redis-server
    mkdir -p "$VAR/test-redis"
    echo "== starting a throwaway Redis on port 56379"
    redis-server --daemonize yes --bind 127.0.0.1 --port 56379 --save "" --appendonly no \
      --dir "$VAR/test-redis" --pidfile "$VAR/test-redis/redis.pid" --logfile "$VAR/test-redis/log"
    cleanup+=("kill \$(cat $VAR/test-redis/redis.pid) 2>/dev/null")
    export REDIS_URL="redis://127.0.0.1:56379/0"
  fi
fi

# --- Identity servers the sign-in tests start themselves (tests/identity/servers.py) ----------
# Debian's slapd for LDAP, Node and npm for the oidc-provider package.
ident_need=()
command -v slapd >/dev/null || [ -x /usr/sbin/slapd ] || ident_need+=(slapd ldap-utils)
command -v node >/dev/null || ident_need+=(nodejs)
command -v npm >/dev/null || ident_need+=(npm)
if [ ${#ident_need[@]} -gt 0 ]; then apt_install "${ident_need[@]}"; fi

# --- Chromium for the browser tests -----------------------------------------------------------
if [ -z "${CHROMIUM_PATH:-}" ] && ! command -v chromium >/dev/null; then apt_install chromium; fi

echo "== DATABASE_URL=${DATABASE_URL}  REDIS_URL=${REDIS_URL}"
echo "== ruff check"
.venv/bin/ruff check .
echo "== ruff format --check"
.venv/bin/ruff format --check .
echo "== pytest"
exec .venv/bin/pytest "$@"
