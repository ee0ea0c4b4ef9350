"""Real servers a test starts and stops itself: Redis on a spare port, an SMTP sink.

redis = PrivateRedis(tmp_path); redis.start(); …; redis.stop()
with SmtpSink() as sink: …; sink.messages  # every message the server accepted
"""

import shutil
import socket
import subprocess
import threading
import time
from contextlib import contextmanager
from email import message_from_bytes


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, seconds: float = 10, what: str = "server") -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not start on port {port}")


class PrivateRedis:
    """A redis-server of the test's own on a spare port, which the test stops and starts."""

    def __init__(self, tmp_path):
        self.port = free_port()
        self.dir = tmp_path
        self.proc = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.proc = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.dir),
            ],
            stdout=subprocess.DEVNULL,
        )
        wait_for_port(self.port, what="redis-server")

    def stop(self):
        if self.proc:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.proc = None


class SmtpSink:
    """An aiosmtpd server on a spare port that keeps every message it accepts."""

    def __init__(self):
        self.port = free_port()
        self.messages = []
        self._lock = threading.Lock()
        self._controller = None

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 — aiosmtpd's hook name
        with self._lock:
            self.messages.append(message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"

    def __enter__(self):
        from aiosmtpd.controller import Controller

        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def __exit__(self, *exc):
        self._controller.stop()


@contextmanager
def database_down():
    """PostgreSQL as a restart looks to the portal: every new connection is refused until the
    block ends (the connection settings point at a port where nothing listens); then the
    portal reconnects by itself."""
    from django.db import connection

    saved = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = str(free_port())
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["PORT"] = saved
