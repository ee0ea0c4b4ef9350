"""A throwaway OpenLDAP server (Debian's slapd) for the LDAP provisioning tests and the benchmark.

Started by the test run itself: installs `slapd` and `ldap-utils` when missing (as root, on
Debian), writes a slapd.conf under a temporary directory (never the system's /etc/ldap), listens
on a free port of 127.0.0.1 and is stopped afterwards. The ppolicy overlay is loaded so that an
entry can carry `pwdReset: TRUE` (the password must be changed at first sign-in).
"""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

BASE_DN = "dc=hust,dc=edu,dc=vn"
PEOPLE_DN = f"ou=people,{BASE_DN}"
ADMIN_DN = f"cn=admin,{BASE_DN}"
ADMIN_PASSWORD = "slapd-test-secret"
POLICY_DN = f"cn=default,ou=policies,{BASE_DN}"
SCHEMA_DIR = Path("/etc/ldap/schema")
MODULE_DIR = Path("/usr/lib/ldap")


def _slapd_binary() -> str:
    for candidate in (shutil.which("slapd"), "/usr/sbin/slapd"):
        if candidate and Path(candidate).exists():
            return candidate
    if os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], env=env, check=False, capture_output=True)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "slapd", "ldap-utils"],
            env=env,
            check=True,
            capture_output=True,
        )
        return "/usr/sbin/slapd"
    raise RuntimeError("slapd is not installed and cannot be installed (not root on Debian)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Slapd:
    url: str
    base_dn: str
    people_dn: str
    admin_dn: str
    admin_password: str
    process: subprocess.Popen
    directory: str

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        shutil.rmtree(self.directory, ignore_errors=True)


def start_slapd() -> Slapd:
    binary = _slapd_binary()
    directory = tempfile.mkdtemp(prefix="portal-slapd-")
    data = Path(directory, "data")
    data.mkdir()
    port = free_port()
    conf = Path(directory, "slapd.conf")
    conf.write_text(
        "\n".join(
            [
                *(
                    f"include {SCHEMA_DIR / name}.schema"
                    for name in ("core", "cosine", "inetorgperson", "nis")
                ),
                f"pidfile {directory}/slapd.pid",
                f"modulepath {MODULE_DIR}",
                "moduleload back_mdb",
                "moduleload ppolicy",
                "database mdb",
                f"suffix {BASE_DN}",
                f"rootdn {ADMIN_DN}",
                f"rootpw {ADMIN_PASSWORD}",
                f"directory {data}",
                "maxsize 1073741824",
                # A throwaway directory: no fsync per write (a real one keeps its durability).
                "dbnosync",
                "index objectClass eq",
                "index uid,mail eq",
                "overlay ppolicy",
                f'ppolicy_default "{POLICY_DN}"',
                "",
            ]
        )
    )
    url = f"ldap://127.0.0.1:{port}"
    process = subprocess.Popen(
        [binary, "-f", str(conf), "-h", url + "/", "-d", "0"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"slapd did not start: {process.stderr.read().decode()[-2000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.1)
    server = Slapd(url, BASE_DN, PEOPLE_DN, ADMIN_DN, ADMIN_PASSWORD, process, directory)
    _seed(server)
    return server


def _seed(server: Slapd):
    from ldap3 import Connection, Server

    conn = Connection(Server(server.url), server.admin_dn, server.admin_password, auto_bind=True)
    conn.add(server.base_dn, ["dcObject", "organization"], {"dc": "hust", "o": "HUST"})
    conn.add(server.people_dn, ["organizationalUnit"], {"ou": "people"})
    conn.add(f"ou=policies,{server.base_dn}", ["organizationalUnit"], {"ou": "policies"})
    # The university's password policy: a locked entry cannot sign in; a reset one must change.
    conn.add(
        POLICY_DN,
        ["device", "pwdPolicy"],
        {
            "cn": "default",
            "pwdAttribute": "userPassword",
            "pwdLockout": "TRUE",
            "pwdMustChange": "TRUE",
        },
    )
    if conn.result["result"] != 0:
        raise RuntimeError(f"slapd policy: {conn.result}")
    conn.unbind()
