#!/usr/bin/env bash
# The production topology of docker-compose.yml, without containers, all on 127.0.0.1:
#
#   client → nginx :STACK_PORT (Debian's nginx; config from scripts/nginx.conf.template)
#              ├→ web1 gunicorn :port1 ┐
#              └→ web2 gunicorn :port2 ┴→ PostgreSQL (DATABASE_URL), Redis (REDIS_URL)
#            worker (Celery) and one beat (Celery) on the same PostgreSQL and Redis
#
#   scripts/stack.sh start      migrate once (compose's `migrate` service), then the replicas,
#                               the worker, beat and nginx; waits until /healthz answers through nginx
#   scripts/stack.sh stop       stops exactly what `start` started (the pid files under var/stack/run)
#   scripts/stack.sh rollout    a new version without downtime: migrate, then each replica in turn,
#                               then the worker and beat
#   scripts/stack.sh status     each process and /healthz through nginx; exit 0 when all are up
#   scripts/stack.sh manage …   manage.py with the stack's settings, e.g. `manage createsuperuser`
#   scripts/stack.sh services   the services it runs, in docker-compose.yml's names (tests compare)
#
# Settings (environment): DATABASE_URL, REDIS_URL (default: the local servers), STACK_DIR
# (var/stack), STACK_PORT (8080), STACK_WEB_PORTS ("8001 8002": one replica per port),
# STACK_WEB_WORKERS (2 gunicorn workers per replica), STACK_WORKER_CONCURRENCY (2).
# The portal runs with DEBUG=False as in production, but over plain HTTP on the loopback
# (no TLS redirect, no secure-only cookies); SECRET_KEY is generated once under STACK_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PY=${PYTHON:-$ROOT/.venv/bin/python}
STACK_DIR=${STACK_DIR:-$ROOT/var/stack}
RUN=$STACK_DIR/run
LOGS=$STACK_DIR/log
NGINX_DIR=$STACK_DIR/nginx
STACK_PORT=${STACK_PORT:-8080}
read -r -a WEB_PORTS <<<"${STACK_WEB_PORTS:-8001 8002}"
WEB_WORKERS=${STACK_WEB_WORKERS:-2}
WORKER_CONCURRENCY=${STACK_WORKER_CONCURRENCY:-2}

export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/portal}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}

usage() { echo "usage: $0 start|stop|status|services|rollout|manage ARGS" >&2; exit 2; }

# The services in docker-compose.yml's names: name, how many, and what it is here.
services() {
  echo "postgres 1 external DATABASE_URL"
  echo "redis 1 external REDIS_URL"
  echo "migrate 1 once manage.py-migrate"
  echo "web ${#WEB_PORTS[@]} long-running gunicorn:$(IFS=,; echo "${WEB_PORTS[*]}")"
  echo "worker 1 long-running celery-worker"
  echo "beat 1 long-running celery-beat"
  echo "nginx 1 long-running 127.0.0.1:$STACK_PORT"
}

portal_env() {
  # Production settings, minus TLS: the stack listens on the loopback only.
  export DEBUG=False
  if [ -z "${SECRET_KEY:-}" ]; then
    if [ ! -s "$STACK_DIR/secret_key" ]; then
      (umask 077; "$PY" -c "import secrets; print(secrets.token_urlsafe(50))" >"$STACK_DIR/secret_key")
    fi
    SECRET_KEY=$(cat "$STACK_DIR/secret_key")
    export SECRET_KEY
  fi
  export ALLOWED_HOSTS=${ALLOWED_HOSTS:-127.0.0.1,localhost}
  export SECURE_SSL_REDIRECT=False SESSION_COOKIE_SECURE=False CSRF_COOKIE_SECURE=False
  export SECURE_HSTS_SECONDS=0
  export TRUSTED_PROXY_COUNT=1
  export PROTECTED_MEDIA_ACCEL_PREFIX=${PROTECTED_MEDIA_ACCEL_PREFIX:-/protected-media}
  export MEDIA_ROOT=${MEDIA_ROOT:-$STACK_DIR/media}
  export VAR_DIR=$STACK_DIR
  export PORTAL_BASE_URL=${PORTAL_BASE_URL:-http://127.0.0.1:$STACK_PORT}
}

alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

http_code() {  # http_code URL → the status code, or 000 when nothing answers (no curl needed)
  "$PY" - "$1" <<'PYEOF' 2>/dev/null || echo 000
import sys, urllib.error, urllib.request
try:
    print(urllib.request.urlopen(sys.argv[1], timeout=5).status)
except urllib.error.HTTPError as exc:
    print(exc.code)
PYEOF
}

wait_http() {  # wait_http URL SECONDS → 0 when it answers 200
  local url=$1 deadline=$((SECONDS + $2))
  while [ $SECONDS -lt $deadline ]; do
    [ "$(http_code "$url")" = 200 ] && return 0
    sleep 0.5
  done
  return 1
}

ensure_packages() {  # Debian's nginx, and envsubst (gettext-base) to render the template
  PATH=$PATH:/usr/sbin
  local need=()
  command -v nginx >/dev/null || need+=(nginx)
  command -v envsubst >/dev/null || need+=(gettext-base)
  [ ${#need[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "== installing ${need[*]} (Debian packages)"
    (apt-get update -qq || true) >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "!! ${need[*]} missing and cannot be installed (not root)" >&2; return 1
  fi
}

render_nginx() {
  local upstream="" port
  for port in "${WEB_PORTS[@]}"; do upstream+="server 127.0.0.1:$port max_fails=1 fail_timeout=5s; "; done
  mkdir -p "$NGINX_DIR/tmp"
  # The same variables docker-compose.yml gives the nginx image; only these are replaced.
  NGINX_LISTEN="127.0.0.1:$STACK_PORT" NGINX_SERVER_NAME="127.0.0.1 localhost" \
    NGINX_UPSTREAM="$upstream" NGINX_MEDIA_ROOT="$MEDIA_ROOT" \
    NGINX_ERROR_PAGES="$ROOT/static/errors" NGINX_ACCESS_LOG="$LOGS/nginx.access.log" \
    envsubst '${NGINX_LISTEN} ${NGINX_SERVER_NAME} ${NGINX_UPSTREAM} ${NGINX_MEDIA_ROOT} ${NGINX_ERROR_PAGES} ${PROTECTED_MEDIA_ACCEL_PREFIX} ${NGINX_ACCESS_LOG}' \
    <"$ROOT/scripts/nginx.conf.template" >"$NGINX_DIR/portal.conf"
  # What the Debian package's /etc/nginx/nginx.conf would say, but every path under STACK_DIR.
  cat >"$NGINX_DIR/nginx.conf" <<EOF
worker_processes 1;
pid $RUN/nginx.pid;
error_log $LOGS/nginx.error.log warn;
events { worker_connections 512; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    # The access log's format (secrets redacted) is the template's: portal_redacted.
    sendfile on;
    client_body_temp_path $NGINX_DIR/tmp/body;
    proxy_temp_path $NGINX_DIR/tmp/proxy;
    fastcgi_temp_path $NGINX_DIR/tmp/fastcgi;
    uwsgi_temp_path $NGINX_DIR/tmp/uwsgi;
    scgi_temp_path $NGINX_DIR/tmp/scgi;
    include $NGINX_DIR/portal.conf;
}
EOF
}

migrate_once() {
  # compose's one-off `migrate` service: before any replica (re)starts, never by a replica.
  echo "== migrate"
  "$PY" manage.py migrate --noinput >"$LOGS/migrate.log" 2>&1 || { tail -20 "$LOGS/migrate.log" >&2; return 1; }
  "$PY" manage.py collectstatic --noinput >"$LOGS/collectstatic.log" 2>&1 ||
    { tail -20 "$LOGS/collectstatic.log" >&2; return 1; }
}

start_web() {  # start_web N PORT
  echo "== web$1: gunicorn on 127.0.0.1:$2"
  PORTAL_REPLICA=web$1 "$PY" -m gunicorn portal.wsgi:application --bind "127.0.0.1:$2" \
    --workers "$WEB_WORKERS" --daemon --pid "$RUN/web$1.pid" --chdir "$ROOT" \
    --access-logfile "$LOGS/web$1.access.log" --error-logfile "$LOGS/web$1.log" \
    --logger-class portal.accesslog.Logger
  wait_http "http://127.0.0.1:$2/healthz" 60 || { echo "!! web$1 did not answer" >&2; tail -20 "$LOGS/web$1.log" >&2; return 1; }
}

start_celery() {  # start_celery worker|beat
  rm -f "$RUN/$1.pid"
  if [ "$1" = worker ]; then
    "$PY" -m celery --workdir "$ROOT" -A portal worker --detach --hostname "worker@stack" \
      --concurrency "$WORKER_CONCURRENCY" --pidfile "$RUN/worker.pid" --logfile "$LOGS/worker.log" \
      --loglevel INFO
  else
    "$PY" -m celery --workdir "$ROOT" -A portal beat --detach --pidfile "$RUN/beat.pid" \
      --logfile "$LOGS/beat.log" --loglevel INFO --schedule "$STACK_DIR/celerybeat-schedule"
  fi
  # Celery writes its pid file once it has detached.
  local deadline=$((SECONDS + 30))
  until alive "$RUN/$1.pid"; do
    [ $SECONDS -lt $deadline ] || { echo "!! Celery $1 did not start" >&2; tail -20 "$LOGS/$1.log" >&2; return 1; }
    sleep 0.5
  done
}

start() {
  mkdir -p "$RUN" "$LOGS" "$STACK_DIR"
  local pid
  for pid in "$RUN"/*.pid; do
    if alive "$pid"; then echo "!! already running ($(basename "$pid" .pid)); run: $0 stop" >&2; exit 1; fi
  done
  rm -f "$RUN"/*.pid
  ensure_packages
  portal_env
  mkdir -p "$MEDIA_ROOT"
  migrate_once || exit 1
  local i=0 port
  for port in "${WEB_PORTS[@]}"; do
    i=$((i + 1))
    start_web "$i" "$port" || { stop; exit 1; }
  done
  echo "== worker and beat (Celery)"
  start_celery worker || { stop; exit 1; }
  start_celery beat || { stop; exit 1; }
  echo "== nginx on 127.0.0.1:$STACK_PORT"
  render_nginx
  nginx -t -q -e "$LOGS/nginx.error.log" -p "$NGINX_DIR" -c "$NGINX_DIR/nginx.conf"
  nginx -e "$LOGS/nginx.error.log" -p "$NGINX_DIR" -c "$NGINX_DIR/nginx.conf"
  wait_http "http://127.0.0.1:$STACK_PORT/healthz" 30 || { echo "!! nginx did not answer" >&2; stop; exit 1; }
  echo "== up: http://127.0.0.1:$STACK_PORT/ (logs in $LOGS)"
}

rollout() {
  # A new version without downtime: migrations first (the release still running must work on
  # the new schema), then the replicas one at a time, each answering again before the next one
  # goes (nginx sends the requests to the others meanwhile), then the worker (a warm shutdown
  # finishes its tasks; unacknowledged ones go back to the queue) and beat.
  alive "$RUN/nginx.pid" || { echo "!! the stack is not running" >&2; exit 1; }
  portal_env
  migrate_once || exit 1
  local i=0 port
  for port in "${WEB_PORTS[@]}"; do
    i=$((i + 1))
    stop_one "$RUN/web$i.pid"
    start_web "$i" "$port" || exit 1
    # nginx counts a replica that refused a connection as down for fail_timeout (5 s, in
    # render_nginx): wait it out, or the next replica's turn leaves nginx with none it will try.
    sleep 6
  done
  stop_one "$RUN/worker.pid"
  start_celery worker || exit 1
  stop_one "$RUN/beat.pid"
  start_celery beat || exit 1
  echo "== rolled out"
}

stop_one() {  # stop_one PIDFILE: TERM (each server's graceful stop), KILL after 30 s
  local file=$1 pid
  pid=$(cat "$file" 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + 30))
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    echo "stopped $(basename "$file" .pid) ($pid)"
  fi
  rm -f "$file"
}

stop() {
  [ -d "$RUN" ] || return 0
  local file
  # The door first, so no request reaches a replica that is going away.
  [ -e "$RUN/nginx.pid" ] && stop_one "$RUN/nginx.pid"
  for file in "$RUN"/web*.pid "$RUN"/beat.pid "$RUN"/worker.pid "$RUN"/*.pid; do
    [ -e "$file" ] && stop_one "$file"
  done
  return 0
}

status() {
  local file name up=0 down=0
  for file in "$RUN"/*.pid; do
    [ -e "$file" ] || continue
    name=$(basename "$file" .pid)
    if alive "$file"; then echo "$name $(cat "$file") running"; up=$((up + 1));
    else echo "$name - stopped"; down=$((down + 1)); fi
  done
  [ $up -gt 0 ] || { echo "stack: not running"; return 3; }
  local code
  code=$(http_code "http://127.0.0.1:$STACK_PORT/healthz")
  echo "healthz $code"
  [ $down -eq 0 ] && [ "$code" = 200 ]
}

case "${1:-}" in
  start) start ;;
  rollout) rollout ;;
  manage) shift; mkdir -p "$STACK_DIR"; portal_env; exec "$PY" manage.py "$@" ;;
  stop) stop ;;
  status) status ;;
  services) services ;;
  *) usage ;;
esac
