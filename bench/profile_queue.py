"""Where a page's time goes: pyinstrument (else cProfile) over repeated requests, in-process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_perf \\
    REDIS_URL=redis://127.0.0.1:6379/13 .venv/bin/python bench/profile_queue.py \\
        [--path /accounts/queue/] [--user mtt_office] [-n 200]

Prints the mean time per request, its SQL time and query count, then the profile (pyinstrument's
call tree, or cProfile's top 40 by cumulative time when pyinstrument is not installed).
Uses the data set of bench/data.py and the settings of bench/settings.py (DEBUG off).
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import setup_django  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--path", default="/accounts/queue/")
    parser.add_argument("--user", default="mtt_office", help="log-in ('' for anonymous)")
    parser.add_argument("-n", type=int, default=200)
    args = parser.parse_args()
    setup_django()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    if args.user:
        client.force_login(get_user_model().objects.get(username=args.user))
    for _ in range(10):  # warm: caches, compiled templates, the connection
        assert client.get(args.path).status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        client.get(args.path)
    sql_ms = sum(float(q["time"]) for q in ctx.captured_queries) * 1000
    started = time.perf_counter()
    for _ in range(args.n):
        client.get(args.path)
    per = (time.perf_counter() - started) * 1000 / args.n
    print(
        f"{args.path}: {per:.2f} ms per request in-process, "
        f"{len(ctx.captured_queries)} queries taking {sql_ms:.2f} ms"
    )
    try:
        from pyinstrument import Profiler
    except ImportError:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.n):
            client.get(args.path)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
        return
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(args.n):
        client.get(args.path)
    profiler.stop()
    print(profiler.output_text(unicode=True, color=False, show_all=False))


if __name__ == "__main__":
    main()
