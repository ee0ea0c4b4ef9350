"""The embedded default (SQLite under var/) stays calm with web, worker and beat as separate
processes writing to one file (issue 12 §12): WAL, a busy timeout, IMMEDIATE transactions."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

WRITER = """
import django, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
django.setup()
from django.db import connection, transaction
with connection.cursor() as c:
    c.execute("CREATE TABLE IF NOT EXISTS t (n INTEGER)")
errors = 0
for i in range(int(sys.argv[1])):
    try:
        with transaction.atomic():
            with connection.cursor() as c:
                c.execute("SELECT count(*) FROM t")  # read first, as a service does
                (n,) = c.fetchone()
                c.execute("INSERT INTO t (n) VALUES (%s)", [n + 1])
    except Exception as exc:
        errors += 1
        print("ERROR", exc, file=sys.stderr)
with connection.cursor() as c:
    c.execute("PRAGMA journal_mode")
    print("journal_mode", c.fetchone()[0])
print("errors", errors)
"""


def _env(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    env["VAR_DIR"] = str(tmp_path)
    return env


def test_three_processes_writing_to_the_embedded_database_never_see_database_is_locked(
    tmp_path,
):
    env = _env(tmp_path)
    # The table first, so the three writers start on the same footing.
    subprocess.run([sys.executable, "-c", WRITER, "0"], cwd=ROOT, env=env, check=True)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, "150"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    outputs = [p.communicate(timeout=300) for p in procs]
    for out, err in outputs:
        assert "database is locked" not in err, err[-2000:]
        assert "errors 0" in out, out + err[-2000:]
        assert "journal_mode wal" in out
