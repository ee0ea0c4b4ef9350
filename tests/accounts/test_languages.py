"""MTT.QT06 in the reader's language (issue 13): the unit names of the forms, the queues, the
issuance log and BM03 follow the page's language (the request keeps the Vietnamese name it was
sent with, for the printed form), and an applicant's language choice is kept on their request
so that their mail follows it."""

import datetime as dt

import pytest
from django.conf import settings
from django.core import mail
from django.utils import translation

from accounts import selectors, services
from accounts.models import AccountRequest
from office.models import Unit
from portal.models import Notification
from tests.forms import BM02_URL, bm02_data, submission_token

from .conftest import CHECKED_ON_PAPER

COOKIE = settings.LANGUAGE_COOKIE_NAME
SEEE_EN = "School of Electrical and Electronic Engineering"


@pytest.fixture(autouse=True)
def _back_to_vietnamese():
    """A page read in English leaves the test thread in English: the next test starts in the
    portal's default language again."""
    yield
    translation.deactivate()


@pytest.fixture
def english_names(hust_units):
    Unit.objects.filter(code="hust-seee").update(name_en=SEEE_EN)
    Unit.objects.filter(code="hust").update(name_en="Hanoi University of Science and Technology")
    return hust_units


def _english(client):
    client.cookies[COOKIE] = "en"
    return client


def _bm02(client):
    return client.post(BM02_URL, bm02_data(submission_token(client)))


def test_the_form_lists_the_units_in_the_readers_language(client, english_names):
    assert "Trường Điện – Điện tử" in client.get("/accounts/apply/student/").content.decode()
    page = _english(client).get("/accounts/apply/student/").content.decode()
    assert SEEE_EN in page
    assert "Trường Điện – Điện tử" not in page


def test_an_english_applicant_keeps_the_vietnamese_name_for_the_printed_form(client, english_names):
    response = _bm02(_english(client))
    assert response.status_code == 302
    req = AccountRequest.objects.get()
    assert req.language == "en"
    assert req.unit_name == "Trường Điện – Điện tử"  # as the form is printed
    assert req.unit.code == "hust-seee"
    assert SEEE_EN in client.get(response["Location"]).content.decode()


def test_the_applicants_language_choice_is_kept_on_their_request_and_their_mail_follows(
    client, english_names, make_user
):
    response = _bm02(client)
    req = AccountRequest.objects.get()
    assert req.language == "vi"
    client.cookies[COOKIE] = "en"  # switched language on the tracking page
    assert client.get(response["Location"]).status_code == 200
    req.refresh_from_db()
    assert req.language == "en"
    office = make_user("mtt_office")
    services.verify_request(req.pk, office, reason=CHECKED_ON_PAPER)
    row = Notification.objects.filter(email=req.contact_email).order_by("-pk").first()
    assert row.language == "en"
    mail.outbox.clear()
    from portal.notifications import deliver_notification

    deliver_notification(row.pk)
    assert req.reference in mail.outbox[0].subject
    assert "Kính gửi" not in mail.outbox[0].body


def test_the_queue_and_the_technician_queue_show_the_unit_in_the_readers_language(
    client_for, submit, english_names, make_user, now
):
    req = submit()
    office = _english(client_for("mtt_office"))
    assert SEEE_EN in office.get("/accounts/queue/").content.decode()
    office.cookies[COOKIE] = "vi"
    page = office.get("/accounts/queue/").content.decode()
    assert "Trường Điện – Điện tử" in page and SEEE_EN not in page
    services.verify_request(req.pk, make_user("mtt_office"), reason=CHECKED_ON_PAPER, now=now)
    technician = _english(client_for("mtt_technician"))
    assert SEEE_EN in technician.get("/accounts/technician/").content.decode()


def test_a_request_that_names_its_unit_only_by_its_name_is_shown_in_english_too(
    client_for, submit, english_names
):
    """A request from the office mailbox may carry the unit's name without the link to the
    directory: the queue still finds the unit's English name by the name."""
    req = submit()
    AccountRequest.objects.filter(pk=req.pk).update(unit=None)
    page = _english(client_for("mtt_office")).get("/accounts/queue/").content.decode()
    assert SEEE_EN in page and "Trường Điện – Điện tử" not in page


def test_a_unit_without_an_english_name_is_shown_in_vietnamese_never_empty(
    client_for, submit, hust_units
):
    submit()
    page = _english(client_for("mtt_office")).get("/accounts/queue/").content.decode()
    assert "Trường Điện – Điện tử" in page
    req = AccountRequest.objects.get()
    with translation.override("en"):
        assert req.shown_unit_name == "Trường Điện – Điện tử"


def test_the_issuance_log_and_bm03_show_the_unit_in_the_readers_language(
    client_for, issued, english_names, make_user, now
):
    req = issued()
    services.record_issuance(req.pk, make_user("mtt_account_manager"), now=now)
    page = _english(client_for("mtt_account_manager")).get("/accounts/log/").content.decode()
    assert SEEE_EN in page
    day = now.date()
    with translation.override("en"):
        assert [r["unit"] for r in selectors.bm03(day, day).rows] == [SEEE_EN]
    with translation.override("vi"):
        assert [r["unit"] for r in selectors.bm03(day, day).rows] == ["Trường Điện – Điện tử"]
    head = _english(client_for("mtt_office_head"))
    report = head.get(
        "/accounts/report/",
        {
            "date_from": day.strftime("%d/%m/%Y"),
            "date_to": (day + dt.timedelta(1)).strftime("%d/%m/%Y"),
        },
    )
    assert SEEE_EN in report.content.decode()
