"""Procedure MTT.QT06 (seed 004): e-mail account requests, their history, the registries the
MTT Office checks them against, and the permanent issuance log (CreateEmailHUST-log).

Nothing here changes `status`: the services in accounts/services/ do, one per step.
"""

import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from office.models import unit_name_in_language
from portal.deferred import shown
from portal.text import fold
from portal.uploads import RandomName

from .phones import display_mobile


class PersonKind(models.TextChoices):
    STAFF = "staff", _("Staff member")
    STUDENT = "student", _("Student")


class RequestKind(models.TextChoices):
    NEW_ACCOUNT = "new_account", _("New account")
    PASSWORD_RESET = "password_reset", _("Password reset")


class Status(models.TextChoices):
    DRAFT = "draft", _("Received by e-mail, awaiting confirmation")
    SUBMITTED = "submitted", _("Received")
    IN_REVIEW = "in_review", _("Being checked")
    REJECTED = "rejected", _("Returned for correction")
    VERIFIED = "verified", _("Checked, awaiting issuance")
    ISSUED = "issued", _("Issued, awaiting the log entry")
    RECORDED = "recorded", _("Logged, awaiting notification")
    NOTIFIED = "notified", _("Result sent")
    # Closed: a second request of a person who already had one (issue 12 §1).
    MERGED = "merged", _("Merged into an earlier request")


# The step of the procedure each status waits on, and the role holding it (seed 004 §5.2).
STEP_OF_STATUS = {
    Status.DRAFT: "accounts.review",  # the clock runs from the message's receipt (issue 18)
    Status.SUBMITTED: "accounts.review",
    Status.IN_REVIEW: "accounts.review",
    Status.VERIFIED: "accounts.issue",
    Status.ISSUED: "accounts.record",
    Status.RECORDED: "accounts.notify",
}
HOLDER_OF_STEP = {
    "accounts.review": "mtt_office",
    "accounts.issue": "mtt_technician",
    "accounts.record": "mtt_account_manager",
    "accounts.notify": "mtt_office",
}
OPEN_STATUSES = tuple(STEP_OF_STATUS)
# BM03's outcome columns and the colour of each: the status badges everywhere take the colour of
# the outcome BM03 counts them in, so the report's legend and every badge agree (issue 12 §5).
OUTCOMES = {
    "done": (Status.ISSUED, Status.RECORDED, Status.NOTIFIED),
    "returned": (Status.REJECTED,),
    "open": (Status.DRAFT, Status.SUBMITTED, Status.IN_REVIEW, Status.VERIFIED),
}
OUTCOME_BADGE = {"done": "success", "returned": "warning", "open": "primary"}
# The review queue's default filter (step 3): its partial index keeps the page's cost the same at
# 100,000 and at 1,000,000 requests, where most rows are long closed.
REVIEW_STATUSES = (Status.DRAFT, Status.SUBMITTED, Status.IN_REVIEW)
STATUS_BADGE = {
    **{status: OUTCOME_BADGE[outcome] for outcome, group in OUTCOMES.items() for status in group},
    Status.MERGED: "light border",  # not counted: BM03 counts the request it joined
}


def full_name_of(family_and_middle_names: str, given_name: str) -> str:
    return f"{family_and_middle_names} {given_name}".strip()


def form_code_of(person_kind: str) -> str:
    return "MTT.QT06.BM01" if person_kind == PersonKind.STAFF else "MTT.QT06.BM02"


def search_key_of(get) -> str:
    """A request's search_key from its values (`get(field name)`; a bulk intake gives a dict's
    get, before there is a model instance)."""
    mobile = get("mobile_phone")
    parts = [
        get("reference"),
        get("family_and_middle_names"),
        get("given_name"),
        get("person_id"),
        get("citizen_id"),
        mobile,
        mobile.replace("+84", "0") if mobile else "",
        get("contact_email"),
        get("existing_address"),
        get("issued_address"),
        get("unit_name"),
        get("student_class"),
    ]
    return fold(" ".join(p for p in parts if p))


def new_tracking_token() -> str:
    return secrets.token_urlsafe(32)


def tracking_columns(token: str) -> dict:
    """What a request's row keeps of its tracking token: its digest (to find it) and a sealed
    copy (to write the link again); never the token itself."""
    from .crypto import seal_token, token_digest

    return {"tracking_digest": token_digest(token), "tracking_sealed": seal_token(token)}


class Batch(models.Model):
    """One bulk upload by a unit (many BM01/BM02 rows in one CSV/XLSX file)."""

    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    file_name = models.CharField(_("file name"), max_length=255)
    row_count = models.PositiveIntegerField(_("rows"), default=0)

    class Meta:
        verbose_name = _("bulk upload")
        verbose_name_plural = _("bulk uploads")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.file_name} ({self.row_count})"


class AccountRequest(models.Model):
    """A BM01 (staff) or BM02 (student) request: a new account or a password reset."""

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    # The tracking link's token is never stored as it is: its digest finds the request, and an
    # encrypted copy shows the link again to whoever holds it (issue 10 §1). See set_tracking_token.
    tracking_digest = models.CharField(max_length=64, unique=True, editable=False)
    tracking_sealed = models.TextField(editable=False)
    # The form's one-time token: a double submit finds the request the first submit created.
    idempotency_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    person_kind = models.CharField(_("staff / student"), max_length=10, choices=PersonKind)
    request_kind = models.CharField(_("request"), max_length=20, choices=RequestKind)
    family_and_middle_names = models.CharField(_("family and middle names"), max_length=100)
    given_name = models.CharField(_("given name"), max_length=50)
    # Empty only on a draft read from an e-mail until staff confirm it, and once the retention
    # period has passed (portal.privacy); the forms require it.
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    person_id = models.CharField(_("staff or student ID"), max_length=20)
    # The citizen ID (CCCD, 12 digits): optional, one more way to find the same person among
    # requests and accounts (issue 12 §1). Staff see it; the applicant's tracking page, the
    # printed form, mail and exports for the mail system never show it.
    citizen_id = models.CharField(_("citizen ID (CCCD)"), max_length=12, blank=True, default="")
    # The unit in the office directory: reports and routing follow it when it is renamed
    # (issue 12 §5). `unit_name` keeps the name as it was at submission, for the printed form.
    unit = models.ForeignKey(
        "office.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("unit in the directory"),
    )
    unit_name = models.CharField(_("unit / faculty"), max_length=200)
    unit_code = models.CharField(_("unit code"), max_length=50, blank=True)
    student_class = models.CharField(_("class"), max_length=50, blank=True)
    cohort = models.CharField(_("cohort"), max_length=20, blank=True)
    mobile_phone = models.CharField(_("mobile phone"), max_length=16)
    contact_email = models.EmailField(_("contact e-mail"))
    existing_address = models.EmailField(_("existing address"), blank=True)
    note = models.TextField(_("note"), blank=True)
    language = models.CharField(max_length=8, default="vi")

    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.SUBMITTED)
    # The due time of the step the request waits on (the last one once closed): the queue's sort.
    due_at = models.DateTimeField(_("due by"))
    submitted_at = models.DateTimeField(_("received at"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("checked by"),
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    reject_reason = models.TextField(_("reason for returning"), blank=True)
    issued_address = models.EmailField(_("issued address"), blank=True, db_index=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("issued by"),
    )
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("logged at"), null=True, blank=True)
    notified_at = models.DateTimeField(_("result sent at"), null=True, blank=True)
    exported_at = models.DateTimeField(_("exported for the mail system at"), null=True, blank=True)
    # The address suggested for this request, reserved until it closes (issue 12 §2): set when
    # the request is checked, unique among requests, so two namesakes never get the same one.
    proposed_address = models.EmailField(_("reserved address"), blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("merged into"),
    )
    # A correction that changes the contact e-mail waits here until the old address (a link
    # whose digest is kept) or the MTT Office confirms it: a leaked tracking link cannot
    # redirect the applicant's mail (issue 10 §7).
    pending_contact_email = models.EmailField(_("new contact e-mail, to be confirmed"), blank=True)
    contact_change_digest = models.CharField(max_length=64, blank=True, editable=False)
    contact_change_expires_at = models.DateTimeField(null=True, blank=True, editable=False)

    batch = models.ForeignKey(
        Batch, null=True, blank=True, on_delete=models.PROTECT, related_name="requests"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Set when the personal fields were cleared (retention or a data-protection request).
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)
    # fold(name, IDs, phone, addresses): one column so every database searches the same way.
    search_key = models.TextField(editable=False, default="")

    class Meta:
        verbose_name = _("account request")
        verbose_name_plural = _("account requests")
        ordering = ["due_at", "id"]
        indexes = [
            # The queues: WHERE status IN (...) ORDER BY due_at, id LIMIT 26.
            models.Index(fields=["status", "due_at", "id"], name="accounts_req_status_due"),
            models.Index(fields=["due_at", "id"], name="accounts_req_due"),
            # Partial: only the rows still waiting, whatever the size of the closed history.
            models.Index(
                fields=["due_at", "id"],
                name="accounts_req_review_due",
                condition=models.Q(status__in=REVIEW_STATUSES),
            ),
            models.Index(
                fields=["due_at", "id"],
                name="accounts_req_open_due",
                condition=models.Q(status__in=OPEN_STATUSES),
            ),
            models.Index(fields=["person_kind", "person_id"], name="accounts_req_person"),
            models.Index(
                fields=["citizen_id"],
                name="accounts_req_citizen",
                condition=~models.Q(citizen_id=""),
            ),
            # BM03 counts a period's requests by when they were received.
            models.Index(fields=["submitted_at"], name="accounts_req_submitted"),
            models.Index(fields=["contact_email"], name="accounts_req_contact"),
        ]
        constraints = [
            models.UniqueConstraint(
                Lower("proposed_address"),
                condition=~models.Q(proposed_address=""),
                name="accounts_req_reserved_address",
            )
        ]

    def __str__(self):
        return f"{self.reference} {self.full_name}"

    @property
    def shown_unit_name(self) -> str:
        """The unit in the reader's language (the directory's English name on English pages);
        `unit_name` stays as written, for the printed form."""
        # A page that reads only some columns (the queue) may not have read unit_id: the
        # name is then found by itself, without a query per row.
        return unit_name_in_language(self.unit_name, self.__dict__.get("unit_id"))

    @property
    def tracking_token(self) -> str:
        """The token of the tracking link (decrypted in memory only)."""
        from .crypto import open_token

        # Just set in this process (a bulk intake writes 10,000 links): no need to decrypt.
        plain = self.__dict__.get("_tracking_plain")
        if plain and plain[0] == self.tracking_sealed:
            return plain[1]
        return open_token(self.tracking_sealed) if self.tracking_sealed else ""

    def set_tracking_token(self, token: str | None = None) -> str:
        """Give the request a (new) tracking token; returns it."""
        token = token or new_tracking_token()
        for column, value in tracking_columns(token).items():
            setattr(self, column, value)
        self._tracking_plain = (self.tracking_sealed, token)  # memory only, never saved
        return token

    @property
    def full_name(self) -> str:
        return full_name_of(self.family_and_middle_names, self.given_name)

    @property
    def form_code(self) -> str:
        return form_code_of(self.person_kind)

    @property
    def mobile_display(self) -> str:
        return display_mobile(self.mobile_phone)

    @property
    def status_badge(self) -> str:
        return STATUS_BADGE.get(self.status, "secondary")

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def current_step(self) -> str | None:
        return STEP_OF_STATUS.get(self.status)

    @property
    def is_reset(self) -> bool:
        return self.request_kind == RequestKind.PASSWORD_RESET

    def compute_search_key(self) -> str:
        return search_key_of(lambda name: getattr(self, name))


ACTION_LABELS = {
    "submitted": _("Request received"),
    "resubmitted": _("Corrected and sent again"),
    "claimed": _("Taken for checking"),
    "released": _("Handed back to the queue"),
    "verified": _("Checked: matches the registry, forwarded to the technical section"),
    "verified_differences": _(
        "Checked: differs from the registry, accepted by the reviewer and forwarded"
    ),
    "verified_not_in_registry": _(
        "Checked: not in the registry, accepted by the reviewer and forwarded"
    ),
    "merged": _("Merged into an earlier request of the same person"),
    "merge_received": _("A later request of the same person was merged into this one"),
    "second_address": _("A second address for the same person, with a reason"),
    "auto_verified": _("Verified automatically: these fields matched the registry"),
    "provisioned": _("Account created in the mail system"),
    "provision_exists": _("The address already exists in the mail system"),
    "rejected": _("Returned to the applicant for correction"),
    "exported": _("Put in the mail-system upload file"),
    "issued": _("Account issued"),
    "reset_done": _("Password reset"),
    "recorded": _("Logged in CreateEmailHUST-log"),
    "log_corrected": _("Log entry corrected"),
    "notified": _("Result sent to the applicant"),
    "password_viewed": _("Temporary password viewed (and destroyed)"),
    "received_by_email": _("Received by e-mail"),
    "confirmed": _("Draft from e-mail checked and confirmed"),
    "reply_received": _("Reply from the applicant received by e-mail"),
    "bounced": _("E-mail to the applicant bounced"),
    "contact_change_requested": _("New contact e-mail asked for, to be confirmed"),
    "contact_changed": _("Contact e-mail changed"),
}


# The fields step 3 compares with the registry, by the key a verification event records.
REGISTRY_FIELD_LABELS = {
    "family_and_middle_names": _("Family and middle names"),
    "given_name": _("Given name"),
    "date_of_birth": _("Date of birth"),
    "unit_name": _("Unit / faculty"),
    "student_class": _("Class"),
    "cohort": _("Cohort"),
    "mobile_phone": _("Mobile phone"),
    "existing_address": _("Existing address"),
}


class RequestEvent(models.Model):
    """One step of one request: who, when, from which status to which, and why. Immutable."""

    request = models.ForeignKey(AccountRequest, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=30)
    from_status = models.CharField(_("from"), max_length=20, blank=True, choices=Status)
    to_status = models.CharField(_("to"), max_length=20, blank=True, choices=Status)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"))
    note = models.TextField(_("note"), blank=True)
    # What a verification compared: {"matched": [field keys], "differed": [...], "missing": [...]}
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("request event")
        verbose_name_plural = _("request events")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.request_id} {self.action} {self.at:%Y-%m-%d %H:%M}"

    @property
    def label(self):
        return ACTION_LABELS.get(self.action, self.action)

    @property
    def shown_note(self) -> str:
        """The note in the reader's language when the portal wrote it (portal.deferred)."""
        return shown(self.note)

    @property
    def is_verification(self) -> bool:
        return "in_registry" in (self.details or {})

    def _field_labels(self, key):
        return [str(REGISTRY_FIELD_LABELS.get(k, k)) for k in self.details.get(key, [])]

    @property
    def matched_fields(self) -> list[str]:
        return self._field_labels("matched")

    @property
    def differing_fields(self) -> list[str]:
        return self._field_labels("differed")

    @property
    def missing_fields(self) -> list[str]:
        return self._field_labels("missing")


class AppendOnlyError(PermissionDenied):
    pass


class IssuanceLogEntry(models.Model):
    """A row of CreateEmailHUST-log (seed 004 step 5; kept permanently, §6).

    Append-only: a database trigger (migration 0002) refuses UPDATE and DELETE; a correction is
    a new row pointing at the one it corrects.
    """

    class Action(models.TextChoices):
        NEW_ACCOUNT = "new_account", _("Account issued")
        PASSWORD_RESET = "password_reset", _("Password reset")
        CORRECTION = "correction", _("Correction")

    recorded_at = models.DateTimeField(_("logged at"))
    request = models.ForeignKey(
        AccountRequest,
        on_delete=models.PROTECT,
        related_name="log_entries",
        verbose_name=_("request"),
    )
    reference = models.CharField(_("reference"), max_length=20)
    full_name = models.CharField(_("full name"), max_length=160)
    person_kind = models.CharField(_("staff / student"), max_length=10, choices=PersonKind)
    person_id = models.CharField(_("staff or student ID"), max_length=20)
    unit_name = models.CharField(_("unit / faculty"), max_length=200)
    address = models.EmailField(_("address"), db_index=True)
    action = models.CharField(_("action"), max_length=20, choices=Action)
    issued_at = models.DateTimeField(_("issued at"))
    issued_by_name = models.CharField(_("issued by"), max_length=150)
    # Empty when the portal logged it itself (automatic provisioning, issue 17).
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("logged by"),
    )
    recorded_by_name = models.CharField(_("logged by"), max_length=150)
    note = models.TextField(_("note"), blank=True)
    # Where the account was created when the portal created it (issue 17): the backend and
    # the directory's own id for the account.
    backend = models.CharField(_("mail system"), max_length=20, blank=True)
    directory_id = models.CharField(_("directory id"), max_length=200, blank=True)
    corrects = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
        verbose_name=_("corrects entry"),
    )

    class Meta:
        verbose_name = _("issuance log entry (CreateEmailHUST-log)")
        verbose_name_plural = _("issuance log (CreateEmailHUST-log)")
        ordering = ["-recorded_at", "-id"]
        indexes = [
            models.Index(fields=["recorded_at", "id"], name="accounts_log_recorded"),
            # Automatic verification asks "was this person ever issued an account?" (issue 17).
            models.Index(fields=["person_kind", "person_id"], name="accounts_log_person"),
        ]

    def __str__(self):
        return f"{self.recorded_at:%d/%m/%Y} {self.reference} {self.address}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("CreateEmailHUST-log is append-only; add a correction row.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("CreateEmailHUST-log is append-only; add a correction row.")

    @property
    def shown_unit_name(self) -> str:
        """The unit in the reader's language; `unit_name` stays as it was logged."""
        return unit_name_in_language(self.unit_name)


class TemporaryPassword(models.Model):
    """The temporary password of one issuance, encrypted, shown once through an expiring link.

    After viewing (or expiry) the ciphertext is wiped: nothing can reveal it again.
    """

    request = models.OneToOneField(
        AccountRequest, on_delete=models.CASCADE, related_name="temporary_password"
    )
    ciphertext = models.BinaryField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    link_digest = models.CharField(max_length=64, unique=True, null=True, blank=True)
    link_expires_at = models.DateTimeField(null=True, blank=True)
    viewed_at = models.DateTimeField(null=True, blank=True)
    destroyed_at = models.DateTimeField(null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("temporary password")
        verbose_name_plural = _("temporary passwords")

    def __str__(self):
        return f"{self.request_id}"

    @property
    def is_destroyed(self) -> bool:
        return self.ciphertext is None


class RegistryRecord(models.Model):
    """Read-only copy of a row of the staff registry (Phần mềm quản lý cán bộ) or the student
    registry (Phần mềm quản lý sinh viên), imported from their CSV/XLSX exports."""

    kind = models.CharField(_("registry"), max_length=10, choices=PersonKind)
    person_id = models.CharField(_("staff or student ID"), max_length=20)
    family_and_middle_names = models.CharField(_("family and middle names"), max_length=100)
    given_name = models.CharField(_("given name"), max_length=50)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    unit_name = models.CharField(_("unit / faculty"), max_length=200, blank=True)
    student_class = models.CharField(_("class"), max_length=50, blank=True)
    cohort = models.CharField(_("cohort"), max_length=20, blank=True)
    mobile_phone = models.CharField(_("mobile phone"), max_length=16, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True, db_index=True)
    search_key = models.TextField(editable=False, default="")
    imported_at = models.DateTimeField(_("first imported"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        verbose_name = _("registry record")
        verbose_name_plural = _("registry records")
        constraints = [
            models.UniqueConstraint(fields=["kind", "person_id"], name="accounts_registry_id")
        ]

    def __str__(self):
        return f"{self.person_id} {self.full_name}"

    @property
    def full_name(self) -> str:
        return f"{self.family_and_middle_names} {self.given_name}".strip()


class RegistryImport(models.Model):
    kind = models.CharField(_("registry"), max_length=10, choices=PersonKind)
    file_name = models.CharField(_("file name"), max_length=255)
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    added = models.PositiveIntegerField(_("added"), default=0)
    changed = models.PositiveIntegerField(_("changed"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    rejections = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("registry import")
        verbose_name_plural = _("registry imports")
        ordering = ["-imported_at"]

    def __str__(self):
        return f"{self.kind} {self.file_name}"


class MailSystemExport(models.Model):
    """Audit row of one bulk-upload CSV download by a technician (it holds passwords)."""

    exported_at = models.DateTimeField(_("downloaded at"), auto_now_add=True)
    exported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("downloaded by"),
    )
    mail_system = models.CharField(_("mail system"), max_length=20)
    row_count = models.PositiveIntegerField(_("rows"))
    references = models.JSONField(default=list)

    class Meta:
        verbose_name = _("mail-system export")
        verbose_name_plural = _("mail-system exports")
        ordering = ["-exported_at"]

    def __str__(self):
        return f"{self.exported_at:%Y-%m-%d %H:%M} {self.row_count}"


class ReferenceCounter(models.Model):
    """TK-<year>-<n>: one row per year, incremented under a row lock (also for bulk uploads)."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last}"


class IntakeOutcome(models.TextChoices):
    DRAFT = "draft", _("Draft request made")
    REPLY = "reply", _("Reply attached to its request")
    BOUNCE = "bounce", _("Bounce attached to its request")
    BOUNCE_UNMATCHED = "bounce_unmatched", _("Bounce matching no request")
    DUPLICATE = "duplicate", _("Already read (same Message-ID)")
    EMPTY = "empty", _("No usable content")
    TOO_LARGE = "too_large", _("Too large")
    BAD_ATTACHMENT = "bad_attachment", _("Only attachments of an unexpected type")
    FORWARDED = "forwarded", _("Forwarded chain: the sender is not the applicant")
    AUTO_REPLY = "auto_reply", _("Automatic reply (Auto-Submitted)")
    UNREADABLE = "unreadable", _("Could not be read")


DETAIL_TEXTS = {
    "too_large": _("The message is %(size)s kB; the limit is %(limit)s kB."),
    "error": _("Error: %(error)s"),
    "forwarded": _("Ask the applicant to send the form from their own address."),
    "refused": _("Not read: %(names)s."),
    "accepted": _("Accepted: .docx, .pdf, .jpg, .png, .tif."),
    "empty": _("No form attached and no labelled lines (e.g. “Họ và tên: …”) in the text."),
    "scans": _("Scanned, no text: %(names)s. Staff read it and fill every field."),
}


class IntakeMessage(models.Model):
    """One message read from the office mailbox (or the intake folder): the intake log's row.

    The Message-ID is unique: a message read again after a restart is recognised, not re-made.
    """

    message_id = models.CharField(_("Message-ID"), max_length=500, unique=True)
    source = models.CharField(_("read from"), max_length=20)
    received_at = models.DateTimeField(_("received at"))
    read_at = models.DateTimeField(_("read at"), auto_now_add=True)
    sender = models.CharField(_("sender"), max_length=320, blank=True)
    subject = models.CharField(_("subject"), max_length=500, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    outcome = models.CharField(_("outcome"), max_length=20, choices=IntakeOutcome)
    # [[code, {args}], ...]: rendered in the reader's language (DETAIL_TEXTS), not the task's.
    detail = models.JSONField(_("detail"), default=list, blank=True)
    # The message as it arrived, secret links blanked (none when refused for its size); read
    # only through the protected download (portal.downloads, MTT Office).
    original = models.FileField(
        _("original message"), upload_to=RandomName("accounts/intake"), blank=True
    )
    # field name -> where its value came from ("docx: BM02.docx", "body", "pdf: don.pdf", ...).
    field_sources = models.JSONField(default=dict, blank=True)
    request = models.ForeignKey(
        AccountRequest,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="intake_messages",
    )

    class Meta:
        verbose_name = _("message read from the mailbox")
        verbose_name_plural = _("intake log")
        ordering = ["-received_at", "-id"]

    def __str__(self):
        return f"{self.sender} · {self.subject}"

    @property
    def detail_text(self) -> str:
        return " ".join(
            str(DETAIL_TEXTS[code]) % args for code, args in self.detail if code in DETAIL_TEXTS
        )


class IntakeAttachment(models.Model):
    message = models.ForeignKey(IntakeMessage, on_delete=models.CASCADE, related_name="attachments")
    file_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    file = models.FileField(upload_to=RandomName("accounts/intake"))
    size = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.file_name


class AutoVerification(models.Model):
    """Whether step 3 verifies by itself a request that matches the registry exactly, per kind
    of applicant (issue 17). Edited by admins in the admin; both off until they switch them on."""

    person_kind = models.CharField(
        _("staff / student"), max_length=10, choices=PersonKind, unique=True
    )
    enabled = models.BooleanField(_("verify automatically"), default=False)
    changed_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        verbose_name = _("automatic verification")
        verbose_name_plural = _("automatic verification")
        ordering = ["person_kind"]

    def __str__(self):
        return str(self.get_person_kind_display())

    @classmethod
    def is_on(cls, person_kind: str) -> bool:
        return cls.objects.filter(person_kind=person_kind, enabled=True).exists()


class ProvisioningJob(models.Model):
    """Step 4 done by the portal in the mail system's directory (issue 17): an outbox row.

    Claimed (queued → running, with `started_at`) before the directory is called, so a task
    delivered twice calls it once; a row left running past the lease (the worker died) is taken
    again, and the directory's entry, marked with the request's reference, is then recognised
    instead of created twice.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Creating")
        DONE = "done", _("Created")
        EXISTS = "exists", _("Address already exists")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Not needed any more")

    request = models.OneToOneField(
        AccountRequest, on_delete=models.CASCADE, related_name="provisioning"
    )
    backend = models.CharField(_("mail system"), max_length=20)
    address = models.EmailField(_("address"))
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(_("error"), blank=True)
    directory_id = models.CharField(_("directory id"), max_length=200, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("created at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("provisioning job")
        verbose_name_plural = _("provisioning jobs")
        indexes = [
            # The pick-up: WHERE state IN (queued, running) AND next_attempt_at <= now.
            models.Index(
                fields=["next_attempt_at"],
                name="accounts_prov_pending",
                condition=models.Q(state__in=["queued", "running"]),
            ),
            models.Index(fields=["created_at"], name="accounts_prov_created"),
        ]

    def __str__(self):
        return f"{self.request_id} {self.address} {self.state}"

    @property
    def needs_person(self) -> bool:
        return self.state in (self.State.EXISTS, self.State.FAILED)
