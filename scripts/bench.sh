#!/usr/bin/env bash
# make bench: every benchmark (bench/run.py), or the parts named, ending with the ratio lines.
#   bash scripts/bench.sh                       # pages (N = 100,000), pages-1m, memory, sweep, faults
#   bash scripts/bench.sh pages memory          # a subset
#   bash scripts/bench.sh pages --only queue    # options after a part go to that part
#   bash scripts/bench.sh faults --submissions 3000
# The page, memory and sweep benchmarks use DATABASE_URL/REDIS_URL (default: the local servers,
# databases portal_bench and portal_bench_1m, generated once by bench/data.py and kept). The
# fault run starts its own PostgreSQL, Redis and SMTP sink. wrk drives the page load when it is
# installed (Debian's package), else a Python loop of 4 clients.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v redis-server >/dev/null || { apt-get update -qq && apt-get install -y -qq redis-server; }
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq postgresql; }
command -v wrk >/dev/null || { [ "$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null 2>&1; } || true
exec .venv/bin/python bench/run.py "$@"
