"""Real identity servers for the tests, started by the test run itself and stopped after it.

- `slapd`: Debian's OpenLDAP server, with a configuration generated under a temporary folder
  (never the system's), StartTLS with a throw-away CA, seeded from tests/identity/directory.ldif.
- `oidc_provider`: the certified `oidc-provider` package on the machine's Node, installed by npm
  from tests/identity/oidc/package.json into var/test-oidc/ and run with provider.mjs.

Both are session fixtures (tests/conftest.py imports them); each picks a free port.
"""

import contextlib
import datetime
import json
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import requests

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
PASSWORD = "Dung-mat-khau-1"
BASE_DN = "dc=hust,dc=edu,dc=vn"
ADMIN_DN = f"cn=admin,{BASE_DN}"
ADMIN_PASSWORD = "slapd-admin-for-tests"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(check, what: str, proc: subprocess.Popen, log: Path, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            if check():
                return
        except Exception:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not start: {log.read_text(errors='replace')[-2000:]}")


def _stop(proc: subprocess.Popen):
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


# --- slapd --------------------------------------------------------------------------------


def _make_tls(folder: Path) -> tuple[Path, Path, Path]:
    """A CA and a server certificate for 127.0.0.1, made with `cryptography`."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Portal test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    import ipaddress

    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    paths = folder / "ca.pem", folder / "server.pem", folder / "server.key"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    paths[2].chmod(0o600)
    return paths


class Slapd:
    def __init__(self, uri: str, ca_file: Path):
        self.uri = uri
        self.ca_file = str(ca_file)

    def settings(self) -> dict:
        """The portal's LDAP_* settings for this server (StartTLS on)."""
        return {
            "LDAP_SERVER_URI": self.uri,
            "LDAP_BIND_DN": ADMIN_DN,
            "LDAP_BIND_PASSWORD": ADMIN_PASSWORD,
            "LDAP_START_TLS": True,
            "LDAP_CA_CERT_FILE": self.ca_file,
            "LDAP_USER_BASE": f"ou=people,{BASE_DN}",
            # A person marked disabled in the directory is not found, so cannot sign in.
            "LDAP_USER_FILTER": "(&(objectClass=inetOrgPerson)(uid=%(user)s)"
            "(!(employeeType=disabled)))",
            "LDAP_GROUP_BASE": f"ou=groups,{BASE_DN}",
            "LDAP_GROUP_FILTER": "(objectClass=groupOfNames)",
            "LDAP_GROUP_TYPE": "groupOfNames",
        }

    def connect(self):
        import ldap

        conn = ldap.initialize(self.uri)
        conn.simple_bind_s(ADMIN_DN, ADMIN_PASSWORD)
        return conn

    def modify(self, dn: str, changes: list):
        conn = self.connect()
        try:
            conn.modify_s(dn, changes)
        finally:
            conn.unbind_s()

    def remove_member(self, group: str, uid: str):
        import ldap

        self.modify(
            f"cn={group},ou=groups,{BASE_DN}",
            [(ldap.MOD_DELETE, "member", [f"uid={uid},ou=people,{BASE_DN}".encode()])],
        )

    def add_member(self, group: str, uid: str):
        import ldap

        self.modify(
            f"cn={group},ou=groups,{BASE_DN}",
            [(ldap.MOD_ADD, "member", [f"uid={uid},ou=people,{BASE_DN}".encode()])],
        )

    def set_disabled(self, uid: str, disabled: bool):
        import ldap

        op = (ldap.MOD_REPLACE, "employeeType", [b"disabled"]) if disabled else None
        dn = f"uid={uid},ou=people,{BASE_DN}"
        if op:
            self.modify(dn, [op])
        else:
            self.modify(dn, [(ldap.MOD_DELETE, "employeeType", None)])

    def reseed(self):
        """Back to directory.ldif (tests change memberships and accounts)."""
        import ldap
        import ldap.modlist
        from ldif import LDIFRecordList

        with open(HERE / "directory.ldif", "rb") as f:
            records = LDIFRecordList(f)
            records.parse()
        conn = self.connect()
        try:
            try:
                found = {dn.lower() for dn, _ in conn.search_s(BASE_DN, ldap.SCOPE_SUBTREE)}
            except ldap.NO_SUCH_OBJECT:
                found = set()
            # People and groups go back to the file; the suffix and the two ou= stay (slapd
            # 2.5.13 crashes when asked to delete an entry of an empty database).
            for dn in sorted(found, key=len, reverse=True):
                if dn.count(",") > BASE_DN.count(",") + 1:
                    conn.delete_s(dn)
                    found.discard(dn)
            for dn, entry in records.all_records:
                if dn.lower() not in found:
                    conn.add_s(dn, ldap.modlist.addModlist(entry))
        finally:
            conn.unbind_s()


SLAPD_CONF = """\
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
pidfile {dir}/slapd.pid
modulepath /usr/lib/ldap
moduleload back_mdb
TLSCACertificateFile {ca}
TLSCertificateFile {cert}
TLSCertificateKeyFile {key}
database mdb
maxsize 104857600
suffix "{base}"
rootdn "{admin}"
rootpw {password}
directory {dir}/data
access to attrs=userPassword by self write by anonymous auth by * none
access to * by * read
"""


@contextlib.contextmanager
def run_slapd():
    """Start slapd on a free port under a temporary folder, seeded; stop and remove it after."""
    binary = shutil.which("slapd") or "/usr/sbin/slapd"
    if not Path(binary).exists():
        raise RuntimeError("slapd is missing: scripts/test.sh installs Debian's slapd")
    folder = Path(tempfile.mkdtemp(prefix="portal-slapd-"))
    (folder / "data").mkdir()
    ca, cert, key = _make_tls(folder)
    conf = folder / "slapd.conf"
    conf.write_text(
        SLAPD_CONF.format(
            dir=folder,
            ca=ca,
            cert=cert,
            key=key,
            base=BASE_DN,
            admin=ADMIN_DN,
            password=ADMIN_PASSWORD,
        )
    )
    port = free_port()
    uri = f"ldap://127.0.0.1:{port}"
    log = folder / "log"
    proc = subprocess.Popen(
        [binary, "-d", "0", "-h", uri + "/", "-f", str(conf)],
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    server = Slapd(uri, ca)
    try:
        _wait_for(lambda: server.connect() is not None, "slapd", proc, log)
        server.reseed()
        yield server
    finally:
        _stop(proc)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def slapd():
    with run_slapd() as server:
        yield server


# --- the OpenID Connect provider -----------------------------------------------------------

CLIENT_ID = "office-portal"
CLIENT_SECRET = "test-client-secret-for-the-portal-0123456789"
OIDC_USERS = {
    # Seed 000: the Deputy Head of the SoICT Office, who also works in the MTT Office.
    "nga": {
        "password": PASSWORD,
        "email": "nga.nguyenthithanh@hust.edu.vn",
        "name": "Nguyễn Thị Thanh Nga",
        "groups": ["mtt-office", "soict-office"],
        "employee_id": "CB0002",
    },
    "trung": {
        "password": PASSWORD,
        "email": "trung.trinhthanh@hust.edu.vn",
        "name": "Trịnh Thành Trung",
        "groups": ["directory-admins"],
        "employee_id": "CB0003",
    },
}


def _install_provider() -> Path:
    target = ROOT / "var" / "test-oidc"
    target.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json", "provider.mjs"):
        shutil.copyfile(HERE / "oidc" / name, target / name)
    marker = target / "node_modules" / ".package-lock.json"
    lock = (HERE / "oidc" / "package-lock.json").read_text()
    stamp = target / "node_modules" / ".portal-lock"
    if not marker.exists() or not stamp.exists() or stamp.read_text() != lock:
        npm = shutil.which("npm")
        if not npm:
            raise RuntimeError("npm is missing: scripts/test.sh installs Debian's nodejs and npm")
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=target,
            check=True,
        )
        stamp.write_text(lock)
    return target


class OIDCProvider:
    def __init__(self, folder: Path, port: int, redirect_base: str):
        self.folder = folder
        self.port = port
        self.issuer = f"http://127.0.0.1:{port}"
        self.redirect_base = redirect_base.rstrip("/")
        self.config_path = folder / f"config-{port}.json"
        self.reset()

    def _write(self):
        self.config_path.write_text(json.dumps(self.config, ensure_ascii=False))

    def reset(self):
        self.config = {
            "port": self.port,
            "client": {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": [f"{self.redirect_base}/oidc/callback/"],
                "post_logout_redirect_uris": [f"{self.redirect_base}/"],
            },
            "users": json.loads(json.dumps(OIDC_USERS)),
            "tamper_id_token": False,
        }
        self._write()

    def set_user(self, login: str, **changes):
        self.config["users"][login].update(changes)
        self._write()

    def tamper(self, on: bool = True):
        self.config["tamper_id_token"] = on
        self._write()

    def settings(self) -> dict:
        return {
            "OIDC_ISSUER": self.issuer,
            "OIDC_RP_CLIENT_ID": CLIENT_ID,
            "OIDC_RP_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_RP_SCOPES": "openid email profile groups staff",
            "OIDC_STAFF_CODE_CLAIM": "employee_id",
        }


@contextlib.contextmanager
def run_oidc_provider(redirect_base: str):
    """Start the npm oidc-provider for a portal at `redirect_base`; stop it after."""
    node = shutil.which("node")
    if not node:
        raise RuntimeError("node is missing: scripts/test.sh installs Debian's nodejs")
    folder = _install_provider()
    port = free_port()
    provider = OIDCProvider(folder, port, redirect_base)
    log = folder / f"log-{port}"
    proc = subprocess.Popen(
        [node, "provider.mjs", str(provider.config_path)],
        cwd=folder,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    discovery = f"{provider.issuer}/.well-known/openid-configuration"
    try:
        _wait_for(
            lambda: requests.get(discovery, timeout=2).status_code == 200,
            "oidc-provider",
            proc,
            log,
        )
        yield provider
    finally:
        _stop(proc)
        provider.config_path.unlink(missing_ok=True)


@pytest.fixture(scope="session")
def oidc_provider(live_server):
    with run_oidc_provider(live_server.url) as provider:
        yield provider


def identity_backends(*extra: str) -> list[str]:
    """The order of portal/settings.py: LDAP, then local passwords, then OpenID Connect."""
    ldap = [b for b in extra if b.endswith("LDAPBackend")]
    rest = [b for b in extra if b not in ldap]
    return [
        "axes.backends.AxesStandaloneBackend",
        *ldap,
        "portal.identity.backends.LocalPasswordBackend",
        *rest,
    ]


@pytest.fixture
def use_oidc(settings, oidc_provider):
    """The portal signs in with the test provider (fresh users and groups for each test)."""
    from django.core.cache import cache

    oidc_provider.reset()
    for name, value in oidc_provider.settings().items():
        setattr(settings, name, value)
    settings.AUTHENTICATION_BACKENDS = identity_backends("portal.identity.oidc.PortalOIDCBackend")
    cache.delete(f"portal:oidc-discovery:{oidc_provider.issuer}")
    yield oidc_provider
    oidc_provider.reset()


@pytest.fixture
def use_ldap(settings, slapd):
    """The portal's log-in form also binds against the test slapd (fresh directory)."""
    slapd.reseed()
    for name, value in slapd.settings().items():
        setattr(settings, name, value)
    settings.AUTHENTICATION_BACKENDS = identity_backends("portal.identity.ldap.PortalLDAPBackend")
    return slapd
