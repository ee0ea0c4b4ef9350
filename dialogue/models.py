"""Plan 4402/KH-ĐHM as data: the plan, its timeline (section III), the duties of section IV,
dialogue sessions at three levels with their minutes, learners' questions routed to the
departments, the university-level dialogue and the feedback form (phiếu phản hồi).

Status fields change only through dialogue/services.py; every change writes an `Event` row.
"""

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from portal.text import fold


def _localized(obj, field: str) -> str:
    """The English column when the UI is English and it is filled, else the Vietnamese one."""
    if (get_language() or "vi").startswith("en"):
        value = getattr(obj, f"{field}_en", "")
        if value:
            return value
    return getattr(obj, field)


def format_date_range(start: date, end: date) -> str:
    """The document's way of writing a period: "07/12/2023", "13 - 19/11/2023",
    "26/02 - 17/03/2024", "18/12/2023 - 21/01/2024"."""
    if start == end:
        return start.strftime("%d/%m/%Y")
    if start.year != end.year:
        return f"{start:%d/%m/%Y} - {end:%d/%m/%Y}"
    if start.month != end.month:
        return f"{start:%d/%m} - {end:%d/%m/%Y}"
    return f"{start:%d} - {end:%d/%m/%Y}"


class Plan(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    number = models.CharField(
        _("number"), max_length=40, blank=True, help_text=_("e.g. 4402/KH-ĐHM")
    )
    issued_on = models.DateField(_("date issued"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=60, default="Hà Nội")
    academic_year = models.CharField(_("academic year"), max_length=20)
    title = models.CharField(_("title"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    preamble = models.TextField(_("preamble"), blank=True)
    purposes = models.TextField(
        _("purpose and significance"), blank=True, help_text=_("One purpose per line.")
    )
    organisation = models.TextField(
        _("organisation of implementation"), blank=True, help_text=_("Section II, as written.")
    )
    requirements = models.TextField(_("requirements"), blank=True)
    grassroots_starts_on = models.DateField(_("grassroots dialogue from"), null=True, blank=True)
    grassroots_ends_on = models.DateField(_("grassroots dialogue until"), null=True, blank=True)
    recipients = models.TextField(_("recipients"), blank=True, help_text=_("One per line."))
    signer_title = models.CharField(_("signer's title"), max_length=120, blank=True)
    signer_name = models.CharField(_("signed by"), max_length=120, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    copied_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="copies",
        verbose_name=_("copied from"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("dialogue plan")
        verbose_name_plural = _("dialogue plans")
        ordering = ["-issued_on", "-id"]

    def __str__(self):
        return f"{self.number or _('(no number yet)')} — {self.academic_year}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("dialogue:plan", args=[self.pk])

    @property
    def display_title(self) -> str:
        return _localized(self, "title")

    @property
    def purpose_lines(self) -> list[str]:
        return [line.strip() for line in self.purposes.splitlines() if line.strip()]

    @property
    def recipient_lines(self) -> list[str]:
        return [line.strip() for line in self.recipients.splitlines() if line.strip()]


class Milestone(models.Model):
    """One row of section III (Tiến độ thực hiện)."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        LATE = "late", _("Late")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="milestones")
    position = models.PositiveSmallIntegerField(_("No."))
    content = models.TextField(_("content"))
    content_en = models.TextField(_("content (English)"), blank=True)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    time_text = models.CharField(
        _("time as written"),
        max_length=60,
        blank=True,
        help_text=_("The period exactly as the plan writes it; empty: formatted from the dates."),
    )
    responsible_body = models.CharField(_("responsible unit"), max_length=200)
    responsible_body_en = models.CharField(
        _("responsible unit (English)"), max_length=200, blank=True
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PLANNED
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)
    evidence_note = models.TextField(_("evidence"), blank=True)
    evidence_file = models.FileField(
        _("evidence file"), upload_to="dialogue/milestones/%Y/", blank=True
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["plan", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "position"], name="dialogue_milestone_position"
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="dialogue_milestone_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.position}. {self.content[:60]}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("dialogue:milestone", args=[self.pk])

    @property
    def display_content(self) -> str:
        return _localized(self, "content")

    @property
    def display_responsible_body(self) -> str:
        return _localized(self, "responsible_body")

    @property
    def period(self) -> str:
        return self.time_text or format_date_range(self.starts_on, self.ends_on)

    def is_overdue(self, today: date | None = None) -> bool:
        """Past its last day and not done — shown as late even before the sweep marks it."""
        today = today or timezone.localdate()
        return self.status != self.Status.DONE and self.ends_on < today

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The end date is before the start date.")})


class UnitDuty(models.Model):
    """One numbered unit of section IV (Phân công nhiệm vụ) and its duties as a checklist."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="unit_duties")
    position = models.PositiveSmallIntegerField(_("No."))
    unit_name = models.CharField(_("unit as written"), max_length=200)
    unit_name_en = models.CharField(_("unit (English)"), max_length=200, blank=True)
    unit_note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("unit duties")
        verbose_name_plural = _("unit duties")
        ordering = ["plan", "position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "position"], name="dialogue_unitduty_position"),
        ]

    def __str__(self):
        return f"{self.position}. {self.unit_name}"

    @property
    def display_unit_name(self) -> str:
        return _localized(self, "unit_name")


class DutyItem(models.Model):
    duty = models.ForeignKey(UnitDuty, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(_("No."))
    text = models.TextField(_("duty"))
    text_en = models.TextField(_("duty (English)"), blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("duty")
        verbose_name_plural = _("duties")
        ordering = ["duty", "position"]

    def __str__(self):
        return self.text[:80]

    @property
    def display_text(self) -> str:
        return _localized(self, "text")


EVENT_LABELS = {
    "plan_published": _("Plan published"),
    "plan_copied": _("Plan copied to a new academic year"),
    "milestone_started": _("Milestone in progress"),
    "milestone_done": _("Milestone done"),
    "milestone_reopened": _("Milestone reopened"),
    "milestone_late": _("Milestone late"),
    "milestone_edited": _("Milestone edited"),
    "duty_done": _("Duty done"),
    "duty_undone": _("Duty not done"),
}


class Event(models.Model):
    """An immutable record of one change: who, when, from, to, note (the audit trail)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="events")
    milestone = models.ForeignKey(
        Milestone, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    duty_item = models.ForeignKey(
        DutyItem, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    action = models.CharField(_("action"), max_length=40)
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.action} {self.from_status}→{self.to_status}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("Events are permanent and cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Events are permanent and cannot be deleted."))

    @property
    def label(self) -> str:
        return str(EVENT_LABELS.get(self.action, self.action))


def shift(d: date | None, days: int) -> date | None:
    return d + timedelta(days=days) if d else None


def search_key(*parts) -> str:
    return fold(" ".join(p for p in parts if p))
