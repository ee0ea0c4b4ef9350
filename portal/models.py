import json
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.db import connections, models, router
from django.utils.functional import cached_property
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .roles import Role
from .sealing import redact
from .validators import validate_person_name


class User(AbstractUser):
    """A person who logs in. Roles are Django groups named after `Role` values."""

    full_name = models.CharField(
        _("full name"), max_length=150, blank=True, validators=[validate_person_name]
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="vi",
        help_text=_("The language of the e-mails and notifications this person receives."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username

    @cached_property
    def role_names(self) -> frozenset[str]:
        """The names of the person's groups: read on every staff page (the gate, the menus),
        so as one plain SQL statement: the many-to-many manager's queryset cost five times the
        query's own time to build (issue 15)."""
        if not self.is_authenticated or not self.pk:
            return frozenset()
        membership = self._meta.get_field("groups").remote_field.through._meta.db_table
        group = self._meta.get_field("groups").related_model._meta.db_table
        with connections[router.db_for_read(type(self))].cursor() as cursor:
            cursor.execute(
                f"SELECT g.name FROM {group} g JOIN {membership} m ON m.group_id = g.id "  # noqa: S608 — table names from the models
                "WHERE m.user_id = %s",
                [self.pk],
            )
            return frozenset(name for (name,) in cursor.fetchall())

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_names.intersection(str(r) for r in roles))

    @property
    def roles(self) -> list[Role]:
        return [r for r in Role if r.value in self.role_names]


# --- The deadlines and notifications engine ------------------------------------------------
# portal knows no app: a step points at its workflow object through a content type and an id,
# and an app says who holds a step and who is escalated to (portal.deadlines).


class Calendar(models.TextChoices):
    WALL = "wall", _("Wall-clock hours")
    WORKING = "working", _("Working hours (Vietnamese calendar)")


# --- the step-type registry -----------------------------------------------------------------
# Each app registers its kinds of step once (AppConfig.ready) through portal.deadlines. The
# registry sits beside DeadlineStep, which shows their labels, so that the model needs nothing
# from the engine above it.


@dataclass(frozen=True)
class StepType:
    key: str
    label: str
    hours: float
    recipients: str | None = None
    reminder_at: float = 0.75
    calendar: str = Calendar.WALL

    @property
    def allowed_hours(self) -> float:
        """The allowed time, unless settings.DEADLINE_HOURS overrides it for this key."""
        return float(getattr(settings, "DEADLINE_HOURS", {}).get(self.key, self.hours))

    @property
    def clock(self) -> str:
        return getattr(settings, "DEADLINE_CALENDARS", {}).get(self.key, self.calendar)


_step_types: dict[str, StepType] = {}


def register_step_type(
    key: str,
    *,
    label,
    hours: float,
    recipients: str | None = None,
    reminder_at: float = 0.75,
    calendar: str = Calendar.WALL,
) -> StepType:
    """Declare a kind of step ("<app>.<step>") with its allowed time and policy.

    `recipients` is the dotted path of `callable(step, kind) -> list[User]`; without one the
    holders are reminded and the head role of DEFAULT_ESCALATE_TO is escalated to.
    """
    if calendar not in Calendar.values:
        raise ValueError(f"calendar must be one of {Calendar.values}, not {calendar!r}")
    if not 0 < reminder_at < 1:
        raise ValueError("reminder_at is a fraction of the allowed time, between 0 and 1")
    step_type = StepType(key, label, hours, recipients, reminder_at, str(calendar))
    _step_types[key] = step_type
    return step_type


def get_step_type(key: str) -> StepType:
    try:
        return _step_types[key]
    except KeyError:
        raise LookupError(
            f"Unknown step type {key!r}: register it with register_step_type() in ready()"
        ) from None


def step_type_label(key: str):
    step_type = _step_types.get(key)
    return step_type.label if step_type else key


def registered_step_types() -> list[StepType]:
    return sorted(_step_types.values(), key=lambda s: s.key)


class DeadlineStepQuerySet(models.QuerySet):
    def for_object(self, obj):
        from django.contrib.contenttypes.models import ContentType

        return self.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
        ).order_by("started_at", "pk")

    def open(self):
        return self.filter(closed_at__isnull=True)


class DeadlineStep(models.Model):
    """One step of a workflow that must be done by `due_at`.

    Entering a step opens a row; leaving it closes the row. The sweep reminds the holders at
    `remind_at` and escalates to the head of the holding role at `due_at`, each exactly once:
    `reminded_at` / `escalated_at` are claimed by a conditional update, and the notifications
    carry a unique dedupe key made of the step and the kind.
    """

    step_type = models.CharField(_("step type"), max_length=64)
    # No index of its own: deadline_object_idx (content_type, object_id) serves it, and every
    # claim of the sweep (a non-HOT update) writes one index entry fewer.
    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    # Text, so that any primary key (integer or UUID) fits.
    object_id = models.CharField(max_length=64)
    target = GenericForeignKey("content_type", "object_id")

    started_at = models.DateTimeField(_("started at"))
    hours = models.DecimalField(_("allowed hours"), max_digits=8, decimal_places=2)
    calendar = models.CharField(
        _("clock"), max_length=8, choices=Calendar.choices, default=Calendar.WALL
    )
    remind_at = models.DateTimeField(_("reminder at"), null=True, blank=True)
    due_at = models.DateTimeField(_("due at"))

    holder_role = models.CharField(_("holding role"), max_length=64, blank=True)
    holder_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("holder"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # office.Unit's id; portal does not import office.
    holder_unit_id = models.PositiveBigIntegerField(_("holding unit"), null=True, blank=True)

    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DeadlineStepQuerySet.as_manager()

    class Meta:
        verbose_name = _("deadline step")
        verbose_name_plural = _("deadline steps")
        indexes = [
            # The sweep reads only these two partial indexes, each from its oldest entry up to
            # `now`: the rows it reads are the rows that are due, however many are open.
            models.Index(
                fields=["remind_at"],
                condition=models.Q(
                    closed_at__isnull=True, reminded_at__isnull=True, remind_at__isnull=False
                ),
                name="deadline_remind_pending_idx",
            ),
            models.Index(
                fields=["due_at"],
                condition=models.Q(closed_at__isnull=True, escalated_at__isnull=True),
                name="deadline_escalate_pending_idx",
            ),
            # The ops page: open steps by due time (closed_at IS NULL, then due_at). Not a
            # partial index on due_at: the planner would take it for the escalation sweep and
            # read every overdue open step, escalated or not, instead of the pending ones.
            models.Index(fields=["closed_at", "due_at"], name="deadline_closed_due_idx"),
            models.Index(fields=["content_type", "object_id"], name="deadline_object_idx"),
        ]
        constraints = [
            # One open step of a type per object: opening it again updates the holder.
            models.UniqueConstraint(
                fields=["content_type", "object_id", "step_type"],
                condition=models.Q(closed_at__isnull=True),
                name="deadline_one_open_step_per_type",
            ),
        ]

    def __str__(self):
        return f"{self.label} · {self.content_type.model} #{self.object_id}"

    @property
    def label(self):
        return step_type_label(self.step_type)

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def is_overdue(self, now=None) -> bool:
        from django.utils import timezone

        return self.is_open and self.due_at <= (now or timezone.now())

    @property
    def holder_role_label(self):
        try:
            return Role(self.holder_role).label
        except ValueError:
            return self.holder_role


class NotificationStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PORTAL = "portal", _("In the portal only")


class Notification(models.Model):
    """The outbox: one row per notification to one recipient.

    Written in the transaction of the state change that causes it; a Celery task queued on
    commit delivers it. `dedupe_key` is unique: the same notification is never created twice.
    Delivery claims the row (queued → sending, `sending_since` is the lease) before sending.
    """

    # No index of its own: notif_user_created_idx (user, -created_at) serves it, and each of
    # the sweep's INSERTs writes one index entry fewer per row.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        db_index=False,
    )
    email = models.EmailField(_("e-mail address"), blank=True)
    channel = models.CharField(
        _("channel"), max_length=8, choices=Channel.choices, default=Channel.EMAIL
    )
    language = models.CharField(_("language"), max_length=8, default="vi")
    template = models.CharField(_("template"), max_length=120)
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("body"))
    body_html = models.TextField(_("HTML body"), blank=True)
    # The same message in the portal's other languages, as JSON {language: [subject, body,
    # html]}: the mail goes out, and the portal shows it, in the language of the recipient or
    # reader at that moment, not in the one they had when it was written (issue 13).
    alternates = models.TextField(_("other languages"), blank=True, default="", editable=False)
    url = models.CharField(_("link"), max_length=500, blank=True)
    # Unique by the constraint in Meta (not unique=True, which adds a second, LIKE-pattern index
    # nothing reads: each row the sweep inserts would write it too).
    dedupe_key = models.CharField(_("dedupe key"), max_length=200)
    # The secret values of the message (Fernet-encrypted JSON), put back only into the mail
    # handed to the server; emptied once delivered or expired (portal.sealing.Secret).
    secrets = models.TextField(_("sealed secrets"), blank=True, default="", editable=False)

    status = models.CharField(
        _("status"),
        max_length=8,
        choices=NotificationStatus.choices,
        default=NotificationStatus.QUEUED,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    sending_since = models.DateTimeField(_("sending since"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        permissions = [
            (
                "view_ops",
                _("Can see the outbox and the portal's deadlines and resend notifications"),
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["dedupe_key"], name="notif_dedupe_key_unique"),
        ]
        indexes = [
            # The bell: a count over one person's unread rows.
            models.Index(
                fields=["user"], condition=models.Q(read_at__isnull=True), name="notif_unread_idx"
            ),
            models.Index(fields=["user", "-created_at"], name="notif_user_created_idx"),
            # The pick-up task: rows waiting for delivery or stuck in it.
            models.Index(
                fields=["status", "next_attempt_at"],
                condition=models.Q(status__in=["queued", "sending"]),
                name="notif_pending_idx",
            ),
            models.Index(fields=["status", "-created_at"], name="notif_status_created_idx"),
            # The redaction of expired secrets: only rows that still hold one.
            models.Index(
                fields=["created_at"],
                condition=~models.Q(secrets=""),
                name="notif_sealed_idx",
            ),
        ]

    def __str__(self):
        return f"{self.shown_subject} → {self.recipient_label}"

    def _other_language(self, language: str | None) -> list | None:
        """[subject, body, html] in `language` when it is not the written one and is kept.
        A page that did not read the other languages shows the message as written (never a
        query per row)."""
        if not language or {"language", "alternates"} & self.get_deferred_fields():
            return None
        if language == self.language or not self.alternates:
            return None
        return json.loads(self.alternates).get(language)

    def text_in(self, language: str | None) -> tuple[str, str, str]:
        """Subject, text body and HTML body in `language` (the written ones when it has none)."""
        other = self._other_language(language)
        if other:
            return other[0], other[1], other[2]
        return self.subject, self.body, self.body_html

    # What pages, the admin and exports show, in the reader's language: secrets replaced by a
    # note.
    @property
    def shown_subject(self) -> str:
        other = self._other_language(get_language())
        return redact(other[0] if other else self.subject)

    @property
    def shown_body(self) -> str:
        other = self._other_language(get_language())
        return redact(other[1] if other else self.body)

    @property
    def shown_url(self) -> str:
        return "" if self.url.startswith("\u2985") else self.url

    @property
    def recipient_label(self) -> str:
        if self.user_id:
            return f"{self.user} <{self.email}>" if self.email else str(self.user)
        return self.email


class RateCounter(models.Model):
    """One rate-limit counter (portal.ratecache): a key, a count, until when it counts."""

    key = models.CharField(max_length=250, primary_key=True)
    value = models.BigIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("rate-limit counter")
        verbose_name_plural = _("rate-limit counters")

    def __str__(self):
        return f"{self.key}: {self.value}"


class NotificationEvent(models.Model):
    """What happened to a notification: sent, retried, failed, resent by ops. Never edited."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    from_status = models.CharField(_("from"), max_length=8, choices=NotificationStatus.choices)
    to_status = models.CharField(_("to"), max_length=8, choices=NotificationStatus.choices)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("notification event")
        verbose_name_plural = _("notification events")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.from_status} → {self.to_status} @ {self.at:%Y-%m-%d %H:%M}"


# --- Personal data (Decree 13/2023/NĐ-CP) ----------------------------------------------------
# portal knows no app: apps register what they hold about a person (portal.privacy).


class PrivacyNotice(models.Model):
    """A version of the notice every form collecting personal data shows. A consent points at
    the version the person saw; a new wording is a new row, never an edit."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    published_at = models.DateTimeField(_("published at"))
    summary = models.CharField(_("what changed"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("privacy notice")
        verbose_name_plural = _("privacy notices")
        ordering = ["-version"]

    def __str__(self):
        return f"v{self.version}"


class Consent(models.Model):
    """That the person who sent a form agreed to the notice of `notice`'s version."""

    notice = models.ForeignKey(
        PrivacyNotice, on_delete=models.PROTECT, related_name="consents", verbose_name=_("notice")
    )
    form = models.CharField(_("form"), max_length=40)
    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64)
    target = GenericForeignKey("content_type", "object_id")
    given_at = models.DateTimeField(_("given at"))
    language = models.CharField(_("language"), max_length=8, blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        indexes = [models.Index(fields=["content_type", "object_id"], name="portal_consent_target")]

    def __str__(self):
        return f"{self.form} #{self.object_id} v{self.notice_id}"


class PrivacyAction(models.TextChoices):
    RETENTION = "retention", _("Retention: closed records anonymised")
    EXPORT = "export", _("Personal data exported")
    ANONYMISE = "anonymise", _("Anonymised on request")


class PrivacyLogEntry(models.Model):
    """Every retention run and every export or anonymisation by data protection. Immutable."""

    action = models.CharField(_("action"), max_length=20, choices=PrivacyAction)
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("by"),
    )
    subject = models.CharField(_("about"), max_length=200, blank=True)
    counts = models.JSONField(_("counts"), default=dict)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("personal-data log entry")
        verbose_name_plural = _("personal-data log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["action", "-at"], name="portal_privacylog_action_at")]

    def __str__(self):
        return f"{self.action} {self.at:%Y-%m-%d %H:%M}"

    @property
    def total(self) -> int:
        return sum(self.counts.values())


# --- Sign-in with the university's identity (portal.identity) -------------------------------
# The directory (OpenID Connect provider or LDAP) says which groups a person is in; admins map a
# group to a portal role and, where the role is scoped, a unit. The mapping is applied at each
# sign-in: what the directory no longer gives is taken away, and every change is audited.


def role_label(value: str) -> str:
    # Role values are stored without `choices`, so adding a role needs no migration here.
    try:
        return str(Role(value).label)
    except ValueError:
        return value


class IdentitySource(models.TextChoices):
    ANY = "any", _("Any sign-in")
    OIDC = "oidc", _("University account (OpenID Connect)")
    LDAP = "ldap", _("LDAP directory")


class GroupRoleMapping(models.Model):
    """A group (or a claim value) of the university's directory → a portal role in a unit."""

    source = models.CharField(
        _("sign-in"), max_length=8, choices=IdentitySource.choices, default=IdentitySource.ANY
    )
    group = models.CharField(
        _("group or claim value"),
        max_length=255,
        help_text=_(
            "As the directory sends it: a group name, an LDAP group's DN, an Entra ID group's "
            "object ID or an app role. Compared without regard to case."
        ),
    )
    role = models.CharField(_("role"), max_length=64)
    unit_code = models.CharField(
        _("unit"),
        max_length=40,
        blank=True,
        help_text=_("The office directory unit the role applies to (its code). Empty: none."),
    )
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("group → role mapping")
        verbose_name_plural = _("group → role mappings")
        ordering = ["group", "role", "unit_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "group", "role", "unit_code"], name="identity_mapping_unique"
            )
        ]

    def __str__(self):
        unit = f" · {self.unit_code}" if self.unit_code else ""
        return f"{self.group} → {role_label(self.role)}{unit}"


class RoleGrant(models.Model):
    """A role (in a unit) that the directory gives a person now, from their last sign-in."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_grants"
    )
    role = models.CharField(_("role"), max_length=64)
    unit_code = models.CharField(_("unit"), max_length=40, blank=True)
    source = models.CharField(_("sign-in"), max_length=8, choices=IdentitySource.choices)
    group = models.CharField(_("from group"), max_length=255)
    granted_at = models.DateTimeField(_("granted at"))

    class Meta:
        verbose_name = _("role from the directory")
        verbose_name_plural = _("roles from the directory")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "unit_code"], name="identity_grant_unique"
            )
        ]
        indexes = [models.Index(fields=["unit_code"], name="identity_grant_unit_idx")]

    def __str__(self):
        return f"{self.user} · {role_label(self.role)} {self.unit_code}".strip()


class RoleChange(models.Model):
    """The audit trail of roles: who gained or lost which role (in which unit), when, why.

    Never edited or deleted, not even through the admin; the user's name is kept as text so the
    row outlives the account.
    """

    class Action(models.TextChoices):
        GRANTED = "granted", _("granted")
        REVOKED = "revoked", _("revoked")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="role_changes",
    )
    username = models.CharField(_("user name"), max_length=150)
    at = models.DateTimeField(_("when"), db_index=True)
    action = models.CharField(_("change"), max_length=8, choices=Action.choices)
    role = models.CharField(_("role"), max_length=64)
    unit_code = models.CharField(_("unit"), max_length=40, blank=True)
    # Where the change came from: a sign-in through the directory, or a change by hand (admin).
    source = models.CharField(
        _("source"),
        max_length=8,
        choices=[*IdentitySource.choices, ("manual", _("by hand"))],
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("role change")
        verbose_name_plural = _("role changes")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["user", "-at"], name="identity_change_user_idx")]

    def __str__(self):
        return f"{self.at:%d/%m/%Y %H:%M} {self.username} {self.action} {self.role}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Role changes are immutable.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Role changes are immutable.")
