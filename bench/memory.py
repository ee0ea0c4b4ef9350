"""Time and peak memory of the bulk intake (10,000 rows) and of the 100,000-row exports.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_perf \\
    REDIS_URL=redis://127.0.0.1:6379/13 .venv/bin/python bench/memory.py [--only log-csv,bulk]

Each job runs in a process of its own (so its peak RSS is its own): the process sets Django up,
warms the page once on a small case, notes its RSS, then runs the job and prints the peak RSS
(getrusage) and how much it grew over the warm process. A streamed export grows by a few MB
whatever the number of rows; an export built in memory grows with them.
"""

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

JOBS = {
    "bulk": "bulk intake, 10,000 rows (parse, validate, create; rolled back)",
    "log-csv": "CreateEmailHUST-log export, CSV",
    "log-xlsx": "CreateEmailHUST-log export, XLSX",
    "directory-csv": "directory export, CSV (10,000 people)",
}


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _client(username):
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def _download(client, path) -> tuple[int, int]:
    """Reads the response chunk by chunk, as a browser would, without keeping it."""
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    size = chunks = 0
    for chunk in response.streaming_content if response.streaming else [response.content]:
        size += len(chunk)
        chunks += 1
    if hasattr(response, "close"):
        response.close()
    return size, chunks


def run_job(job: str) -> None:
    from bench.common import setup_django

    setup_django()
    from accounts.models import IssuanceLogEntry

    if job == "bulk":
        from bench.accounts import BULK_ROWS, bulk_upload_seconds, session_cookie

        session_cookie()  # makes the bench_office user
        from django.db import connection

        # Each run rolls back 10,000 rows of each table it writes: their dead index entries
        # slow the next run (its duplicate checks read them) until autovacuum passes.
        with connection.cursor() as cursor:
            cursor.execute(
                "VACUUM (ANALYZE) accounts_accountrequest, accounts_requestevent, "
                "portal_deadlinestep, portal_notification"
            )
        bulk_upload_seconds(20)  # warm, as a web worker is: URLs, templates, phone metadata
        base = rss_mb()
        cpu = time.process_time()
        validate_s, create_s = bulk_upload_seconds()
        cpu = time.process_time() - cpu
        detail = (
            f"{BULK_ROWS:,} rows: validate {validate_s:.2f} s + create {create_s:.2f} s = "
            f"{validate_s + create_s:.2f} s (target <= 10 s); CPU of this process {cpu:.2f} s"
        )
    else:
        user, path = {
            "log-csv": ("mtt_manager", "/accounts/log/export.csv"),
            "log-xlsx": ("mtt_manager", "/accounts/log/export.xlsx"),
            "directory-csv": ("directory_admin", "/directory/export.csv"),
        }[job]
        client = _client(user)
        _download(client, "/directory/export.csv?unit=soict-office")  # warm: imports, caches
        base = rss_mb()
        started = time.perf_counter()
        size, chunks = _download(client, path)
        rows = IssuanceLogEntry.objects.count() if job.startswith("log") else None
        detail = (
            f"{size / 1e6:.1f} MB in {chunks} chunks, {time.perf_counter() - started:.1f} s"
            + (f", {rows:,} rows" if rows else "")
        )
    peak = peak_mb()
    print(
        f"{'memory ' + job:<26} peak RSS {peak:6.0f} MB   grew {peak - base:5.0f} MB over the "
        f"warm process ({base:.0f} MB)   {detail}",
        flush=True,
    )


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--job", choices=list(JOBS), help="run one job in this process")
    parser.add_argument("--only", default="", help=f"comma-separated subset of {list(JOBS)}")
    args = parser.parse_args(argv)
    if args.job:
        run_job(args.job)
        return
    from bench.data import build

    build()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    for job in args.only.split(",") if args.only else JOBS:
        subprocess.run([sys.executable, __file__, "--job", job], check=True, env=env)


if __name__ == "__main__":
    main()
