import datetime as dt

import pytest
from django.utils import timezone

from accounts import services
from accounts.models import RegistryRecord

NOW = timezone.make_aware(dt.datetime(2026, 3, 2, 9, 0))
# Most tests keep no registry record: the reviewer then forwards with a typed reason.
CHECKED_ON_PAPER = "Đã đối chiếu hồ sơ giấy tại Văn phòng MTT"


def student_data(**overrides):
    data = {
        "person_kind": "student",
        "request_kind": "new_account",
        "family_and_middle_names": "Nguyễn Văn",
        "given_name": "An",
        "date_of_birth": dt.date(2005, 3, 15),
        "person_id": "20231234",
        "unit_name": "Trường Điện – Điện tử",
        "unit_code": "hust-seee",
        "student_class": "ĐTVT-01",
        "cohort": "K68",
        "mobile_phone": "+84912345678",
        "contact_email": "an.nguyen@example.com",
        "existing_address": "",
        "note": "",
    }
    data.update(overrides)
    return data


def staff_data(**overrides):
    data = student_data(
        person_kind="staff",
        person_id="CB1024",
        family_and_middle_names="Trần Thị",
        given_name="Bình",
        date_of_birth=dt.date(1985, 9, 2),
        unit_name="Trường Cơ khí",
        unit_code="hust-sme",
        student_class="",
        cohort="",
        mobile_phone="+84987654321",
        contact_email="binh.tran@example.com",
    )
    data.update(overrides)
    return data


@pytest.fixture
def now():
    return NOW


@pytest.fixture
def submit(db):
    """submit(**overrides) → a request received at NOW (a student's BM02 by default)."""

    def _submit(kind="student", at=NOW, **overrides):
        data = staff_data(**overrides) if kind == "staff" else student_data(**overrides)
        req, _created = services.submit_request(data, now=at)
        return req

    return _submit


@pytest.fixture
def registry_student(db):
    def _make(**overrides):
        values = {
            "kind": "student",
            "person_id": "20231234",
            "family_and_middle_names": "Nguyễn Văn",
            "given_name": "An",
            "date_of_birth": dt.date(2005, 3, 15),
            "unit_name": "Trường Điện – Điện tử",
            "student_class": "ĐTVT-01",
            "cohort": "K68",
            "mobile_phone": "+84912345678",
            "email": "",
        }
        values.update(overrides)
        return RegistryRecord.objects.create(**values)

    return _make


@pytest.fixture
def office(make_user):
    return make_user("mtt_office", full_name="Phạm Thu Hà")


@pytest.fixture
def technician(make_user):
    return make_user("mtt_technician", full_name="Trần Quốc Bảo")


@pytest.fixture
def manager(make_user):
    return make_user("mtt_account_manager", full_name="Lê Minh Châu")


@pytest.fixture
def head(make_user):
    return make_user("mtt_office_head", full_name="Đỗ Thị Dung")


@pytest.fixture
def issued(submit, office, technician, now):
    """A student request checked and issued (waiting for the log entry)."""

    def _issued(**overrides):
        req = submit(**overrides)
        services.verify_request(req.pk, office, now=now, reason=CHECKED_ON_PAPER)
        req = services.issue_account(
            req.pk,
            technician,
            address=services.suggested_address(req),
            now=now,
            password="Temp-Pass-12345",
        )
        return req

    return _issued


# --- provisioning (issue 17): a real slapd, and the two cloud APIs' local stand-ins ------------


@pytest.fixture(scope="session")
def slapd_server():
    from tests.slapd import start_slapd

    server = start_slapd()
    yield server
    server.stop()


@pytest.fixture
def ldap_directory(slapd_server, settings):
    """The LDAP backend chosen in settings, against the test run's own slapd (emptied)."""
    from ldap3 import Connection, Server

    settings.ACCOUNTS_PROVISIONING_BACKEND = "ldap"
    settings.ACCOUNTS_LDAP_URL = slapd_server.url
    settings.ACCOUNTS_LDAP_BIND_DN = slapd_server.admin_dn
    settings.ACCOUNTS_LDAP_BIND_PASSWORD = slapd_server.admin_password
    settings.ACCOUNTS_LDAP_PEOPLE_DN = slapd_server.people_dn
    conn = Connection(
        Server(slapd_server.url), slapd_server.admin_dn, slapd_server.admin_password, auto_bind=True
    )
    conn.search(slapd_server.people_dn, "(uid=*)", attributes=[])
    for entry in list(conn.entries):
        conn.delete(entry.entry_dn)
    slapd_server.conn = conn
    yield slapd_server
    conn.unbind()


@pytest.fixture(scope="session")
def google_key(tmp_path_factory):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return key, pem


@pytest.fixture(scope="session")
def google_server(google_key):
    from tests.provisioning_fakes import FakeGoogle

    server = FakeGoogle(
        google_key[0].public_key(),
        "portal@hust-directory.iam.gserviceaccount.com",
        "admin@hust.edu.vn",
    )
    yield server
    server.stop()


@pytest.fixture
def google_directory(google_server, google_key, settings, tmp_path):
    import json

    from accounts.provisioning import google

    key_file = tmp_path / "service-account.json"
    key_file.write_text(
        json.dumps(
            {
                "type": "service_account",
                "client_email": google_server.client_email,
                "private_key_id": "k1",
                "private_key": google_key[1],
                "token_uri": f"{google_server.url}/token",
            }
        )
    )
    settings.ACCOUNTS_PROVISIONING_BACKEND = "google"
    settings.ACCOUNTS_GOOGLE_API_URL = google_server.url
    settings.ACCOUNTS_GOOGLE_CREDENTIALS_FILE = str(key_file)
    settings.ACCOUNTS_GOOGLE_ADMIN_EMAIL = google_server.admin_email
    google._tokens.token = ""
    google_server.reset()
    return google_server


@pytest.fixture(scope="session")
def graph_server():
    from tests.provisioning_fakes import FakeGraph

    server = FakeGraph("hust-tenant-id", "portal-client-id", "portal-client-secret")
    yield server
    server.stop()


@pytest.fixture
def graph_directory(graph_server, settings):
    from accounts.provisioning import microsoft

    settings.ACCOUNTS_PROVISIONING_BACKEND = "microsoft"
    settings.ACCOUNTS_GRAPH_API_URL = graph_server.url
    settings.ACCOUNTS_GRAPH_LOGIN_URL = graph_server.url
    settings.ACCOUNTS_GRAPH_TENANT_ID = graph_server.tenant
    settings.ACCOUNTS_GRAPH_CLIENT_ID = graph_server.client_id
    settings.ACCOUNTS_GRAPH_CLIENT_SECRET = graph_server.client_secret
    microsoft._tokens.token = ""
    graph_server.reset()
    return graph_server


@pytest.fixture
def auto_verification(db):
    """auto_verification(student=True, staff=False): the admins' switches."""
    from accounts.models import AutoVerification

    def _switch(**kinds):
        for kind, on in kinds.items():
            AutoVerification.objects.update_or_create(person_kind=kind, defaults={"enabled": on})

    return _switch
