"""make run: the whole portal on the embedded default, in one terminal.

Migrates, loads the demo data, then starts the web server, a Celery worker and Celery beat
(SQLite and a file-system broker under var/, e-mail written to var/mail/), prints the URL and
the demo log-ins, and stops all three on Ctrl-C.
"""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from portal.demo import DEMO_PASSWORD, DEMO_USERS


class Command(BaseCommand):
    help = "Run web + Celery worker + Celery beat with demo data (the README's run command)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--no-demo", action="store_true", help="Do not load the demo data.")

    def handle(self, *args, host, port, no_demo, **options):
        call_command("migrate", interactive=False, verbosity=0)
        if not no_demo:
            call_command("loaddemo", force=True, stdout=open(os.devnull, "w"))  # noqa: SIM115
        python = sys.executable
        manage = str(settings.BASE_DIR / "manage.py")
        celery = [python, "-m", "celery", "-A", "portal"]
        processes = {
            "web": [python, manage, "runserver", f"{host}:{port}", "--noreload"],
            "worker": [*celery, "worker", "--pool=solo", "--loglevel=WARNING"],
            "beat": [
                *celery,
                "beat",
                "--loglevel=WARNING",
                "--schedule",
                str(settings.VAR_DIR / "celerybeat-schedule"),
            ],
        }
        # SIGTERM (e.g. from a supervisor) stops the three like Ctrl-C does.
        signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
        running = {
            name: subprocess.Popen(cmd, cwd=settings.BASE_DIR) for name, cmd in processes.items()
        }
        self._banner(host, port)
        try:
            while True:
                for name, proc in running.items():
                    if proc.poll() is not None:
                        self.stderr.write(f"{name} stopped (exit {proc.returncode}); stopping all.")
                        raise KeyboardInterrupt
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            for proc in running.values():
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
            for proc in running.values():
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
            self.stdout.write("Stopped web, worker and beat.")

    def _banner(self, host, port):
        shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        w = self.stdout.write
        w("")
        w(self.style.SUCCESS(f"University Office Portal: http://{shown}:{port}/"))
        w(f"  database: {settings.DATABASES['default']['NAME']}")
        mail = getattr(settings, "EMAIL_FILE_PATH", "SMTP")
        w(f"  broker:   {settings.CELERY_BROKER_URL}   e-mail: {mail}")
        w(f"  health:   http://{shown}:{port}/healthz")
        w(f"Demo log-ins (password {DEMO_PASSWORD} for all):")
        for username, full_name, roles in DEMO_USERS:
            label = ", ".join(r.value for r in roles) or "superuser (admin at /admin/)"
            w(f"  {username:<16} {full_name:<20} {label}")
        w("Ctrl-C stops web, worker and beat.")
        w("")
