#!/usr/bin/env bash
# make bench: the full fault-injection run (bench/faults.py: 10,000 BM02 from 50 clients under
# every fault). It starts its own PostgreSQL, Redis and SMTP sink; it needs nothing running.
# Pass arguments through: bash scripts/bench.sh --submissions 3000
set -euo pipefail
cd "$(dirname "$0")/.."
command -v redis-server >/dev/null || { apt-get update -qq && apt-get install -y -qq redis-server; }
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq postgresql; }
exec .venv/bin/python bench/faults.py "$@"
