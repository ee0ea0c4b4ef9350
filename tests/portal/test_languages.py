"""The person's language (issue 13): saved on the user when they switch, applied to a new
session, and the language their notifications are read and sent in — not the language of
whoever caused them."""

import datetime as dt

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone, translation

from portal.deferred import both, deferred, shown
from portal.models import Notification
from portal.notifications import deliver_notification, notify

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _back_to_vietnamese():
    """A page read in English leaves the test thread in English: the next test starts in the
    portal's default language again."""
    yield
    translation.deactivate()


COOKIE = settings.LANGUAGE_COOKIE_NAME


def _reminder(user, key="test:lang:1"):
    return notify(
        template="portal/deadline_reminder",
        context={
            "step_label": "Check the registration (step 3)",
            "object": "Request #7",
            "due_at": timezone.now() + dt.timedelta(hours=3),
            "started_at": timezone.now(),
            "recipient": "Phạm Thu Hà",
        },
        dedupe_key=key,
        user=user,
    )


def test_switching_language_saves_it_on_the_logged_in_user(client_for):
    client = client_for("applicant")
    assert client.user.language == "vi"
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/work/"})
    assert response.status_code == 302
    client.user.refresh_from_db()
    assert client.user.language == "en"


def test_an_unknown_language_is_not_saved(client_for):
    client = client_for("applicant")
    client.post("/i18n/setlang/", {"language": "xx", "next": "/work/"})
    client.user.refresh_from_db()
    assert client.user.language == "vi"


def test_a_new_session_comes_back_in_the_saved_language(client, make_user):
    user = make_user("applicant", language="en")
    client.force_login(user)  # a new browser: no language cookie
    page = client.get("/work/")
    assert page.status_code == 200
    assert page["Content-Language"] == "en"
    assert "My work" in page.content.decode()
    user.language = "vi"
    user.save(update_fields=["language"])
    assert "Công việc của tôi" in client.get("/work/").content.decode()


def test_a_choice_made_before_logging_in_is_kept_on_the_user(client, make_user):
    from tests.factories import TEST_PASSWORD

    user = make_user("applicant")
    client.cookies[COOKIE] = "en"  # switched on the log-in page
    response = client.post("/login/", {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.language == "en"
    del client.cookies[COOKIE]  # another browser
    assert client.get("/work/")["Content-Language"] == "en"


def test_an_anonymous_visitor_follows_the_browser(client):
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en")["Content-Language"] == "en"
    assert client.get("/")["Content-Language"] == "vi"


def test_a_notification_is_shown_in_the_readers_language_not_the_writers(client, make_user):
    user = make_user("applicant", language="vi")
    with translation.override("en"):  # whoever caused it reads English
        row = _reminder(user)
    assert row.subject.startswith("Nhắc việc:")  # written in the recipient's language
    client.force_login(user)
    assert "Nhắc việc: Check the registration" in client.get("/notifications/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/notifications/"})
    page = client.get("/notifications/").content.decode()
    assert "Reminder: Check the registration (step 3)" in page
    assert "Nhắc việc" not in page


def test_a_mail_goes_out_in_the_recipients_language_of_the_moment(make_user):
    user = make_user(language="vi", email="ha@example.edu.vn")
    row = _reminder(user)
    assert row.language == "vi"
    user.language = "en"  # switched before the mail was sent
    user.save(update_fields=["language"])
    deliver_notification(row.pk)
    assert mail.outbox[0].subject.startswith("Reminder: Check the registration (step 3)")
    assert "Dear Phạm Thu Hà," in mail.outbox[0].body


def test_a_message_with_no_other_language_is_shown_as_written(make_user):
    row = _reminder(make_user(language="en"))
    Notification.objects.filter(pk=row.pk).update(alternates="")
    row.refresh_from_db()
    with translation.override("vi"):
        assert row.shown_subject.startswith("Reminder:")


def test_a_note_the_portal_wrote_is_translated_when_it_is_read():
    note = deferred("Merged into no. %(no)s", no=7) + "\nsame question"
    with translation.override("en"):
        assert shown(note) == "Merged into no. 7\nsame question"
    with translation.override("vi"):
        assert shown(note) == "Đã gộp vào số 7\nsame question"
    assert shown("as a person wrote it") == "as a person wrote it"


def test_a_name_in_a_note_is_shown_in_the_readers_language_and_falls_back_to_vietnamese():
    note = deferred(
        "%(old)s → %(new)s",
        old=both("Thư viện", "Library"),
        new=both("Phòng Thanh tra", ""),
    )
    with translation.override("en"):
        assert shown(note) == "Library → Phòng Thanh tra"
    with translation.override("vi"):
        assert shown(note) == "Thư viện → Phòng Thanh tra"


@pytest.mark.parametrize("language", ["vi", "en"])
def test_dates_are_dd_mm_yyyy_and_times_hanoi_time_in_both_languages(language):
    from django import forms
    from django.template import Context, Template
    from django.utils.formats import date_format

    moment = dt.datetime(2024, 4, 24, 1, 30, tzinfo=dt.UTC)  # 08:30 in Hanoi
    with translation.override(language):
        assert date_format(moment.date()) == "24/04/2024"
        shown = Template("{{ m|date:'SHORT_DATETIME_FORMAT' }} {{ m|date }}").render(
            Context({"m": moment})
        )
        assert shown == "08:30 24/04/2024 24/04/2024"
        assert forms.DateField().clean("24/04/2024") == dt.date(2024, 4, 24)
