"""Plan 4402/KH-ĐHM as data: the plan, its timeline (section III), the duties of section IV,
dialogue sessions at three levels with their minutes, learners' questions routed to the
departments, the university-level dialogue and the feedback form (phiếu phản hồi).

Status fields change only through dialogue/services/; every change writes an `Event` row.
"""

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.bilingual import localized
from portal.deferred import shown
from portal.text import fold, without_repeated_words
from portal.uploads import RandomName


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
    preamble_en = models.TextField(_("preamble (English)"), blank=True)
    purposes = models.TextField(
        _("purpose and significance"), blank=True, help_text=_("One purpose per line.")
    )
    purposes_en = models.TextField(_("purpose and significance (English)"), blank=True)
    organisation = models.TextField(
        _("organisation of implementation"), blank=True, help_text=_("Section II, as written.")
    )
    organisation_en = models.TextField(_("organisation of implementation (English)"), blank=True)
    requirements = models.TextField(_("requirements"), blank=True)
    requirements_en = models.TextField(_("requirements (English)"), blank=True)
    grassroots_starts_on = models.DateField(_("grassroots dialogue from"), null=True, blank=True)
    grassroots_ends_on = models.DateField(_("grassroots dialogue until"), null=True, blank=True)
    recipients = models.TextField(_("recipients"), blank=True, help_text=_("One per line."))
    recipients_en = models.TextField(_("recipients (English)"), blank=True)
    signer_title = models.CharField(_("signer's title"), max_length=120, blank=True)
    signer_title_en = models.CharField(_("signer's title (English)"), max_length=120, blank=True)
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
        return localized(self, "title")

    # The document's text in the reader's language (the Vietnamese when no English is kept).
    @property
    def display_preamble(self) -> str:
        return localized(self, "preamble")

    @property
    def display_organisation(self) -> str:
        return localized(self, "organisation")

    @property
    def display_requirements(self) -> str:
        return localized(self, "requirements")

    @property
    def display_signer_title(self) -> str:
        return localized(self, "signer_title")

    @property
    def purpose_lines(self) -> list[str]:
        return [line.strip() for line in localized(self, "purposes").splitlines() if line.strip()]

    @property
    def recipient_lines(self) -> list[str]:
        text = localized(self, "recipients")
        return [line.strip() for line in text.splitlines() if line.strip()]


class Milestone(models.Model):
    """One row of section III (Tiến độ thực hiện)."""

    class Status(models.TextChoices):
        PLANNED = "planned", pgettext_lazy("milestone", "Planned")
        IN_PROGRESS = "in_progress", pgettext_lazy("milestone", "In progress")
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
        _("evidence file"), upload_to=RandomName("dialogue/milestones"), blank=True
    )
    # A reopened milestone starts a new round (issue 12 §6): the evidence above is the current
    # round's; the earlier rounds' evidence is kept in MilestoneRound.
    round = models.PositiveSmallIntegerField(_("round"), default=1)
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
        return localized(self, "content")

    @property
    def display_responsible_body(self) -> str:
        return localized(self, "responsible_body")

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


class MilestoneRound(models.Model):
    """The evidence of a round of a milestone that was reopened: kept, never current again."""

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField(_("round"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    evidence_note = models.TextField(_("evidence"), blank=True)
    evidence_file = models.FileField(
        _("evidence file"), upload_to="dialogue/milestones/%Y/", blank=True
    )
    reopened_at = models.DateTimeField(_("reopened at"))
    reopen_reason = models.TextField(_("why it was reopened"), blank=True)

    class Meta:
        verbose_name = _("earlier round of a milestone")
        verbose_name_plural = _("earlier rounds of milestones")
        ordering = ["milestone", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["milestone", "number"], name="dialogue_round_unique")
        ]

    def __str__(self):
        return f"{self.milestone_id} #{self.number}"


class UnitDuty(models.Model):
    """One numbered unit of section IV (Phân công nhiệm vụ) and its duties as a checklist."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="unit_duties")
    position = models.PositiveSmallIntegerField(_("No."))
    unit_name = models.CharField(_("unit as written"), max_length=200)
    unit_name_en = models.CharField(_("unit (English)"), max_length=200, blank=True)
    unit_note = models.CharField(_("note"), max_length=300, blank=True)
    unit_note_en = models.CharField(_("note (English)"), max_length=300, blank=True)
    units = models.ManyToManyField(
        "office.Unit", blank=True, related_name="+", verbose_name=_("units in the directory")
    )

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
        # The plan writes "Phòng Công tác Công tác chính trị…" (sic): stored as written,
        # shown without the doubled words (issue 12 §10).
        return without_repeated_words(localized(self, "unit_name"))

    @property
    def display_unit_note(self) -> str:
        return localized(self, "unit_note")


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
        return localized(self, "text")


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
    "topic_routed": _("Routing changed"),
    "session_created": _("Session planned"),
    "minutes_written": _("Minutes written"),
    "minutes_submitted": _("Minutes submitted for approval"),
    "minutes_approved": _("Minutes approved"),
    "minutes_returned": _("Minutes returned for correction"),
    "question_submitted": _("Question received"),
    "question_answered_at_unit": _("Answered by the unit"),
    "question_escalated": _("Sent to the standing office"),
    "question_routed": _("Sent to the department"),
    "question_answered": _("Answered by the department"),
    "answer_returned": _("Answer returned to the department"),
    "question_published": _("Answer published"),
    "question_merged": _("Merged into another item"),
    "question_absorbed": _("Duplicate merged in"),
    "question_selected": _("Selected for the university-level dialogue"),
    "question_unselected": _("Removed from the university-level dialogue"),
    "session_edited": _("Date, time, venue or chair changed"),
    "programme_item_added": _("Programme item added"),
    "programme_item_edited": _("Programme item changed"),
    "programme_item_moved": _("Programme order changed"),
    "programme_item_removed": _("Programme item removed"),
    "participant_added": _("Participants added"),
    "participant_edited": _("Participants changed"),
    "participant_removed": _("Participants removed"),
    "question_topic": _("Topic changed"),
    "feedback_opened": _("Feedback form opened"),
    "feedback_closed": _("Feedback form closed"),
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
    session = models.ForeignKey(
        "DialogueSession", on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    question = models.ForeignKey(
        "Question", on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    topic = models.ForeignKey(
        "Topic", on_delete=models.CASCADE, null=True, blank=True, related_name="events"
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

    @property
    def shown_note(self) -> str:
        """The note in the reader's language when the portal wrote it (portal.deferred)."""
        return shown(self.note)


def shift(d: date | None, days: int) -> date | None:
    return d + timedelta(days=days) if d else None


def search_key(*parts) -> str:
    return fold(" ".join(p for p in parts if p))


# --- routing: topic → department (pre-filled from section IV, editable by the committee) --


class Topic(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("topic"), max_length=200)
    name_en = models.CharField(_("topic (English)"), max_length=200, blank=True)
    department = models.ForeignKey(
        "office.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answering department"),
        help_text=_("The department that answers this topic (section IV of the plan)."),
    )
    duty_position = models.PositiveSmallIntegerField(
        _("section IV entry"),
        null=True,
        blank=True,
        help_text=_("The number of the section IV entry the routing comes from."),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["position", "name"]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return localized(self, "name")


class Level(models.TextChoices):
    CLASS = "class", _("Class level")
    UNIT = "unit", _("Faculty/institute/centre level")
    UNIVERSITY = "university", _("University level")


class DialogueSession(models.Model):
    """A dialogue session (buổi đối thoại) at one of the three levels, with its minutes."""

    class Status(models.TextChoices):
        PLANNED = "planned", pgettext_lazy("session", "Planned")
        MINUTES_DRAFT = "minutes_draft", _("Minutes being written")
        SUBMITTED = "submitted", _("Minutes submitted for approval")
        RETURNED = "returned", _("Minutes returned for correction")
        APPROVED = "approved", _("Minutes approved")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="sessions")
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    unit = models.ForeignKey(
        "office.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("faculty/institute/centre"),
    )
    student_class = models.CharField(_("class"), max_length=80, blank=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    held_on = models.DateField(_("date"))
    starts_at = models.TimeField(_("from"), null=True, blank=True)
    ends_at = models.TimeField(_("until"), null=True, blank=True)
    time_text = models.CharField(_("time as written"), max_length=120, blank=True)
    venue = models.CharField(_("venue"), max_length=200)
    venue_address = models.CharField(_("venue address"), max_length=200, blank=True)
    chair = models.CharField(_("chair"), max_length=200)
    attendance = models.TextField(_("attendance"), blank=True, help_text=_("Who attended."))
    attendee_count = models.PositiveIntegerField(_("number of attendees"), null=True, blank=True)
    minutes_text = models.TextField(_("minutes"), blank=True)
    minutes_file = models.FileField(
        _("minutes file"), upload_to=RandomName("dialogue/minutes"), blank=True
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PLANNED
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("dialogue session")
        verbose_name_plural = _("dialogue sessions")
        ordering = ["held_on", "starts_at", "id"]
        indexes = [models.Index(fields=["level", "unit"], name="dialogue_session_level_unit")]

    def __str__(self):
        return self.display_title

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("dialogue:session", args=[self.pk])

    @property
    def display_title(self) -> str:
        if self.title:
            return self.title
        if self.level == Level.CLASS:
            return str(_("Class dialogue %(cls)s")) % {"cls": self.student_class}
        if self.level == Level.UNIT and self.unit_id:
            return str(_("Dialogue at %(unit)s")) % {"unit": self.unit.display_name}
        return str(_("University-level dialogue"))

    @property
    def has_minutes(self) -> bool:
        return bool(self.minutes_text.strip() or self.minutes_file)


class Participant(models.Model):
    """Who takes part in a (university-level) session, by the categories of section II.2.1."""

    class Category(models.TextChoices):
        LEADERSHIP = "leadership", _("Party Committee and Leadership Board")
        MASS_ORGANISATIONS = (
            "mass_organisations",
            _("Trade Union, Youth Union, Students' Association"),
        )
        UNIT_LEADERS = (
            "unit_leaders",
            _("Leaders of faculties, institutes, departments and centres"),
        )
        TEACHERS = "teachers", _("Teachers of the training units")
        LEARNER_DELEGATES = "learner_delegates", _("Summoned learner delegates")
        ORGANISING_COMMITTEE = "organising_committee", _("Organising Committee")
        GUEST = "guest", _("Guests")
        PRESS = "press", _("News agencies and the press")

    session = models.ForeignKey(
        DialogueSession, on_delete=models.CASCADE, related_name="participants"
    )
    category = models.CharField(_("category"), max_length=24, choices=Category.choices)
    name = models.CharField(_("participant"), max_length=300)
    count = models.PositiveIntegerField(_("number of people"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["session", "position", "id"]

    def __str__(self):
        return self.name


class ProgrammeItem(models.Model):
    session = models.ForeignKey(DialogueSession, on_delete=models.CASCADE, related_name="programme")
    starts_at = models.TimeField(_("from"))
    ends_at = models.TimeField(_("until"), null=True, blank=True)
    title = models.CharField(_("item"), max_length=300)
    presenter = models.CharField(_("presented by"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("programme item")
        verbose_name_plural = _("programme")
        ordering = ["session", "starts_at", "id"]

    def __str__(self):
        return self.title


# --- learners' questions and opinions ----------------------------------------------------


# What public pages may say of a question (issue 10 §5), from plain values: the question's
# own labels below and the pages that read questions as values (dialogue/rows.py) share them.


def public_asker_of(anonymous: bool, student_class: str, unit_name: str) -> str:
    """Who asked, as public pages say it: never a name; for an anonymous question, neither
    the class nor the unit."""
    if anonymous:
        return str(_("A learner"))
    cls = f" {student_class}" if student_class else ""
    return str(_("A learner of class%(cls)s, %(unit)s")) % {"cls": cls, "unit": unit_name}


def unit_label_of(anonymous: bool, unit_name: str) -> str:
    """The question's unit, or "(anonymous)"."""
    return str(_("(anonymous)")) if anonymous else unit_name


def answerer_label_of(anonymous: bool, unit_id, answered_by_unit_id, answerer_name) -> str:
    """Who answered; for an anonymous question answered by its own unit, not which unit.
    `answerer_name`: the answering unit's name, or a function giving it (read only if shown)."""
    if not answered_by_unit_id:
        return ""
    if anonymous and answered_by_unit_id == unit_id:
        return str(_("the faculty/institute/centre"))
    return answerer_name() if callable(answerer_name) else answerer_name


class Question(models.Model):
    class Kind(models.TextChoices):
        QUESTION = "question", _("Question")
        OPINION = "opinion", _("Opinion")
        PETITION = "petition", _("Petition")
        PROPOSAL = "proposal", _("Proposal")

    class Source(models.TextChoices):
        ONLINE = "online", _("Submitted online")
        MINUTES = "minutes", _("From the minutes")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("At the unit")
        ESCALATED = "escalated", _("Sent to the standing office")
        ROUTED = "routed", _("With the department")
        ANSWERED = "answered", _("Answered")
        PUBLISHED = "published", _("Published")
        MERGED = "merged", _("Merged")

    # With a department or answered: what the committee may select for the university-level
    # dialogue (step 13).
    SELECTABLE = (Status.ROUTED, Status.ANSWERED, Status.PUBLISHED)

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.QUESTION)
    topic = models.ForeignKey(
        Topic, on_delete=models.PROTECT, related_name="questions", verbose_name=_("topic")
    )
    text = models.TextField(_("question or opinion"))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    session = models.ForeignKey(
        DialogueSession,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="questions",
        verbose_name=_("from the minutes of"),
    )
    unit = models.ForeignKey(
        "office.Unit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("faculty/institute/centre"),
    )
    student_class = models.CharField(_("class"), max_length=80, blank=True)
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="dialogue_questions",
    )
    asker_name = models.CharField(_("learner"), max_length=150, blank=True)
    anonymous = models.BooleanField(
        _("stay anonymous on public pages"),
        default=False,
        help_text=_(
            "Public pages never show names; anonymous questions show no class or unit either."
        ),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("received"), default=timezone.now)
    escalated_at = models.DateTimeField(_("sent to the standing office"), null=True, blank=True)
    department = models.ForeignKey(
        "office.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
    )
    routed_at = models.DateTimeField(_("sent to the department"), null=True, blank=True)
    due_at = models.DateTimeField(_("answer due"), null=True, blank=True)
    answer_text = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_by_unit = models.ForeignKey(
        "office.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    letter_number = models.CharField(_("official letter no."), max_length=60, blank=True)
    letter_file = models.FileField(
        _("official letter"), upload_to=RandomName("dialogue/letters"), blank=True
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged",
        verbose_name=_("merged into"),
    )
    source_count = models.PositiveIntegerField(
        _("times raised"), default=1, help_text=_("How many classes or learners raised it.")
    )
    selected_for = models.ForeignKey(
        DialogueSession,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="selected_questions",
        verbose_name=_("selected for"),
    )
    search_key = models.TextField(editable=False, default="")

    class Meta:
        verbose_name = _("learner's question")
        verbose_name_plural = _("learners' questions")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "department"], name="dialogue_q_status_dept"),
            models.Index(fields=["status", "unit"], name="dialogue_q_status_unit"),
            models.Index(fields=["plan", "status"], name="dialogue_q_plan_status"),
            # The public answers page, newest first, whatever the number of answers.
            models.Index(
                fields=["-published_at", "-id"],
                name="dialogue_q_published",
                condition=models.Q(status="published", merged_into__isnull=True),
            ),
            # A department's questions to answer, by due time.
            models.Index(
                fields=["department", "due_at", "id"],
                name="dialogue_q_routed_due",
                condition=models.Q(status="routed"),
            ),
            # Its latest answers (the responders' queue shows 50), newest first.
            models.Index(
                fields=["department", "-answered_at"],
                name="dialogue_q_answered",
                condition=models.Q(status__in=["answered", "published"]),
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.text[:60]}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("dialogue:question", args=[self.pk])

    @property
    def is_overdue(self) -> bool:
        return bool(
            self.status == self.Status.ROUTED and self.due_at and self.due_at < timezone.now()
        )

    # Anonymous means no page, filter, search, export or count ties the question to a unit or
    # a class (issue 10 §5): pages print these instead of unit and student_class.
    @property
    def unit_label(self) -> str:
        shown = self.unit_id and not self.anonymous  # the unit is read only when shown
        return unit_label_of(self.anonymous, self.unit.display_name if shown else "")

    @property
    def class_label(self) -> str:
        return "" if self.anonymous else self.student_class

    @property
    def answerer_label(self) -> str:
        """Who answered; for an anonymous question answered by its own unit, not which unit."""
        return answerer_label_of(
            self.anonymous,
            self.unit_id,
            self.answered_by_unit_id,
            lambda: self.answered_by_unit.display_name,
        )

    def refresh_search_key(self):
        # An anonymous question is not found by its unit's name or its class code.
        self.search_key = search_key(
            self.text,
            self.answer_text,
            self.topic.name,
            self.topic.name_en,
            self.unit.name if self.unit_id and not self.anonymous else "",
            "" if self.anonymous else self.student_class,
        )


# --- the feedback form (phiếu phản hồi) ----------------------------------------------------


class FeedbackForm(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Being built")
        OPEN = "open", _("Open for answers")
        CLOSED = "closed", _("Closed")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="feedback_forms")
    title = models.CharField(_("title"), max_length=200)
    intro = models.TextField(_("introduction"), blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("feedback form")
        verbose_name_plural = _("feedback forms")
        ordering = ["-created_at"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("dialogue:feedback", args=[self.pk])


class FeedbackItem(models.Model):
    class Kind(models.TextChoices):
        RATING = "rating", _("Rating from 1 to 5")
        TEXT = "text", _("Free text")

    form = models.ForeignKey(FeedbackForm, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind of answer"), max_length=8, choices=Kind.choices)
    text = models.CharField(_("question"), max_length=300)
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        verbose_name = _("feedback question")
        verbose_name_plural = _("feedback questions")
        ordering = ["form", "position", "id"]

    def __str__(self):
        return self.text


class FeedbackResponse(models.Model):
    """One learner's answers, with nothing that says who: no user, only the day."""

    form = models.ForeignKey(FeedbackForm, on_delete=models.CASCADE, related_name="responses")
    submitted_on = models.DateField(_("date"), default=timezone.localdate)

    class Meta:
        verbose_name = _("feedback response")
        verbose_name_plural = _("feedback responses")

    def __str__(self):
        return f"{self.form} #{self.pk}"


class FeedbackAnswer(models.Model):
    response = models.ForeignKey(FeedbackResponse, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(FeedbackItem, on_delete=models.CASCADE, related_name="answers")
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["response", "item"], name="dialogue_feedback_once_per_item"
            ),
        ]

    def __str__(self):
        return f"{self.item}: {self.rating or self.text[:40]}"


class FeedbackReceipt(models.Model):
    """That a learner has answered a form — kept apart from the answers, with no link and no
    time, so "once per learner" holds while the answers stay anonymous."""

    form = models.ForeignKey(FeedbackForm, on_delete=models.CASCADE, related_name="receipts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["form", "user"], name="dialogue_feedback_once_per_learner"
            ),
        ]

    def __str__(self):
        return f"{self.form} ✓"
