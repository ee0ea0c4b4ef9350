"""A real IMAP server for the tests: Debian's Dovecot, run from a generated configuration under a
temporary directory, on a free port, with one passwd-file user and maildir storage; stopped after.
"""

import os
import pwd
import shutil
import socket
import subprocess
import time
from pathlib import Path

CONFIG = """
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
instance_name = portal-test-{port}
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{root}/mail/%u
first_valid_uid = {uid}
last_valid_uid = {uid}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service stats {{
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""


def install_dovecot():
    if shutil.which("dovecot") or Path("/usr/sbin/dovecot").exists():
        return
    if os.geteuid() != 0:
        raise RuntimeError("Dovecot is missing: apt-get install -y dovecot-imapd")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "dovecot-imapd"], check=True, env=env)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Dovecot:
    def __init__(self, root: Path, user="mtt", password="mtt-secret-1"):  # noqa: S107
        self.root, self.user, self.password = root, user, password
        self.port = _free_port()
        account = pwd.getpwnam("nobody") if os.geteuid() == 0 else pwd.getpwuid(os.geteuid())
        self.uid, self.gid = account.pw_uid, account.pw_gid
        self.config = root / "dovecot.conf"

    @property
    def url(self) -> str:
        return f"imap://{self.user}:{self.password}@127.0.0.1:{self.port}/"

    def start(self):
        for sub in ("run", "state", "mail", "home"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        for sub in ("mail", "home"):
            os.chown(self.root / sub, self.uid, self.gid) if os.geteuid() == 0 else None
        os.chmod(self.root, 0o755)
        (self.root / "passwd").write_text(f"{self.user}:{{PLAIN}}{self.password}::::::\n")
        self.config.write_text(
            CONFIG.format(root=self.root, port=self.port, uid=self.uid, gid=self.gid)
        )
        binary = shutil.which("dovecot") or "/usr/sbin/dovecot"
        subprocess.run([binary, "-c", str(self.config)], check=True)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    if s.recv(100).startswith(b"* OK"):
                        return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError((self.root / "dovecot.log").read_text(errors="replace"))

    def stop(self):
        binary = shutil.which("dovecot") or "/usr/sbin/dovecot"
        subprocess.run([binary, "-c", str(self.config), "stop"], check=False)

    def deliver(self, raw: bytes, folder="INBOX"):
        """Put a message in the mailbox as the MTA would (IMAP APPEND)."""
        from imap_tools import MailBoxUnencrypted

        with MailBoxUnencrypted("127.0.0.1", self.port).login(self.user, self.password) as box:
            box.append(raw, folder)
