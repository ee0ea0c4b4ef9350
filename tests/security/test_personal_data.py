"""Personal data (Decree 13/2023/NĐ-CP): notice and consent on every form that collects it,
retention, the data-protection officer's export and anonymisation, and no learner contact
details on a public page."""

import datetime as dt
import json
import os
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from accounts import services as accounts
from accounts.models import AccountRequest, IssuanceLogEntry
from portal.models import Consent, PrivacyLogEntry, PrivacyNotice
from portal.privacy import apply_retention
from tests.accounts.conftest import student_data
from tests.accounts.test_public_pages import bm02

pytestmark = pytest.mark.django_db

NOTICE = "Dữ liệu cá nhân của bạn"
CONSENT_ERROR = "Hãy đánh dấu ô này để gửi biểu mẫu"
LONG_AGO = timezone.now() - dt.timedelta(days=800)


@pytest.fixture
def units(db):
    from django.core.cache import cache

    from office.models import Unit

    cache.delete("accounts:unit-choices")
    hust = Unit.objects.create(code="hust", kind="university", name="Đại học Bách khoa Hà Nội")
    Unit.objects.create(code="hust-seee", kind="school", name="Trường Điện – Điện tử", parent=hust)
    yield
    cache.delete("accounts:unit-choices")


@pytest.fixture
def submit(db):
    def _submit(at=LONG_AGO, **overrides):
        req, _created = accounts.submit_request(student_data(**overrides), now=at)
        return req

    return _submit


def _bm02(client, **overrides):
    response, _data = bm02(client, **overrides)
    return response


@pytest.mark.parametrize("kind", ["staff", "student"])
def test_bm01_and_bm02_show_the_notice_with_its_version(client, kind):
    body = client.get(f"/accounts/apply/{kind}/").content.decode()
    notice = PrivacyNotice.objects.order_by("-version").first()
    assert NOTICE in body
    assert f"phiên bản thông báo {notice.version}" in body
    assert "Văn phòng MTT" in body and "730 ngày" in body  # who, and how long
    assert "rút lại sự đồng ý" in body  # the person's rights


def test_without_consent_nothing_is_saved_and_nothing_typed_is_lost(client, units):
    response = _bm02(client, privacy_consent="")
    body = response.content.decode()
    assert response.status_code == 200
    assert CONSENT_ERROR in body
    assert "an.nguyen@example.com" in body and "ĐTVT-01" in body
    assert not AccountRequest.objects.exists()


def test_a_sent_request_records_consent_with_the_notice_version(client, units):
    PrivacyNotice.objects.create(version=2, published_at=timezone.now(), summary="Longer text")
    assert _bm02(client).status_code == 302
    req = AccountRequest.objects.get()
    consent = Consent.objects.get()
    assert consent.target == req
    assert consent.notice.version == 2
    assert consent.form == "MTT.QT06.BM02"


def test_a_learners_question_and_feedback_record_consent(client, make_user):
    call_command("loaddemo", force=True, stdout=open(os.devnull, "w"))  # noqa: SIM115
    from dialogue.models import FeedbackForm, Question, Topic

    learner = make_user("learner")
    client.force_login(learner)
    body = client.get(reverse("dialogue:ask")).content.decode()
    assert NOTICE in body
    unit_id = client.get(reverse("dialogue:ask")).context["form"].fields["unit"].queryset[0].pk
    data = {
        "topic": Topic.objects.first().pk,
        "kind": "question",
        "text": "Thư viện có mở cửa buổi tối không ạ?",
        "unit": unit_id,
    }
    refused = client.post(reverse("dialogue:ask"), data)
    assert CONSENT_ERROR in refused.content.decode()
    assert not Question.objects.filter(asked_by=learner).exists()
    assert (
        client.post(reverse("dialogue:ask"), {**data, "privacy_consent": "on"}).status_code == 302
    )
    question = Question.objects.get(asked_by=learner)
    assert Consent.objects.get(form="dialogue.question").target == question

    fb = FeedbackForm.objects.filter(status=FeedbackForm.Status.OPEN).first()
    page = client.get(reverse("dialogue:feedback", args=[fb.pk]))
    assert NOTICE in page.content.decode()
    answers = {f"item_{i.pk}": "4" if i.kind == "rating" else "Tốt" for i in fb.items.all()}
    client.post(reverse("dialogue:feedback", args=[fb.pk]), {**answers, "privacy_consent": "on"})
    consent = Consent.objects.get(form="dialogue.feedback")
    assert consent.target.form == fb
    assert not hasattr(consent.target, "user")  # the answers stay without a name


# --- retention -------------------------------------------------------------------------------


@pytest.fixture
def closed_request(make_user):
    """closed_request(at=…, **data) → a request issued, logged and notified at `at`."""
    office = make_user("mtt_office")
    technician = make_user("mtt_technician")
    manager = make_user("mtt_account_manager")

    def _make(at=LONG_AGO, **overrides):
        req, _created = accounts.submit_request(student_data(**overrides), now=at)
        accounts.verify_request(
            req.pk, office, note="Khớp sổ, SĐT 0912345678", reason="Đã gọi xác nhận", now=at
        )
        accounts.issue_account(
            req.pk,
            technician,
            address=accounts.suggested_address(req),
            now=at,
            password="Temp-Pass-12345",
        )
        accounts.record_issuance(req.pk, manager, now=at)
        return accounts.notify_result(req.pk, office, now=at)

    return _make


def test_retention_anonymises_closed_requests_and_keeps_the_issuance_log(closed_request, submit):
    old = closed_request(note="Em cần gấp, gọi 0912345678")
    recent = closed_request(at=timezone.now(), person_id="20239999", contact_email="b@example.com")
    still_open = submit(at=LONG_AGO, person_id="20238888", contact_email="c@example.com")
    log_before = list(IssuanceLogEntry.objects.values())

    entry = apply_retention()

    old.refresh_from_db()
    assert old.mobile_phone == "" and old.person_id == "" and old.date_of_birth is None
    assert old.note == "" and old.anonymised_at is not None
    assert "0912345678" not in old.search_key
    assert all(e.note == "" for e in old.events.all())
    assert old.issued_address  # the result itself stays
    recent.refresh_from_db()
    still_open.refresh_from_db()
    assert recent.mobile_phone == "+84912345678" and recent.person_id == "20239999"
    assert still_open.person_id == "20238888" and still_open.date_of_birth
    assert list(IssuanceLogEntry.objects.values()) == log_before  # kept permanently
    assert entry.counts["accounts"] == 1


def test_running_retention_twice_anonymises_nothing_more(closed_request):
    closed_request()
    assert apply_retention().counts["accounts"] == 1
    assert apply_retention().counts["accounts"] == 0
    assert PrivacyLogEntry.objects.filter(action="retention").count() == 2


def test_retention_runs_daily_on_beat():
    call_command("migrate", verbosity=0)  # post_migrate writes the beat rows
    task = PeriodicTask.objects.get(task="portal.apply_retention")
    assert task.enabled and task.interval.every == 86400


def test_the_ops_page_shows_what_retention_did(client, make_user, closed_request):
    closed_request()
    apply_retention()
    client.force_login(make_user("data_protection"))
    body = client.get(reverse("portal:ops-privacy")).content.decode()
    assert "Yêu cầu cấp tài khoản thư điện tử (MTT.QT06) và nhật ký cấp" in body
    assert "<strong>1</strong>" in body


def test_the_retention_page_is_for_ops_and_data_protection_only(client, make_user):
    client.force_login(make_user("learner"))
    assert client.get(reverse("portal:ops-privacy")).status_code == 403
    client.force_login(make_user("operations"))
    assert client.get(reverse("portal:ops-privacy")).status_code == 200


# --- the data-protection officer ---------------------------------------------------------------


def test_the_officer_exports_everything_held_about_one_person_and_it_is_logged(
    client, make_user, closed_request
):
    req = closed_request()
    closed_request(person_id="20237777", contact_email="someone.else@example.com")
    dpo = make_user("data_protection")
    client.force_login(dpo)
    found = client.get(reverse("portal:privacy"), {"identifier": "an.nguyen@example.com"})
    assert "<strong>2</strong>" in found.content.decode()  # the request and its log entry

    response = client.post(reverse("portal:privacy-export"), {"identifier": "20231234"})
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    rows = data["records"]["accounts"]
    assert {r["type"] for r in rows} == {"account_request", "issuance_log"}
    assert rows[0]["reference"] == req.reference and rows[0]["mobile_phone"] == "+84912345678"
    assert "someone.else@example.com" not in response.content.decode()
    entry = PrivacyLogEntry.objects.get(action="export")
    assert entry.actor == dpo and entry.subject == "20231234" and entry.counts["accounts"] == 2


def test_the_officer_anonymises_closed_requests_on_request_but_not_open_ones(
    client, make_user, closed_request, submit
):
    closed = closed_request()
    still_open = submit(at=timezone.now(), person_id="20238888")  # same contact e-mail
    client.force_login(make_user("data_protection"))
    who = "an.nguyen@example.com"
    confirm = client.get(reverse("portal:privacy-anonymise"), {"identifier": who})
    assert "nhật ký cấp tài khoản" in confirm.content.decode()
    response = client.post(
        reverse("portal:privacy-anonymise"), {"identifier": who, "note": "Đơn ngày 1/12"}
    )
    assert response.status_code == 302
    closed.refresh_from_db()
    still_open.refresh_from_db()
    assert closed.anonymised_at and closed.mobile_phone == ""
    assert still_open.person_id == "20238888" and still_open.anonymised_at is None
    assert IssuanceLogEntry.objects.get(request=closed).person_id == "20231234"
    entry = PrivacyLogEntry.objects.get(action="anonymise")
    assert entry.counts["accounts"] == 1 and entry.note == "Đơn ngày 1/12"


def test_a_learners_questions_lose_their_name_when_anonymised(client, make_user):
    call_command("loaddemo", force=True, stdout=open(os.devnull, "w"))  # noqa: SIM115
    from dialogue.models import Question

    q = Question.objects.filter(status="published").exclude(asked_by=None).first()
    q = q or Question.objects.filter(status="published").first()
    learner = make_user("learner", email="mai.dang@example.edu.vn")
    Question.objects.filter(pk=q.pk).update(asked_by=learner, asker_name="Đặng Thị Mai")
    client.force_login(make_user("data_protection"))
    export = client.post(reverse("portal:privacy-export"), {"identifier": learner.email})
    assert json.loads(export.content)["records"]["dialogue"][0]["number"] == q.pk
    client.post(reverse("portal:privacy-anonymise"), {"identifier": learner.email})
    q.refresh_from_db()
    assert q.asked_by is None and q.asker_name == "" and q.text  # the public record stays


@pytest.mark.parametrize("role", ["operations", "dialogue_committee", "learner", None])
def test_only_the_data_protection_role_reaches_a_persons_data(client, make_user, role):
    if role:
        client.force_login(make_user(role))
    for name in ("portal:privacy", "portal:privacy-anonymise"):
        response = client.get(reverse(name), {"identifier": "20231234"})
        assert response.status_code in (302, 403)
    response = client.post(reverse("portal:privacy-export"), {"identifier": "20231234"})
    assert response.status_code in (302, 403)
    assert not PrivacyLogEntry.objects.exists()


def test_a_bad_identifier_gets_a_message_not_an_error(client, make_user):
    client.force_login(make_user("data_protection"))
    response = client.post(reverse("portal:privacy-export"), {"identifier": "  "}, follow=True)
    assert response.status_code == 200
    assert "Hãy nhập địa chỉ thư điện tử, mã số hoặc số điện thoại" in response.content.decode()


# --- public pages ------------------------------------------------------------------------------


def test_no_public_page_or_export_shows_a_learners_e_mail_or_phone(client, make_user, submit):
    """Every URL the permission matrix opens to anonymous visitors, with the demo data and a
    learner who asked a question and a student who applied for an account."""
    call_command("loaddemo", force=True, stdout=open(os.devnull, "w"))  # noqa: SIM115
    from dialogue.models import Question
    from tests.security.test_permission_matrix import TABLE, _build_url, _objects, url_patterns

    learner = make_user("learner", email="learner.private@example.edu.vn")
    q = Question.objects.filter(status="published").first()
    Question.objects.filter(pk=q.pk).update(asked_by=learner)
    req = submit(
        at=timezone.now(),
        contact_email="student.private@example.com",
        mobile_phone="+84983456712",
        person_id="20237771",
    )
    secrets = ["learner.private@example.edu.vn", "student.private@example.com"]
    secrets += ["0983456712", "0983 456 712", "+84983456712", "983456712"]

    table = yaml.safe_load(Path(TABLE).read_text())
    objects = _objects()
    checked = 0
    for name, route, _view in url_patterns():
        row = table.get(name)
        if not row or row.get("post_only") or "everyone" not in row.get("allow", []):
            continue
        if name in ("accounts:track", "accounts:track-print", "accounts:correct"):
            continue  # the applicant's own page, behind the unguessable link
        url = _build_url(name, route, row, objects)
        response = client.get(url)
        raw = b"".join(response.streaming_content) if response.streaming else response.content
        body = raw.decode("utf-8", "replace")  # exports stream (issue 15): read them whole
        for secret in secrets:
            assert secret not in body, f"{url} shows {secret}"
        checked += 1
    assert checked >= 20
    assert req.contact_email  # it exists, and no public page shows it


def test_the_retention_page_costs_the_same_queries_for_many_runs(client, make_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    officer = make_user("data_protection")
    client.force_login(officer)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("portal:ops-privacy")).status_code == 200
        return len(ctx)

    apply_retention()
    PrivacyLogEntry.objects.create(action="export", at=timezone.now(), actor=officer, counts={})
    one = queries()
    for _ in range(10):
        apply_retention()
        PrivacyLogEntry.objects.create(action="export", at=timezone.now(), actor=make_user())
    assert queries() == one
