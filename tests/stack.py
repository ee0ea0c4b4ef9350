"""The production stack of scripts/stack.sh, started by tests: on free ports, on a database of its
own, under var/ (readable by nginx's unprivileged workers, which serve the media files).

    with running_stack() as stack:
        response, body = stack.request("GET", "/healthz")
"""

import contextlib
import http.client
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parents[1]
STACK = ROOT / "scripts" / "stack.sh"
# The client's own address: everything runs on the loopback, so tests talk to nginx from
# 127.0.0.2 and nginx talks to the replicas from 127.0.0.1; the two can then be told apart.
CLIENT_ADDRESS = "127.0.0.2"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stack_sh(*args, env, timeout=240):
    return subprocess.run(
        ["bash", str(STACK), *args], env=env, capture_output=True, text=True, timeout=timeout
    )


class Stack:
    def __init__(self, directory: Path, port: int, env: dict):
        self.dir, self.port, self.env = directory, port, env

    def request(self, method, path, body=None, headers=None, source=CLIENT_ADDRESS):
        conn = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=30, source_address=(source, 0)
        )
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response, response.read()
        finally:
            conn.close()

    def log_lines(self, pattern: str, containing: str, wait: float = 5.0) -> list[str]:
        deadline = time.monotonic() + wait
        while True:
            lines = [
                line
                for log in sorted((self.dir / "log").glob(pattern))
                for line in log.read_text(errors="replace").splitlines()
                if containing in line
            ]
            if lines or time.monotonic() > deadline:
                return lines
            time.sleep(0.2)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def manage(self, *args: str) -> str:
        """Runs manage.py against the stack's database and settings (as its processes do)."""
        result = stack_sh("manage", *args, env=self.env, timeout=120)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def login(self, username: str, password: str) -> str:
        """Logs in through the form, as a browser would; returns the Cookie header to send."""
        response, body = self.request("GET", "/login/")
        cookies = _cookies(response)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
        form = urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token})
        response, body = self.request(
            "POST",
            "/login/",
            body=form,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
            },
        )
        assert response.status == 302, (response.status, body[:500])
        cookies.update(_cookies(response))
        return "; ".join(f"{k}={v}" for k, v in cookies.items())

    def pids(self) -> dict[str, int]:
        return {p.stem: int(p.read_text()) for p in (self.dir / "run").glob("*.pid")}

    def logs_tail(self) -> str:
        return "\n".join(
            f"--- {log.name}\n" + "\n".join(log.read_text(errors="replace").splitlines()[-15:])
            for log in sorted((self.dir / "log").glob("*.log"))
        )


def _cookies(response) -> dict[str, str]:
    jar = {}
    for header, value in response.getheaders():
        if header.lower() == "set-cookie":
            name, _, rest = value.partition("=")
            jar[name] = rest.split(";", 1)[0]
    return jar


def _database_url_named(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def _admin_conn(url: str):
    return psycopg.connect(_database_url_named(url, "postgres"), autocommit=True)


@contextlib.contextmanager
def running_stack():
    base_url = os.environ["DATABASE_URL"]
    db_name = f"{urlsplit(base_url).path.lstrip('/')}_stack_{uuid.uuid4().hex[:6]}"
    with _admin_conn(base_url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{db_name}"')
    (ROOT / "var").mkdir(exist_ok=True)
    directory = Path(tempfile.mkdtemp(prefix="stack-test-", dir=ROOT / "var"))
    directory.chmod(0o755)
    port = free_port()
    dropped = ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE", "MEDIA_ROOT")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(
        DATABASE_URL=_database_url_named(base_url, db_name),
        STACK_DIR=str(directory),
        STACK_PORT=str(port),
        STACK_WEB_PORTS=f"{free_port()} {free_port()}",
        # Two cores on the CI machine: one gunicorn worker per replica is enough to prove it.
        STACK_WEB_WORKERS="1",
        STACK_WORKER_CONCURRENCY="1",
    )
    started = stack_sh("start", env=env)
    running = Stack(directory, port, env)
    try:
        assert started.returncode == 0, started.stdout + started.stderr + "\n" + running.logs_tail()
        yield running
    finally:
        stack_sh("stop", env=env)
        with _admin_conn(base_url) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
        shutil.rmtree(directory, ignore_errors=True)
