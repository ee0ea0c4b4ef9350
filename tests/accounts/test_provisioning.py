"""Step 4 by the portal (issue 17): the backends against a real slapd and the cloud APIs' local
stand-ins, and the provisioning job (outbox row, retries, idempotence, issuance log)."""

import datetime as dt

import pytest
from ldap3 import Connection, Server

from accounts import services
from accounts.models import IssuanceLogEntry, ProvisioningJob, Status
from accounts.provisioning import AlreadyExists, NewAccount, RetryLater, get_backend
from accounts.services.provisioning import provision_account, queue_provisioning, retry_provisioning
from accounts.tasks import provision_account_task
from portal.models import Notification
from portal.notifications import build_email

State = ProvisioningJob.State


def account(**overrides):
    values = {
        "address": "an.nguyenvan@sis.hust.edu.vn",
        "given_name": "An",
        "family_name": "Nguyễn Văn",
        "password": "Tạm-thời-Pass-9",
        "person_id": "20231234",
        "person_kind": "student",
        "unit_name": "Trường Điện – Điện tử",
        "unit_code": "hust-seee",
        "mobile_phone": "+84912345678",
        "reference": "TK-2026-000001",
    }
    values.update(overrides)
    return NewAccount(**values)


# --- LDAP, against Debian's slapd started by the test run ---------------------------------------


def test_ldap_creates_the_entry_with_the_names_diacritics_and_a_password_to_change(
    ldap_directory,
):
    directory_id = get_backend().create_account(account(given_name="Đức", family_name="Lê Thị"))
    conn = ldap_directory.conn
    conn.search(
        ldap_directory.people_dn,
        "(mail=an.nguyenvan@sis.hust.edu.vn)",
        attributes=["*", "+"],
    )
    entry = conn.entries[0]
    assert entry.entry_dn == f"uid=an.nguyenvan,{ldap_directory.people_dn}"
    assert str(entry.givenName) == "Đức"
    assert str(entry.sn) == "Lê Thị"
    assert str(entry.cn) == "Lê Thị Đức"
    assert str(entry.employeeNumber) == "20231234"
    assert str(entry.entryUUID) == directory_id
    assert entry.pwdReset.value is True  # the directory asks for a new password at sign-in
    assert not str(entry.userPassword).startswith("Tạm")  # stored hashed by the server
    # The person signs in with the temporary password.
    assert Connection(
        Server(ldap_directory.url), entry.entry_dn, "Tạm-thời-Pass-9", auto_bind=True
    ).bound


def test_ldap_tells_an_existing_address_and_finds_it(ldap_directory):
    backend = get_backend()
    backend.create_account(account())
    with pytest.raises(AlreadyExists):
        backend.create_account(account(reference="TK-2026-000002"))
    found = backend.exists("an.nguyenvan@sis.hust.edu.vn")
    assert found.reference == "TK-2026-000001"
    assert backend.exists("nobody@sis.hust.edu.vn") is None


def test_ldap_suspends_an_account_so_it_cannot_sign_in(ldap_directory):
    backend = get_backend()
    backend.create_account(account())
    backend.suspend("an.nguyenvan@sis.hust.edu.vn")
    dn = f"uid=an.nguyenvan,{ldap_directory.people_dn}"
    conn = Connection(Server(ldap_directory.url), dn, "Tạm-thời-Pass-9")
    assert not conn.bind()


def test_an_unreachable_ldap_server_is_retried_later(ldap_directory, settings):
    from tests.slapd import free_port

    settings.ACCOUNTS_LDAP_URL = f"ldap://127.0.0.1:{free_port()}"
    with pytest.raises(RetryLater):
        get_backend().create_account(account())


# --- Google Workspace Admin SDK ------------------------------------------------------------------


def test_google_inserts_the_user_as_the_directory_api_documents(google_directory):
    directory_id = get_backend().create_account(account())
    token_calls = google_directory.calls("POST", "/token")
    assert len(token_calls) == 1
    assert token_calls[0][2]["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"
    (_m, path, body, headers) = google_directory.calls("POST", "/admin/directory/v1/users")[0]
    assert headers["authorization"] == f"Bearer {google_directory.token}"
    assert body["primaryEmail"] == "an.nguyenvan@sis.hust.edu.vn"
    assert body["name"] == {"givenName": "An", "familyName": "Nguyễn Văn"}
    assert body["changePasswordAtNextLogin"] is True
    assert body["orgUnitPath"] == "/Students/hust-seee"  # as in the console CSV
    assert {"type": "organization", "value": "20231234"} in body["externalIds"]
    assert directory_id == google_directory.users["an.nguyenvan@sis.hust.edu.vn"]["id"]
    found = get_backend().exists("an.nguyenvan@sis.hust.edu.vn")
    assert (found.directory_id, found.reference) == (directory_id, "TK-2026-000001")
    get_backend().suspend("an.nguyenvan@sis.hust.edu.vn")
    assert google_directory.users["an.nguyenvan@sis.hust.edu.vn"]["suspended"] is True


def test_google_409_means_the_address_exists(google_directory):
    get_backend().create_account(account())
    with pytest.raises(AlreadyExists, match="Entity already exists"):
        get_backend().create_account(account())


def test_google_429_carries_its_retry_after(google_directory):
    google_directory.fail_next(429, retry_after="17")
    with pytest.raises(RetryLater) as caught:
        get_backend().create_account(account())
    assert caught.value.retry_after == 17


# --- Microsoft Graph ---------------------------------------------------------------------------


def test_graph_creates_the_user_as_microsoft_graph_documents(graph_directory):
    directory_id = get_backend().create_account(account())
    (_m, _p, form, _h) = graph_directory.calls("POST", f"/{graph_directory.tenant}/oauth2")[0]
    assert form["grant_type"] == "client_credentials"
    assert form["scope"] == "https://graph.microsoft.com/.default"
    (_m, _p, body, headers) = graph_directory.calls("POST", "/v1.0/users")[0]
    assert headers["authorization"] == f"Bearer {graph_directory.token}"
    assert body["userPrincipalName"] == "an.nguyenvan@sis.hust.edu.vn"
    assert body["mailNickname"] == "an.nguyenvan"
    assert (body["givenName"], body["surname"]) == ("An", "Nguyễn Văn")
    assert body["usageLocation"] == "VN"
    assert body["passwordProfile"]["forceChangePasswordNextSignIn"] is True
    assert body["accountEnabled"] is True
    found = get_backend().exists("an.nguyenvan@sis.hust.edu.vn")
    assert (found.directory_id, found.reference) == (directory_id, "TK-2026-000001")
    get_backend().suspend("an.nguyenvan@sis.hust.edu.vn")
    assert graph_directory.users["an.nguyenvan@sis.hust.edu.vn"]["accountEnabled"] is False


def test_graph_400_already_exists_means_the_address_exists(graph_directory):
    get_backend().create_account(account())
    with pytest.raises(AlreadyExists):
        get_backend().create_account(account())


def test_graph_503_is_retried_later(graph_directory):
    graph_directory.fail_next(503, retry_after="5")
    with pytest.raises(RetryLater) as caught:
        get_backend().create_account(account())
    assert caught.value.retry_after == 5


# --- the job ------------------------------------------------------------------------------------


@pytest.fixture
def verified(submit, registry_student, auto_verification):
    """A student request verified automatically; its provisioning job is queued."""

    def _make(**overrides):
        registry_student(**{k: v for k, v in overrides.items() if k in ("person_id", "given_name")})
        auto_verification(student=True)
        req = submit(**overrides)
        assert req.status == Status.VERIFIED
        return req

    return _make


def test_an_auto_verified_request_is_created_logged_and_notified_without_a_person(
    ldap_directory, verified, now, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        req = verified()
    assert len(callbacks) >= 1  # the task is queued on commit
    job = req.provisioning
    assert (job.state, job.backend, job.address) == (
        State.QUEUED,
        "ldap",
        "an.nguyenvan@sis.hust.edu.vn",
    )
    assert provision_account(job.pk, now=now) is None
    job.refresh_from_db()
    req.refresh_from_db()
    assert job.state == State.DONE
    assert req.status == Status.NOTIFIED
    assert req.issued_address == "an.nguyenvan@sis.hust.edu.vn"
    entry = IssuanceLogEntry.objects.get(request=req)
    assert (entry.backend, entry.directory_id) == ("ldap", job.directory_id)
    assert entry.recorded_by is None and entry.recorded_by_name
    assert [e.action for e in req.events.all()] == [
        "submitted",
        "auto_verified",
        "provisioned",
        "recorded",
        "notified",
    ]
    # The applicant heard of the receipt, the verification and the result: three mails.
    mails = Notification.objects.filter(email=req.contact_email).order_by("id")
    assert [m.template for m in mails] == [
        "accounts/request_received",
        "accounts/status_changed",
        "accounts/result",
    ]
    # The result mail carries the view-once link, never the password.
    result = mails.last()
    sent = build_email(result).body  # the link is sealed in the outbox, opened when sent
    assert "/accounts/secret/" in sent and "/accounts/secret/" not in result.body
    password = services.reveal_password(
        sent.split("/accounts/secret/")[1].split("/")[0], id_check="20231234", now=now
    )[1]
    # The password is seen by its recipient only: not in the outbox, the history, the log or
    # the job the technician and the admin read.
    for text in [
        *Notification.objects.values_list("body", flat=True),
        *Notification.objects.values_list("body_html", flat=True),
        *req.events.values_list("note", flat=True),
        *IssuanceLogEntry.objects.values_list("note", flat=True),
        job.last_error,
        job.directory_id,
    ]:
        assert password not in text
    assert Connection(
        Server(ldap_directory.url),
        f"uid=an.nguyenvan,{ldap_directory.people_dn}",
        password,
        auto_bind=True,
    ).bound


def test_running_the_task_twice_creates_one_account(ldap_directory, verified, now):
    req = verified()
    provision_account_task.apply((req.provisioning.pk,))
    provision_account_task.apply((req.provisioning.pk,))
    assert IssuanceLogEntry.objects.filter(request=req).count() == 1
    ldap_directory.conn.search(ldap_directory.people_dn, "(uid=*)")
    assert len(ldap_directory.conn.entries) == 1


def test_an_address_taken_in_the_directory_is_shown_to_the_technician_never_created_twice(
    ldap_directory, verified, now
):
    get_backend().create_account(account(reference="", person_id="OLD"))
    req = verified()
    provision_account(req.provisioning.pk, now=now)
    job = ProvisioningJob.objects.get(pk=req.provisioning.pk)
    req.refresh_from_db()
    assert job.state == State.EXISTS
    assert "Already exists" in job.last_error or "entryAlreadyExists" in job.last_error
    assert req.status == Status.VERIFIED  # step 4 stays open for a person
    assert req.events.filter(action="provision_exists").exists()
    assert not IssuanceLogEntry.objects.exists()


def test_an_entry_its_own_earlier_attempt_created_is_adopted(ldap_directory, verified, now):
    """The worker died after the directory created the entry, before it was recorded."""
    req = verified()
    job = req.provisioning
    get_backend().create_account(account(reference=req.reference))
    provision_account(job.pk, now=now)
    job.refresh_from_db()
    assert job.state == State.DONE
    found = get_backend().exists(job.address)
    assert job.directory_id == found.directory_id
    assert IssuanceLogEntry.objects.get(request=req).directory_id == found.directory_id


def test_429_is_retried_after_the_servers_retry_after_then_succeeds(
    google_directory, verified, now
):
    req = verified()
    google_directory.fail_next(429, retry_after="120")
    retry_at = provision_account(req.provisioning.pk, now=now)
    job = ProvisioningJob.objects.get(pk=req.provisioning.pk)
    assert job.state == State.QUEUED
    assert retry_at == job.next_attempt_at >= now + dt.timedelta(seconds=120)
    assert "429" in job.last_error
    assert provision_account(job.pk, now=now) is None  # not yet due: nothing happens
    assert provision_account(job.pk, now=retry_at) is None
    job.refresh_from_db()
    assert (job.state, job.attempts) == (State.DONE, 2)
    assert len(google_directory.users) == 1


def test_5xx_backs_off_and_fails_visibly_after_the_last_attempt(
    graph_directory, verified, now, settings, technician
):
    settings.ACCOUNTS_PROVISIONING_MAX_ATTEMPTS = 3
    req = verified()
    graph_directory.fail_next(503, times=3)
    job_id, at, delays = req.provisioning.pk, now, []
    while (retry_at := provision_account(job_id, now=at)) is not None:
        delays.append(retry_at - at)
        at = retry_at
    assert delays == [dt.timedelta(seconds=30), dt.timedelta(seconds=60)]
    job = ProvisioningJob.objects.get(pk=job_id)
    req.refresh_from_db()
    assert job.state == State.FAILED and "503" in job.last_error
    assert req.status == Status.VERIFIED
    # The technician sends it again once the service is back.
    retry_provisioning(job_id, technician, now=at)
    provision_account(job_id, now=at)
    req.refresh_from_db()
    assert req.status == Status.NOTIFIED


def test_a_password_reset_is_left_to_the_technician(ldap_directory, submit, office, now):
    req = submit(request_kind="password_reset", existing_address="an.nguyenvan@sis.hust.edu.vn")
    services.verify_request(req.pk, office, now=now, reason="Đã gọi điện xác nhận")
    req.refresh_from_db()
    assert queue_provisioning(req) is None


def test_the_manual_backend_queues_nothing(verified):
    req = verified()
    assert not ProvisioningJob.objects.filter(request=req).exists()


def test_two_namesakes_verified_together_are_sent_different_addresses(
    ldap_directory, verified, now
):
    first = verified()
    second = verified(person_id="20231299", contact_email="an2@example.com")
    assert first.provisioning.address == "an.nguyenvan@sis.hust.edu.vn"
    assert second.provisioning.address != first.provisioning.address
    for req in (second, first):
        provision_account(req.provisioning.pk, now=now)
    assert set(ProvisioningJob.objects.values_list("state", flat=True)) == {State.DONE}


def test_trying_again_after_a_taken_address_sends_the_next_free_one(
    ldap_directory, verified, now, technician
):
    get_backend().create_account(account(reference="", person_id="OLD"))
    req = verified()
    provision_account(req.provisioning.pk, now=now)
    job = retry_provisioning(req.provisioning.pk, technician, now=now)
    assert job.state == State.QUEUED and job.address != "an.nguyenvan@sis.hust.edu.vn"
    provision_account(job.pk, now=now)
    req.refresh_from_db()
    assert req.status == Status.NOTIFIED and req.issued_address == job.address


def test_a_job_left_running_by_a_dead_worker_is_taken_again_after_the_lease(
    ldap_directory, verified, now, monkeypatch
):
    from accounts.services.provisioning import LEASE, pick_up_provisioning

    queued = []
    monkeypatch.setattr(provision_account_task, "delay", queued.append)
    req = verified()
    job = req.provisioning
    ProvisioningJob.objects.filter(pk=job.pk).update(state=State.RUNNING, started_at=now)
    assert provision_account(job.pk, now=now + dt.timedelta(minutes=1)) is None  # still leased
    assert pick_up_provisioning(now + dt.timedelta(minutes=1)) == 0
    later = now + LEASE + dt.timedelta(seconds=1)
    assert pick_up_provisioning(later) == 1 and queued == [job.pk]
    provision_account(job.pk, now=later)
    job.refresh_from_db()
    assert job.state == State.DONE and job.attempts == 1
