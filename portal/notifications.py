"""The notification outbox: written with the state change, delivered by Celery, never lost.

    notify(template="accounts/request_received", context={...},
           dedupe_key="accounts:42:received", user=None, email="student@example.com")

`notify` renders the subject and body at once in the recipient's language, and beside it in
the portal's other languages (`alternates`: the mail goes out in the recipient's language of the
moment it is sent, the portal shows the reader's), and writes one row in the caller's
transaction; on commit a Celery task is queued to deliver it. If the broker is down, the row
waits as "queued" and `pick_up_notifications` (Celery beat, every minute) queues it again.
Delivery claims the row (queued → sending, with a lease) before it sends, so a redelivered task
sends nothing; a row stuck in "sending" past the lease (the worker died) is tried again — only a
crash between handing the mail over and recording it repeats that mail.

`write_notifications(rows)` is the same for many rows at once (the deadline sweep): one INSERT
for all of them, and on commit ONE task (`portal.deliver_notifications`) that delivers the
list, row by row, with the same claim. `MessageRenderer` renders a template once for many rows.
"""

import contextlib
import datetime as dt
import functools
import json
import logging
import re
import time

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import (
    IntegrityError,
    InterfaceError,
    OperationalError,
    connections,
    models,
    router,
    transaction,
)
from django.db.models import F
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.html import conditional_escape
from django.utils.translation import gettext_lazy as _

from .models import Channel, Notification, NotificationEvent
from .models import NotificationStatus as Status
from .sealing import _open_secrets, reveal, seal_secrets

log = logging.getLogger(__name__)


class OutboxError(Exception):
    """An outbox action that is not allowed (e.g. resending a mail that was sent)."""


def secret_lifetime() -> dt.timedelta:
    return dt.timedelta(hours=float(_setting("OUTBOX_SECRET_HOURS", 72)))


def redact_expired_secrets(now: dt.datetime | None = None) -> int:
    """Drop the stored secrets of rows older than OUTBOX_SECRET_HOURS (undelivered ones)."""
    now = now or timezone.now()
    return (
        Notification.objects.exclude(secrets="")
        .filter(created_at__lt=now - secret_lifetime())
        .update(secrets="")
    )


def _setting(name: str, default):
    return getattr(settings, name, default)


def max_attempts() -> int:
    return int(_setting("OUTBOX_MAX_ATTEMPTS", 5))


def retry_delay(attempts: int) -> dt.timedelta:
    """Exponential back-off after the n-th failed attempt: base, 2×, 4×… capped."""
    base = float(_setting("OUTBOX_RETRY_BASE_SECONDS", 60))
    cap = float(_setting("OUTBOX_RETRY_MAX_SECONDS", 3600))
    return dt.timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def lease() -> dt.timedelta:
    """How long a row may stay in "sending" before it is taken as abandoned by a dead worker."""
    return dt.timedelta(seconds=float(_setting("OUTBOX_LEASE_SECONDS", 300)))


def absolute_url(path: str) -> str:
    if not path or path.startswith(("http://", "https://")):
        return path
    return f"{settings.PORTAL_BASE_URL}{path}"


def _render_text(name: str, context: dict) -> str:
    # Plain text is not HTML: "&" and quotes in a name stay as they are.
    return get_template(name).template.render(Context(context, autoescape=False))


def render_message(template: str, context: dict, language: str) -> tuple[str, str, str]:
    """Subject, text body and HTML body (may be empty) of templates/emails/<template>_*."""
    with translation.override(language):
        subject, body, html = _render_raw(template, context)
    return _finish(subject, body, html)


def other_languages(language: str) -> list[str]:
    """The portal's languages but `language`: a message is written in each of them too."""
    return [code for code, _name in settings.LANGUAGES if code != language]


def render_languages(template: str, context: dict, language: str) -> tuple[tuple, dict]:
    """The message in `language` and, beside it, in every other language of the portal."""
    return render_message(template, context, language), {
        other: render_message(template, context, other) for other in other_languages(language)
    }


def _render_raw(template: str, context: dict) -> tuple[str, str, str]:
    subject = _render_text(f"emails/{template}_subject.txt", context)
    body = _render_text(f"emails/{template}_body.txt", context)
    try:
        html = render_to_string(f"emails/{template}_body.html", context)
    except TemplateDoesNotExist:
        html = ""
    return subject, body, html


def _finish(subject: str, body: str, html: str) -> tuple[str, str, str]:
    # Optional lines left empty by {% if %} leave no holes in the text.
    body = _BLANK_LINES.sub("\n\n", body)
    # A header line cannot hold a line break.
    subject = " ".join(subject.split())[:255]
    return subject, body.strip() + "\n", html


_BLANK_LINES = re.compile(r"\n[ \t]*(\n[ \t]*)+\n")

# A value's place in a template rendered once for many notifications (MessageRenderer).
_SLOT = "\u2983{}\u2984"
_SLOTS = re.compile("\u2983([A-Za-z0-9_]+)\u2984")


class MessageRenderer:
    """Render one template for many notifications: each template once per shape, not per row.

    The first message of a shape (its language and which context values are empty) renders
    the templates with a placeholder in place of every non-empty value, and cuts each text at
    its placeholders once; every message of that shape then only joins its values in between
    — no template render, no regular expression per row. The result is the same as
    render_message()'s, provided the template only prints the context's values or tests whether
    they are empty (no filters or comparisons on them): give it ready-made strings (dates
    already formatted).

        message = renderer.prepare(step_context, "vi", later=("recipient",))
        subject, body, html = message.fill(recipient="Phạm Thu Hà")   # per recipient
    """

    def __init__(self, template: str, frames: dict | None = None):
        self.template = template
        # shape → the subject, text body and HTML body, each cut at its placeholders; `frames`
        # (a dict kept by the caller) shares them between renderers of the same template.
        self._frames: dict[tuple, tuple[list, list, list]] = {} if frames is None else frames
        self._texts: dict[tuple, tuple[Promise, str]] = {}

    def prepare(self, context: dict, language: str, later: tuple = ()) -> "PreparedMessage":
        """Fill in `context` now; the values named in `later` (non-empty) come in fill()."""
        frame, values = self._frame(context, language, later)
        subject, body, html = frame
        return PreparedMessage(
            _join(subject, values), _join(body, values), _join(html, values, escape=True)
        )

    def render_languages(self, context: dict, language: str) -> tuple[tuple, dict]:
        """render() in `language` and in every other language (Notification.alternates)."""
        return self.render(context, language), {
            other: self.render(context, other) for other in other_languages(language)
        }

    def render(self, context: dict, language: str) -> tuple[str, str, str]:
        """Subject, text body and HTML body, as render_message() gives them."""
        (subject, body, html), values = self._frame(context, language, ())
        return _finish(_join(subject, values), _join(body, values), _join(html, values, True))

    def _frame(self, context: dict, language: str, later: tuple):
        # Lazy translations (a step's label, a role's name) in the recipient's language.
        context = {
            k: self._translated(v, language) if isinstance(v, Promise) else v
            for k, v in context.items()
        }
        # Empty values are rendered as they are (None, "" and [] print differently).
        shape = (language, tuple((k, repr(v) if not v else 1) for k, v in context.items()), later)
        frame = self._frames.get(shape)
        if frame is None:
            slots = {k: _SLOT.format(k) if v else v for k, v in context.items()}
            slots.update((k, _SLOT.format(k)) for k in later)
            with translation.override(language):
                texts = _render_raw(self.template, slots)
            frame = self._frames[shape] = tuple(_SLOTS.split(text) for text in texts)
        values = {k: str(v) for k, v in context.items() if v and k not in later}
        return frame, values

    def _translated(self, lazy: Promise, language: str) -> str:
        # The same few labels come back for every step: each translated once per language.
        # (The cache holds the lazy object itself, so its id cannot be reused meanwhile.)
        key = (id(lazy), language)
        if key not in self._texts:
            with translation.override(language):
                self._texts[key] = (lazy, str(lazy))
        return self._texts[key][1]


class PreparedMessage:
    """A message with every value filled in but those left for later (the recipient's name)."""

    def __init__(self, subject: str, body: str, html: str):
        self.subject, self.body, self.html = subject, body, html

    def fill(self, **values) -> tuple[str, str, str]:
        subject, body, html = self.subject, self.body, self.html
        for name, value in values.items():
            # Each placeholder left for later is replaced where it is (str.replace: no regular
            # expression per row); one without a value stays.
            slot, value = _SLOT.format(name), str(value)
            subject, body = subject.replace(slot, value), body.replace(slot, value)
            if html:
                html = html.replace(slot, conditional_escape(value))
        return _finish(subject, body, html)


def _join(parts: list, values: dict, escape: bool = False) -> str:
    """A text cut at its placeholders (_SLOTS.split: text, name, text, name, … text) with the
    values put in their places; a placeholder without a value stays for later."""
    if len(parts) == 1:
        return parts[0]
    out = parts[:]
    for i in range(1, len(out), 2):
        name = out[i]
        if name in values:
            out[i] = conditional_escape(values[name]) if escape else values[name]
        else:
            out[i] = _SLOT.format(name)
    return "".join(out)


def _event(notification, from_status, to_status, at, note="", actor=None):
    NotificationEvent.objects.create(
        notification=notification,
        at=at,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        note=note[:2000],
    )


# Only the task layer talks to the broker: PortalConfig.ready() hands portal.tasks' enqueue
# functions in here, so the outbox never imports its own tasks. Each returns False when the
# broker is down: the row stays queued and the pick-up queues it later.
_broker = {"one": lambda notification_id: False, "many": lambda notification_ids: False}


def use_broker(*, one, many) -> None:
    _broker.update(one=one, many=many)


def enqueue_delivery(notification_id: int) -> bool:
    return _broker["one"](notification_id)


def enqueue_deliveries(notification_ids: list[int]) -> bool:
    return _broker["many"](notification_ids)


def new_notification(**kwargs) -> Notification:
    """An unsaved outbox row (the arguments of notification_values), built the way Django
    builds a row it read: one value per field, in order (a third of Notification(**values)'s
    time, which the sweep pays 200 times a minute); the recipient attached as
    Notification(user=…) attaches it."""
    values = notification_values(**kwargs)
    user = values["user"]
    values["user_id"] = user.pk if user is not None else None
    row = Notification(
        *[
            values[name] if name in values else (make() if make else default)
            for name, default, make in _row_fields()
        ]
    )
    if user is not None:
        Notification.user.field.set_cached_value(row, user)
    return row


@functools.cache
def _row_fields() -> tuple[tuple[str, object, object], ...]:
    """(attname, default, callable default or None) of every concrete field, in the order
    Notification(*args) takes them: a fixed default is read once, a callable one per row."""
    return tuple(
        (
            f.attname,
            f.get_default(),
            f.get_default if f.has_default() and callable(f.default) else None,
        )
        for f in Notification._meta.concrete_fields
    )


# One encoder for every row (json.dumps with an option builds a new one per call).
_JSON = json.JSONEncoder(ensure_ascii=False)


def notification_values(
    *,
    template: str,
    dedupe_key: str,
    rendered: tuple[str, str, str],
    url: str = "",
    user=None,
    email: str = "",
    language: str = "vi",
    now: dt.datetime | None = None,
    secrets: str = "",
    alternates: dict | None = None,
) -> dict:
    """An outbox row's values: by e-mail when there is an address, else in the portal only.

    `alternates` ({language: (subject, body, html)}) is the message in the other languages:
    delivery and the portal pick the recipient's or reader's language of the moment."""
    subject, body, html = rendered
    url = str(url or "")
    address = email or (user.email if user is not None else "")
    by_mail = bool(address)
    now = now or timezone.now()
    return {
        "user": user,
        "email": address,
        "channel": Channel.EMAIL if by_mail else Channel.PORTAL,
        "language": language,
        "template": template,
        "subject": subject,
        "body": body,
        "body_html": html,
        "alternates": _JSON.encode({k: list(v) for k, v in alternates.items() if k != language})
        if alternates
        else "",
        # A secret link stays a placeholder (absolute_url leaves it as it is).
        "url": (url if url.startswith("\u2985") else absolute_url(url))[:500],
        "dedupe_key": dedupe_key,
        "secrets": secrets,
        "status": Status.QUEUED if by_mail else Status.SENT,
        "next_attempt_at": now if by_mail else None,
        "sent_at": None if by_mail else now,
    }


def recipient_language(user, language: str | None = None) -> str:
    return language or (getattr(user, "language", "") if user is not None else "") or "vi"


def notify(
    *,
    template: str,
    context: dict,
    dedupe_key: str,
    user=None,
    email: str = "",
    language: str | None = None,
) -> Notification:
    """Write one notification in the caller's transaction; deliver it after commit.

    The same `dedupe_key` never creates a second row: the existing one is returned.
    Values wrapped in Secret reach the recipient's mail only (see Secret).
    """
    existing = Notification.objects.filter(dedupe_key=dedupe_key).first()
    if existing:
        return existing
    if user is None and not email:
        raise ValueError("notify() needs a user or an e-mail address")
    language = recipient_language(user, language)
    context, sealed = seal_secrets(context)
    rendered, alternates = render_languages(template, context, language)
    row = new_notification(
        template=template,
        dedupe_key=dedupe_key,
        rendered=rendered,
        alternates=alternates,
        url=context.get("url", ""),
        user=user,
        email=email,
        language=language,
        secrets=sealed,
    )
    try:
        # A savepoint: a concurrent writer of the same key wins, the caller's transaction lives.
        with transaction.atomic():
            row.save(force_insert=True)
    except IntegrityError:
        return Notification.objects.get(dedupe_key=dedupe_key)
    if row.channel == Channel.EMAIL:
        transaction.on_commit(lambda: enqueue_delivery(row.pk))
    return row


def write_notifications(rows: list[Notification]) -> list[Notification]:
    """Write many unsaved rows in the caller's transaction; deliver them after commit.

    One INSERT … ON CONFLICT DO NOTHING whatever the number of rows: the unique dedupe key
    decides, so a key that exists already is skipped (also when a concurrent writer has just
    inserted it). On commit, ONE task delivers all the e-mails. Returns the rows really
    written by this call, with their ids.
    """
    unique = {}
    for row in rows:
        unique.setdefault(row.dedupe_key, row)
    if not unique:
        return []
    rows = list(unique.values())
    connection = connections[router.db_for_write(Notification)]
    if _can_insert_returning(connection):
        written = _insert_returning(connection, rows)
    else:
        written = _bulk_create_and_read_back(rows)
    mine = []
    for row in rows:
        if row.dedupe_key in written:
            row.pk = written[row.dedupe_key]
            row._state.adding = False
            row._state.db = connection.alias
            mine.append(row)
    ids = [row.pk for row in mine if row.channel == Channel.EMAIL]
    if ids:
        transaction.on_commit(lambda: enqueue_deliveries(ids))
    return mine


def write_new_notifications(rows: list[dict]) -> list[int]:
    """Many rows of notification_values() whose dedupe keys are new by construction — each
    names a row written in the same transaction (a bulk intake's events) — so no conflict is
    looked for: COPY on PostgreSQL (portal.bulkinsert), and a repeated key fails the
    transaction instead of being skipped. Delivered after commit as write_notifications' rows
    are. Returns the ids."""
    values = []
    for row in rows:
        row = dict(row)
        user = row.pop("user", None)
        row["user_id"] = user.pk if user is not None else None
        values.append(row)
    from .bulkinsert import insert_many

    ids = insert_many(Notification, {}, values)
    emails = [pk for pk, row in zip(ids, values, strict=True) if row["channel"] == Channel.EMAIL]
    if emails:
        transaction.on_commit(lambda: enqueue_deliveries(emails))
    return ids


def _bulk_create_and_read_back(rows: list[Notification]) -> dict[str, int]:
    """bulk_create(ignore_conflicts=True), then one read of the ids (two queries)."""
    Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    # bulk_create set each row's created_at; a row that already existed has another one.
    stamps = {row.dedupe_key: row.created_at for row in rows}
    return {
        key: pk
        for pk, key, created_at in Notification.objects.filter(
            dedupe_key__in=list(stamps)
        ).values_list("pk", "dedupe_key", "created_at")
        if created_at == stamps[key]
    }


# Field types whose Python values PostgreSQL's driver takes as they are (no get_db_prep_save).
_PLAIN_FIELDS = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.DateTimeField,
    models.ForeignKey,
)


def _can_insert_returning(connection) -> bool:
    return connection.vendor == "postgresql" and all(
        isinstance(f, _PLAIN_FIELDS) for f in Notification._meta.concrete_fields
    )


def _insert_returning(connection, rows: list[Notification]) -> dict[str, int]:
    """PostgreSQL: one INSERT … SELECT FROM json_populate_recordset(…) ON CONFLICT DO NOTHING
    RETURNING: the rows go as ONE JSON parameter (json.dumps, in C) instead of one array per
    column that the driver would quote value by value in Python (8 ms of the sweeping
    process's CPU for a sweep's 200 rows, 2 ms this way), and without Django compiling every
    value of every row. One query instead of bulk_create's two.
    """
    fields = [f for f in Notification._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    table = quote(Notification._meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    sql = (
        f"INSERT INTO {table} ({columns}) "
        f"SELECT {columns} FROM json_populate_recordset(NULL::{table}, %s) "
        f"ON CONFLICT DO NOTHING RETURNING {quote(Notification._meta.pk.column)}, "
        f"{quote(Notification._meta.get_field('dedupe_key').column)}"
    )
    # pre_save: created_at (auto_now_add) is set on each row as bulk_create would. Dates and
    # times go as ISO 8601 with their offset (PostgreSQL reads them back exactly).
    layout = [(f, f.column, _has_pre_save(f), isinstance(f, models.DateTimeField)) for f in fields]
    data = []
    for row in rows:
        values = {}
        for field, column, pre_save, is_datetime in layout:
            value = field.pre_save(row, True) if pre_save else getattr(row, field.attname)
            values[column] = _iso(value) if is_datetime and value is not None else value
        data.append(values)
    with connection.cursor() as cursor:
        cursor.execute(sql, [_JSON.encode(data)])
        return {key: pk for pk, key in cursor.fetchall()}


def _has_pre_save(field) -> bool:
    # Only the date fields with auto_now / auto_now_add change a value on save.
    return isinstance(field, models.DateTimeField) and (field.auto_now or field.auto_now_add)


def _iso(value: dt.datetime) -> str:
    # A naive one is taken in the portal's time zone, as Django's own writes take it.
    return (timezone.make_aware(value) if timezone.is_naive(value) else value).isoformat()


def sending_language(notification: Notification) -> str:
    """The recipient's language when the mail goes out: a user's saved language of the moment
    (they may have switched since the message was written), else the one it was written in."""
    if notification.user_id is not None:
        return recipient_language(notification.user, None)
    return notification.language


def build_email(notification: Notification) -> EmailMultiAlternatives:
    """The mail as the recipient gets it: the only place the secrets are put back."""
    values = _open_secrets(notification.secrets)
    office = _reply_to(notification.template)
    subject, body, html = notification.text_in(sending_language(notification))
    message = EmailMultiAlternatives(
        subject=reveal(subject, values),
        body=reveal(body, values),
        # A procedure with its own mailbox writes from it (MTT.QT06 step 5b: the MTT Office),
        # and the answer comes back to the mailbox the intake task reads.
        from_email=office[0] if office else settings.DEFAULT_FROM_EMAIL,
        to=[notification.email],
        reply_to=office,
        headers={
            # The same id on a repeated mail lets mail clients fold the duplicate.
            "Message-ID": f"<notification-{notification.pk}@{_message_domain()}>",
            "X-Portal-Notification": notification.dedupe_key,
        },
    )
    if html:
        message.attach_alternative(reveal(html, values, True), "text/html")
    return message


def _reply_to(template: str) -> list[str]:
    """The mailbox an app reads replies from (settings.NOTIFICATION_REPLY_TO: prefix -> address)."""
    for prefix, address in getattr(settings, "NOTIFICATION_REPLY_TO", {}).items():
        if address and template.startswith(prefix):
            return [address]
    return []


def _message_domain() -> str:
    host = settings.PORTAL_BASE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    return host or "portal.local"


def deliver_notification(notification_id: int, now: dt.datetime | None = None):
    """Send one queued notification. Returns when to try again, or None.

    Claims the row first: only the caller whose conditional update wins sends the mail, so a
    task delivered twice, or racing the pick-up, sends nothing the second time.
    """
    now = now or timezone.now()
    won = Notification.objects.filter(
        pk=notification_id, status=Status.QUEUED, next_attempt_at__lte=now
    ).update(status=Status.SENDING, sending_since=now, attempts=F("attempts") + 1)
    if not won:
        return None
    notification = Notification.objects.select_related("user").get(pk=notification_id)
    try:
        sent = build_email(notification).send(fail_silently=False)
        if not sent:
            raise OSError("the mail backend accepted no message")
    except Exception as exc:  # SMTP, DNS, socket: all are a failed attempt
        return _record_failure(notification, exc, now)
    # The server has the mail now: from here on, failing to record it would send it again
    # when the lease runs out. A database blip is waited out (issue 20, fault 2).
    _while_the_database_recovers(lambda: _record_sent(notification, now))
    return None


def _record_sent(notification, lease_start) -> None:
    # Conditional on our lease: if the pick-up took the row back meanwhile, it is theirs now.
    with transaction.atomic():
        done = Notification.objects.filter(
            pk=notification.pk, status=Status.SENDING, sending_since=lease_start
        ).update(
            status=Status.SENT,
            sent_at=timezone.now(),
            last_error="",
            next_attempt_at=None,
            # Delivered: the mail is the only working copy now.
            secrets="",
        )
        if done:
            _event(notification, Status.SENDING, Status.SENT, timezone.now())


def record_retry_window() -> float:
    """Seconds a worker keeps trying to record a mail the server accepted: minutes, but less
    than the lease, so the pick-up never takes back a row whose mail is being recorded."""
    window = float(_setting("OUTBOX_RECORD_RETRY_SECONDS", 240))
    return max(0.0, min(window, lease().total_seconds() * 0.8))


def _while_the_database_recovers(write, sleep=time.sleep) -> None:
    """Run `write` until it succeeds, retrying a lost database connection with back-off
    (0.5 s, 1 s, 2 s … 15 s) for up to `record_retry_window()` seconds, then give up (raise):
    the row stays "sending" and the lease hands it to the pick-up, which sends it again.

    Inside a caller's transaction nothing can be retried (the transaction is gone): it raises.
    """
    base = float(_setting("OUTBOX_RECORD_RETRY_BASE_SECONDS", 0.5))
    give_up_at = time.monotonic() + record_retry_window()
    attempt = 0
    while True:
        try:
            write()
            if attempt:
                log.warning("recorded after %d database retries", attempt)
            return
        except (OperationalError, InterfaceError) as exc:
            connection = connections[router.db_for_write(Notification)]
            if connection.in_atomic_block:
                raise
            attempt += 1
            pause = min(15.0, base * 2 ** (attempt - 1))
            if time.monotonic() + pause > give_up_at:
                log.error("giving up recording after %d attempts: %s", attempt, exc)
                raise
            log.warning("database unavailable while recording (%s); retry in %.1f s", exc, pause)
            # A broken connection is not reused: the next query opens a fresh one.
            with contextlib.suppress(Exception):  # the connection is gone already
                connection.close()
            sleep(pause)


def _record_failure(notification, exc, now):
    error = f"{type(exc).__name__}: {exc}"[:2000]
    final = notification.attempts >= max_attempts()
    next_at = None if final else now + retry_delay(notification.attempts)
    with transaction.atomic():
        # Conditional on our lease, as for success: a row the pick-up took back is not ours.
        mine = Notification.objects.filter(
            pk=notification.pk, status=Status.SENDING, sending_since=now
        ).update(
            status=Status.FAILED if final else Status.QUEUED,
            last_error=error,
            next_attempt_at=next_at,
        )
        if not mine:
            return None
        _event(
            notification,
            Status.SENDING,
            Status.FAILED if final else Status.QUEUED,
            timezone.now(),
            note=error,
        )
    log.warning(
        "notification %s attempt %s failed%s: %s",
        notification.pk,
        notification.attempts,
        " for the last time" if final else "",
        error,
    )
    return next_at


def pick_up_notifications(now: dt.datetime | None = None, enqueue: bool = True) -> dict:
    """Queue again what the broker lost or a dead worker left: the beat task's work.

    - "queued" rows whose next attempt is due (the broker was down, or a retry is due);
    - "sending" rows older than the lease (the worker died): back to "queued", or "failed"
      when that was the last attempt.
    """
    now = now or timezone.now()
    redact_expired_secrets(now)
    stuck_before = now - lease()
    recovered = failed = 0
    for row in Notification.objects.filter(
        status=Status.SENDING, sending_since__lt=stuck_before
    ).only("pk", "attempts", "sending_since"):
        final = row.attempts >= max_attempts()
        with transaction.atomic():
            won = Notification.objects.filter(
                pk=row.pk, status=Status.SENDING, sending_since=row.sending_since
            ).update(
                status=Status.FAILED if final else Status.QUEUED,
                next_attempt_at=None if final else now,
                last_error="The delivery did not finish (the worker stopped).",
            )
            if won:
                _event(
                    row,
                    Status.SENDING,
                    Status.FAILED if final else Status.QUEUED,
                    now,
                    note="lease expired",
                )
        if won:
            failed += final
            recovered += not final
    if not enqueue:
        return {"recovered": recovered, "failed": failed, "queued": 0, "waiting": 0}
    # A grace period leaves fresh rows to the task queued on commit or to the back-off's own
    # task; a row still queued after it was missed by the broker.
    grace = dt.timedelta(seconds=float(_setting("OUTBOX_PICK_UP_GRACE_SECONDS", 60)))
    ids = list(
        Notification.objects.filter(status=Status.QUEUED, next_attempt_at__lte=now - grace)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[: int(_setting("OUTBOX_PICK_UP_BATCH", 500))]
    )
    queued = sum(enqueue_delivery(pk) for pk in ids)
    return {"recovered": recovered, "failed": failed, "queued": queued, "waiting": len(ids)}


def resend_notification(notification_id: int, *, by=None) -> Notification:
    """Ops: give a failed notification a fresh set of attempts."""
    now = timezone.now()
    with transaction.atomic():
        won = Notification.objects.filter(pk=notification_id, status=Status.FAILED).update(
            status=Status.QUEUED, attempts=0, next_attempt_at=now, sending_since=None
        )
        if not won:
            raise OutboxError(_("Only a failed notification can be sent again."))
        notification = Notification.objects.get(pk=notification_id)
        _event(notification, Status.FAILED, Status.QUEUED, now, actor=by)
        transaction.on_commit(lambda: enqueue_delivery(notification_id))
    return notification


def mark_read(user, notification_id: int | None = None, now=None) -> int:
    """Mark one of the user's notifications (or all of them) read."""
    rows = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_id is not None:
        rows = rows.filter(pk=notification_id)
    return rows.update(read_at=now or timezone.now())
