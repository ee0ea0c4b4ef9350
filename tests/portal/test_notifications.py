"""notify(): one outbox row per notification, rendered at once, delivered after commit."""

import datetime as dt

import pytest
from django.db import connection, transaction

from portal import notifications
from portal.models import Channel, Notification, NotificationStatus
from portal.notifications import (
    MessageRenderer,
    PreparedMessage,
    new_notification,
    notify,
    recipient_language,
    render_message,
    write_notifications,
)

pytestmark = pytest.mark.django_db


def _notify(**kwargs):
    defaults = {
        "template": "portal/deadline_reminder",
        "context": {
            "step_label": "Check the registration (step 3)",
            "object": "Request #42 & more",
            "due_at": None,
            "started_at": None,
            "recipient": "Phạm Thu Hà",
        },
        "dedupe_key": "test:42:reminder",
    }
    return notify(**{**defaults, **kwargs})


def test_a_notification_is_rendered_in_the_recipients_language(make_user):
    user = make_user(language="en", email="ha@example.edu.vn")
    row = _notify(user=user)
    assert row.channel == Channel.EMAIL
    assert row.email == "ha@example.edu.vn"
    assert row.status == NotificationStatus.QUEUED
    assert row.subject.startswith("Reminder:")
    assert "Dear Phạm Thu Hà," in row.body
    assert "Request #42 & more" in row.body  # plain text is not HTML-escaped


def test_a_vietnamese_recipient_gets_vietnamese_text(make_user, settings):
    row = _notify(user=make_user(language="vi"))
    assert row.language == "vi"


def test_the_same_dedupe_key_never_creates_a_second_row(make_user):
    user = make_user()
    first = _notify(user=user)
    second = _notify(user=user, context={"recipient": "someone else"})
    assert second.pk == first.pk
    assert Notification.objects.count() == 1


def test_a_public_applicant_is_notified_by_address_alone():
    row = _notify(email="student@example.com")
    assert row.user is None
    assert row.email == "student@example.com"


def test_a_user_without_an_address_sees_it_in_the_portal_only(make_user):
    row = _notify(user=make_user(email=""))
    assert row.channel == Channel.PORTAL
    assert row.status == NotificationStatus.SENT


def test_delivery_is_queued_only_when_the_transaction_commits(
    make_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        _notify(user=make_user())
    assert len(callbacks) == 1


def test_nothing_is_queued_when_the_state_change_rolls_back(
    make_user, django_capture_on_commit_callbacks
):
    user = make_user()
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _notify(user=user)
        raise RuntimeError("the service failed")
    assert callbacks == []
    assert not Notification.objects.exists()


def test_a_notification_needs_a_recipient():
    with pytest.raises(ValueError):
        _notify()


# --- Many at once: the deadline sweep's path ----------------------------------------------


def test_a_template_rendered_once_for_many_gives_the_same_text_as_rendering_each(settings):
    """MessageRenderer fills a template rendered once with placeholders: every shape of the
    deadline templates (held by a person or a role, with or without a link, a name with
    "&" and quotes, both languages) reads exactly as render_message() renders it."""
    due = dt.datetime(2025, 3, 11, 2, 0, tzinfo=dt.UTC)  # 09:00 in Hanoi
    started = dt.datetime(2025, 3, 10, 2, 0, tzinfo=dt.UTC)
    shapes = [
        {"holder_user": "Phạm Thu Hà", "holder_role": "Văn phòng MTT", "url": "https://x/1"},
        {"holder_user": "", "holder_role": "Văn phòng MTT", "url": ""},
        {"holder_user": "", "holder_role": "", "url": "https://x/2"},
    ]
    for template in ("portal/deadline_reminder", "portal/deadline_escalation"):
        renderer = MessageRenderer(template)
        for language in ("vi", "en"):
            for n, shape in enumerate(shapes):
                common = {
                    "step_label": f'Kiểm tra "hồ sơ" & số {n}',
                    "object": f"Yêu cầu #{n} <BM01>",
                    **shape,
                }
                name = f"Lê Thị Thu {n}"
                expected = render_message(
                    template,
                    {**common, "due_at": due, "started_at": started, "recipient": name},
                    language,
                )
                texts = {"due_text": "11/03/2025 09:00", "started_text": "10/03/2025 09:00"}
                message = renderer.prepare(
                    {**common, "due_at": None, "started_at": None, **texts},
                    language,
                    later=("recipient",),
                )
                assert message.fill(recipient=name) == expected
                one = {**common, "due_at": None, "started_at": None, **texts, "recipient": name}
                assert renderer.render(one, language) == expected
    # Once per language and shape, with the recipient's name filled in now or later.
    assert len(renderer._frames) == 2 * 2 * len(shapes)


def test_a_rendered_html_body_gets_its_values_escaped():
    message = PreparedMessage("", "", "<p>\u2983name\u2984</p>")
    assert message.fill(name="<b>Hà</b> & co")[2] == "<p>&lt;b&gt;Hà&lt;/b&gt; &amp; co</p>"


@pytest.fixture(params=["insert_returning", "bulk_create"])
def insert_queries(request, monkeypatch):
    """Both ways of writing many rows: PostgreSQL's INSERT … RETURNING (one query), and
    bulk_create(ignore_conflicts=True) with a read of the ids (two) where it is not used."""
    if request.param == "bulk_create":
        monkeypatch.setattr(notifications, "_can_insert_returning", lambda connection: False)
        return 2
    assert notifications._can_insert_returning(connection)  # the suite runs on PostgreSQL
    return 1


def rows_for(users, prefix="batch"):
    return [
        new_notification(
            template="portal/deadline_reminder",
            dedupe_key=f"{prefix}:{user.pk}",
            rendered=("Subject", "Body\n", ""),
            user=user,
            language=recipient_language(user),
        )
        for user in users
    ]


def test_many_rows_are_written_with_one_insert_and_delivered_by_one_task(
    make_user,
    insert_queries,
    django_assert_num_queries,
    django_capture_on_commit_callbacks,
    monkeypatch,
):
    published = []
    monkeypatch.setattr(
        "portal.notifications.enqueue_deliveries", lambda ids: published.append(ids) or True
    )
    users = [make_user(email=f"u{i}@example.edu.vn") for i in range(20)] + [make_user(email="")]
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        transaction.atomic(),
        django_assert_num_queries(insert_queries),
    ):
        written = write_notifications(rows_for(users))
    assert len(written) == 21 and all(row.pk for row in written)
    stored = Notification.objects.get(pk=written[0].pk)
    assert (stored.user, stored.dedupe_key, stored.status) == (
        users[0],
        written[0].dedupe_key,
        "queued",
    )
    assert stored.created_at == written[0].created_at and stored.next_attempt_at
    assert len(callbacks) == 1
    # One task for the e-mails; the one without an address is in the portal only.
    assert published == [[row.pk for row in written if row.channel == Channel.EMAIL]]
    assert len(published[0]) == 20
    assert Notification.objects.get(user=users[-1]).status == NotificationStatus.SENT


def test_writing_rows_again_writes_and_queues_only_the_new_keys(
    make_user, insert_queries, monkeypatch, django_capture_on_commit_callbacks
):
    published = []
    monkeypatch.setattr(
        "portal.notifications.enqueue_deliveries", lambda ids: published.append(ids) or True
    )
    first, second = make_user(), make_user()
    with django_capture_on_commit_callbacks(execute=True):
        (old,) = write_notifications(rows_for([first]))
    rows = rows_for([first, second]) + rows_for([second])  # a key twice in the list
    with django_capture_on_commit_callbacks(execute=True):
        written = write_notifications(rows)
    assert [row.user for row in written] == [second]
    assert Notification.objects.count() == 2
    assert Notification.objects.get(user=first).pk == old.pk
    assert published[-1] == [written[0].pk]


def test_nothing_of_a_batch_is_queued_when_its_transaction_rolls_back(
    make_user, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        write_notifications(rows_for([make_user(), make_user()]))
        raise RuntimeError("the sweep died")
    assert callbacks == []
    assert not Notification.objects.exists()


def test_many_rows_keep_their_text_and_times_exactly_as_written(make_user, insert_queries):
    """What the one INSERT sends (one JSON document on PostgreSQL) comes back character for
    character: quotes, backslashes, line breaks and tabs, Vietnamese and other scripts, text
    that looks like JSON or a placeholder, and the times to the microsecond."""
    user = make_user(email="ha@example.edu.vn")
    tricky = 'Hồ sơ "BM01" \\ C:\\path\\n\t{"a": [1, null]} ⦃recipient⦄ 😀 \u2028 Ω'
    when = dt.datetime(2025, 3, 11, 2, 0, 0, 123456, tzinfo=dt.UTC)
    row = new_notification(
        template="portal/deadline_reminder",
        dedupe_key="round:trip",
        rendered=(tricky[:255], tricky + "\n\nline 3\n", "<p>&amp; é</p>"),
        alternates={"en": ("Subject", "Body " + tricky, "")},
        user=user,
        url="/accounts/requests/1/",
        language="vi",
        now=when,
    )
    (written,) = write_notifications([row])
    stored = Notification.objects.get(pk=written.pk)
    for name in ("subject", "body", "body_html", "alternates", "url", "email", "template"):
        assert getattr(stored, name) == getattr(row, name), name
    assert stored.text_in("en") == ("Subject", "Body " + tricky, "")
    assert stored.next_attempt_at == when and stored.created_at == written.created_at
    assert (stored.user, stored.language, stored.secrets, stored.attempts) == (user, "vi", "", 0)
