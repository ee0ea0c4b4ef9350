"""The hot pages under load, each beside its floor measured in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_perf \\
    REDIS_URL=redis://127.0.0.1:6379/13 .venv/bin/python bench/pages.py \\
        [--requests 1000000] [--only queue,answers] [--duration 10]

The data set comes from bench/data.py (generated once, kept). The portal runs under gunicorn
with 2 sync workers, DEBUG off (bench/settings.py). Each page and its floor (bench/urls.py: one
indexed query for the same rows, a minimal template) are loaded with `wrk -t2 -c4 -d10s` after a
2 s warm-up (or, without wrk, a Python loop with 4 client threads), and each line prints p50,
p99, req/s, the page's SQL queries (one request, in-process) and the ratio of p50s:

    queue/floor p50=1.6×   …
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Server, setup_django  # noqa: E402


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def wrk(url: str, cookie: str, duration: int) -> dict:
    args = ["wrk", "-t2", "-c4", "--latency", "-H", "Host: 127.0.0.1"]
    if cookie:
        args += ["-H", f"Cookie: {cookie}"]
    subprocess.run([*args, "-d2s", url], capture_output=True, check=True)  # warm-up
    out = subprocess.run([*args, f"-d{duration}s", url], capture_output=True, text=True).stdout
    lat = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", out, re.M))
    if "50" not in lat:
        raise SystemExit(f"wrk {url}: no latency in its output:\n{out}")
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        raise SystemExit(f"{url}: {non2xx.group(1)} answers were not 2xx/3xx")
    return {
        "p50": _ms(lat["50"]),
        "p99": _ms(lat["99"]),
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
    }


def python_load(server: Server, path: str, cookie: str, duration: int) -> dict:
    """wrk's measurement without wrk: 4 threads, each one request at a time."""
    headers = {"Cookie": cookie} if cookie else {}
    samples: list[float] = []
    lock = threading.Lock()

    def client(until):
        while time.monotonic() < until:
            start = time.perf_counter()
            status, _ = server.request("GET", path, headers={**headers, "Host": "127.0.0.1"})
            took = (time.perf_counter() - start) * 1000
            if status != 200:
                raise SystemExit(f"{path} answered {status}")
            with lock:
                samples.append(took)

    for seconds in (2, duration):  # warm-up, then the measured run
        samples.clear()
        threads = [
            threading.Thread(target=client, args=(time.monotonic() + seconds,)) for _ in range(4)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    ordered = sorted(samples)
    return {
        "p50": statistics.median(ordered),
        "p99": ordered[int(0.99 * (len(ordered) - 1))],
        "rps": len(ordered) / duration,
    }


def count_queries(path: str, username: str | None) -> int:
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    if username:
        client.force_login(get_user_model().objects.get(username=username))
    client.get(path)  # the first request fills what the page caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    del cache
    return len(ctx.captured_queries)


def cookie_for(username: str | None) -> str:
    if not username:
        return ""
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return f"sessionid={client.cookies['sessionid'].value}"


# (name, path, log-in, floor name, floor path)
PAGES = {
    "queue": [
        ("queue", "/accounts/queue/", "mtt_office", "floor", "/bench/floor/queue"),
        ("queue-search", "/accounts/queue/?q=nguyen+thi", "mtt_office", "floor", None),
        ("queue-all", "/accounts/queue/?status=", "mtt_office", "floor", None),
    ],
    "apply": [("apply", "/accounts/apply/student/", None, "bare", "/bench/bare")],
    "directory": [
        (
            "directory-search",
            "/directory/search/?q=tuyen+sinh",
            None,
            "floor",
            "/bench/floor/people?q=tuyen+sinh",
        )
    ],
    "answers": [
        ("answers", "/dialogue/answers/", None, "floor", "/bench/floor/answers"),
        (
            "answers-search",
            "/dialogue/answers/?q=hoc+phi",
            None,
            "floor",
            "/bench/floor/answers?q=hoc+phi",
        ),
    ],
    "responder": [
        ("responder", "/dialogue/to-answer/", "responder", "floor", "/bench/floor/responder")
    ],
    "bm03": [("bm03", "/accounts/report/", "mtt_head", "floor", "/bench/floor/report")],
    "dashboard": [
        ("dashboard", "/dialogue/committee/", "committee", "floor", "/bench/floor/dashboard")
    ],
}


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=100_000, help="account requests (N)")
    parser.add_argument("--only", default="", help=f"comma-separated subset of {list(PAGES)}")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per page")
    args = parser.parse_args(argv)
    from bench.data import build

    build(n_requests=args.requests)
    setup_django()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM accounts_accountrequest")
        n = cursor.fetchone()[0]
    groups = [g for g in (args.only.split(",") if args.only else PAGES) if g]
    use_wrk = shutil.which("wrk") is not None
    print(
        f"pages: N = {n:,} account requests; gunicorn 2 sync workers, DEBUG off; "
        + (f"wrk -t2 -c4 -d{args.duration}s after a 2 s warm-up" if use_wrk else "Python load")
        + f"; load average {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    with Server(workers=2) as server:
        base = f"http://127.0.0.1:{server.port}"

        def load(path, cookie):
            if use_wrk:
                return wrk(base + path, cookie, args.duration)
            return python_load(server, path, cookie, args.duration)

        for group in groups:
            floor = None
            for name, path, user, floor_name, floor_path in PAGES[group]:
                cookie = cookie_for(user)
                if floor_path:
                    floor = load(floor_path, "")
                page = load(path, cookie)
                queries = count_queries(path, user)
                ratio = page["p50"] / floor["p50"]
                print(
                    f"{name + '/' + floor_name:<26} p50={ratio:4.1f}×   "
                    f"p50 {page['p50']:7.2f} ms  p99 {page['p99']:7.2f} ms  "
                    f"{page['rps']:7.1f} req/s  {queries:2d} queries   "
                    f"({floor_name} p50 {floor['p50']:.2f} ms, {floor['rps']:.0f} req/s)   "
                    f"{path}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
