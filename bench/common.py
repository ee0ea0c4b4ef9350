"""Shared helpers for the benchmarks: a gunicorn server, a timed client, a report.

Every benchmark prints its numbers next to the machine's baseline (a bare Django view measured
in the same run), so results read as ratios on a noisy machine.

    with Server(workers=2) as server:
        base = server.measure("/bench/bare", n=200)
        page = server.measure("/accounts/queue/", n=200, cookies=session_cookie)
        report("queue page", page, base)
"""

import http.client
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, workers: int = 2):
        self.workers = workers
        self.port = free_port()
        self.proc = None

    def __enter__(self):
        (ROOT / "staticfiles").mkdir(exist_ok=True)  # whitenoise warns once per worker without it
        # PYTHONWARNINGS: whitenoise's "No directory at staticfiles/" once per worker.
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "PYTHONWARNINGS": "ignore::UserWarning",
        }
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "portal.wsgi:application",
                "-w",
                str(self.workers),
                "-b",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.1)
        self.measure("/bench/bare", n=20)  # warm both workers
        return self

    def __exit__(self, *exc):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        conn.close()
        return response.status, data

    def measure(
        self, path, n=200, cookies="", method="GET", body=None, headers=None, expect=200
    ) -> list[float]:
        headers = {**(headers or {}), "Host": "127.0.0.1"}
        if cookies:
            headers["Cookie"] = cookies
        samples = []
        for _ in range(n):
            start = time.perf_counter()
            status, _data = self.request(method, path, body=body, headers=headers)
            samples.append((time.perf_counter() - start) * 1000)
            if status != expect:
                raise SystemExit(f"{method} {path} answered {status}, expected {expect}")
        return samples


def pct(samples, q):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def report(name, samples, baseline=None):
    p50, p95 = statistics.median(samples), pct(samples, 95)
    line = f"{name:<40} p50 {p50:8.2f} ms   p95 {p95:8.2f} ms   n={len(samples)}"
    if baseline:
        b50 = statistics.median(baseline)
        line += f"   ({p50 / b50:5.1f}× the bare view's p50 {b50:.2f} ms)"
    print(line, flush=True)
    return p50, p95
