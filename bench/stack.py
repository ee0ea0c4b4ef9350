"""What nginx in front of the replicas costs, and how it spreads the load (scripts/stack.sh).

Starts the stack (2 replicas, STACK_WEB_WORKERS gunicorn workers each, default 2) on a database
of its own, then prints p50/p95 of the same requests sent straight to one replica and through
nginx, and the throughput of N concurrent clients through nginx with each replica's share.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench
    REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python bench/stack.py [--n 300] [--clients 8]
"""

import argparse
import http.client
import os
import statistics
import sys
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import pct  # noqa: E402
from tests.stack import running_stack  # noqa: E402


def timed_get(port: int, path: str) -> tuple[float, str | None]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    start = time.perf_counter()
    conn.request("GET", path, headers={"Host": "127.0.0.1", "Accept-Language": "vi"})
    response = conn.getresponse()
    response.read()
    elapsed = (time.perf_counter() - start) * 1000
    conn.close()
    if response.status != 200:
        raise SystemExit(f"GET {path} on :{port} answered {response.status}")
    return elapsed, response.getheader("X-Portal-Replica")


def line(name: str, samples: list[float]) -> None:
    print(
        f"{name:<46} p50 {statistics.median(samples):7.2f} ms   p95 {pct(samples, 95):7.2f} ms"
        f"   n={len(samples)}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    os.environ.setdefault("STACK_WEB_WORKERS", "2")
    with running_stack() as stack:
        replica_port = int(stack.env["STACK_WEB_PORTS"].split()[0])
        print(f"stack up: nginx :{stack.port}, replicas {stack.env['STACK_WEB_PORTS']}")
        for path in ("/healthz", "/", "/accounts/apply/student/"):
            for _ in range(20):  # warm every worker
                timed_get(stack.port, path)
            direct = [timed_get(replica_port, path)[0] for _ in range(args.n)]
            proxied = [timed_get(stack.port, path)[0] for _ in range(args.n)]
            line(f"GET {path} straight to web1", direct)
            line(f"GET {path} through nginx", proxied)
            extra = statistics.median(proxied) - statistics.median(direct)
            print(f"{'':<46} nginx adds {extra:+.2f} ms at the median")

        served, samples, lock = Counter(), [], threading.Lock()
        stop_at = time.monotonic() + args.seconds

        def client():
            while time.monotonic() < stop_at:
                elapsed, replica = timed_get(stack.port, "/accounts/apply/student/")
                with lock:
                    served[replica] += 1
                    samples.append(elapsed)

        threads = [threading.Thread(target=client) for _ in range(args.clients)]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.monotonic() - started
        total = sum(served.values())
        print(
            f"{args.clients} clients through nginx, BM02 form page: {total / wall:.1f} req/s, "
            f"p50 {statistics.median(samples):.1f} ms, p95 {pct(samples, 95):.1f} ms; "
            + ", ".join(f"{name} {count / total:.0%}" for name, count in sorted(served.items()))
        )


if __name__ == "__main__":
    main()
