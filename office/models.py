"""The organisation: units as a tree, people, positions, and effective-dated assignments.

Seed 000 (the SoICT Office) is the model's test case, irregularities included:
- a section (bộ phận) may bundle several areas, while the duty assignments name areas, so
  sections and areas are both units and an assignment may point at either;
- one area (Truyền thông) has two people directly in charge of it at the same time;
- "directly in charge of" (phụ trách trực tiếp) and "monitors" (theo dõi) are two relations.

Dates are half-open: an assignment applies on day d when starts_on <= d < ends_on (a missing
start means "since before our records", a missing end means "until further notice"). Reassigning
from a date closes the previous assignment on that same date, so there is no gap and no overlap.
"""

from datetime import date, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.bilingual import localized, reading_english
from portal.cache import near_get, near_set
from portal.deferred import shown
from portal.text import fold
from portal.validators import validate_person_name


class UnitKind(models.TextChoices):
    UNIVERSITY = "university", _("University")
    SCHOOL = "school", _("School")
    BOARD = "board", _("Leadership board")
    PARTY = "party", _("Party committee")
    DEPARTMENT = "department", _("Department")
    OFFICE = "office", _("Office")
    SECTION = "section", _("Section")
    AREA = "area", _("Area")
    FACULTY = "faculty", _("Faculty")
    INSTITUTE = "institute", _("Institute")
    CENTRE = "centre", _("Centre")
    LIBRARY = "library", _("Library")
    ORGANISATION = "organisation", _("Mass organisation")
    OTHER = "other", _("Other unit")


def _in_range(day: date) -> Q:
    """starts_on <= day < ends_on, either end open (half-open ranges, as for assignments)."""
    return Q(Q(starts_on__isnull=True) | Q(starts_on__lte=day)) & Q(
        Q(ends_on__isnull=True) | Q(ends_on__gt=day)
    )


class HalfOpen:
    """A row that applies from `starts_on` up to, not including, `ends_on` (either end open)."""

    def applies_on(self, day: date) -> bool:
        return (self.starts_on is None or self.starts_on <= day) and (
            self.ends_on is None or day < self.ends_on
        )

    @property
    def last_day(self) -> date | None:
        """The last day it applies: the day before `ends_on` (ranges are half-open), so that
        a range "until 09/03" and the next "from 10/03" do not look as if they overlap."""
        return self.ends_on - timedelta(days=1) if self.ends_on else None


class UnitQuerySet(models.QuerySet):
    def on(self, day: date):
        """The units that exist on `day` (a merged or closed unit ends on its `ends_on`)."""
        return self.filter(_in_range(day))

    def subtree_of(self, unit, include_self=True):
        qs = self.filter(path__startswith=unit.path)
        return qs if include_self else qs.exclude(pk=unit.pk)

    def tree_order(self):
        return self.order_by("sort_path")


class Unit(HalfOpen, models.Model):
    """A node of the organisation: a university, school, Phòng, office, section, area, ...

    `path` is the materialised path of primary keys ("/1/5/12/"), so a whole subtree loads in one
    query (the org chart and the office card render in a constant number of queries).
    `sort_key` orders siblings: their `order`, then their name.
    """

    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=UnitKind.choices)
    code = models.SlugField(
        _("code"),
        max_length=40,
        unique=True,
        help_text=_("A short stable identifier, e.g. soict-office. Other apps refer to it."),
    )
    name = models.CharField(_("name (Vietnamese)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(
        _("office telephone"),
        max_length=40,
        blank=True,
        help_text=_("The unit's public switchboard number, shown to everyone."),
    )
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    order = models.PositiveIntegerField(_("order among its siblings"), default=0)
    # Effective dates (issue 12 §10), half-open like assignments: the unit exists on d when
    # starts_on <= d < ends_on. A merged unit ends on the day of the merger and names the unit
    # that took it over; its page and its history stay. Earlier names are UnitVersion rows.
    starts_on = models.DateField(
        _("exists from"), null=True, blank=True, help_text=_("Empty: since before our records.")
    )
    ends_on = models.DateField(
        _("closed or merged on"),
        null=True,
        blank=True,
        help_text=_("The first day it no longer exists. Empty: it exists."),
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_units",
    )

    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    sort_path = models.CharField(max_length=1000, db_index=True, editable=False, default="")
    search_key = models.TextField(editable=False, default="")

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["sort_path"]

    def __str__(self):
        return self.display_name

    def save(self, *args, **kwargs):
        self.search_key = self.compute_search_key()
        cache.delete(ENGLISH_UNIT_NAMES_KEY)
        if self.pk is None:
            super().save(*args, **kwargs)
            kwargs.pop("force_insert", None)
            kwargs["force_update"] = True
        old = (self.path, self.sort_path)
        self.refresh_tree_fields()
        super().save(*args, **kwargs)
        if old[0] and old != (self.path, self.sort_path):
            # Moved or renamed: the descendants' paths start with ours.
            for child in self.children.all():
                child.save()

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("office:unit", args=[self.code])

    @property
    def display_name(self) -> str:
        return localized(self, "name")

    @property
    def display_description(self) -> str:
        return localized(self, "description")

    @property
    def other_name(self) -> str:
        """The name in the other language, shown in small print."""
        if reading_english():
            return self.name if self.name_en else ""
        return self.name_en

    def ancestor_ids(self) -> list[int]:
        return [int(p) for p in self.path.strip("/").split("/") if p][:-1]

    def exists_on(self, day: date) -> bool:
        return self.applies_on(day)

    def as_named(self, version: "UnitVersion | None") -> "Unit":
        """This unit carrying the names of `version` (its names on some earlier day), in
        memory only: display_name and other_name then show them."""
        if version is not None:
            self.name, self.name_en = version.name, version.name_en
        return self

    def is_descendant_of(self, other: "Unit") -> bool:
        return bool(other.path) and self.path.startswith(other.path) and self.pk != other.pk

    def compute_search_key(self) -> str:
        return fold(" ".join([self.name, self.name_en, self.short_name, self.code]))

    def _own_sort_segment(self) -> str:
        return f"{self.order:04d}{fold(self.name)[:40]}|{self.pk}/"

    def refresh_tree_fields(self):
        """Recompute path/depth/sort_path from the parent (the parent's must be current)."""
        if self.parent_id:
            parent = self.parent
            self.path = f"{parent.path}{self.pk}/"
            self.depth = parent.depth + 1
            self.sort_path = parent.sort_path + self._own_sort_segment()
        else:
            self.path = f"/{self.pk}/"
            self.depth = 0
            self.sort_path = self._own_sort_segment()


class UnitVersion(HalfOpen, models.Model):
    """A name a unit had before it was renamed, from `starts_on` until `ends_on` (half-open:
    the day of the renaming is the new name's first day). The current name is on the unit."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="versions"
    )
    name = models.CharField(_("name (Vietnamese)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    starts_on = models.DateField(
        _("from"), null=True, blank=True, help_text=_("Empty: since before our records.")
    )
    ends_on = models.DateField(_("renamed on"))

    class Meta:
        verbose_name = _("earlier name of a unit")
        verbose_name_plural = _("earlier names of units")
        ordering = ["unit", "ends_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True) | Q(ends_on__gt=models.F("starts_on")),
                name="office_unitversion_ends_after_start",
            ),
            models.UniqueConstraint(fields=["unit", "ends_on"], name="office_unitversion_once"),
        ]

    def __str__(self):
        return self.name

    @property
    def display_name(self) -> str:
        return localized(self, "name")


ENGLISH_UNIT_NAMES_KEY = "office:unit-names-en"


def english_unit_names() -> dict:
    """{unit id: English name, Vietnamese name: English name} of every unit that has one,
    cached (pages list many requests, each with the unit's name as it was written), and kept
    near in the process: an English queue asks once per row (portal.cache.near_get; another
    process may show a rename 5 s late, this one at once)."""
    names = near_get(ENGLISH_UNIT_NAMES_KEY)
    if names is None:
        names = {}
        for pk, name, name_en in Unit.objects.exclude(name_en="").values_list(
            "pk", "name", "name_en"
        ):
            names[pk] = names[name] = name_en
        near_set(ENGLISH_UNIT_NAMES_KEY, names, 3600)
    return names


def unit_name_in_language(name: str, unit_id: int | None = None) -> str:
    """A unit's name, kept in Vietnamese on a request or a log entry, in the reader's language:
    the unit's English name (by its id, else by the name) when the page is English and the
    directory has one; else the name as it was written — never an empty string."""
    if not reading_english():
        return name
    names = english_unit_names()
    return (unit_id is not None and names.get(unit_id)) or names.get(name) or name


class UnitDuty(models.Model):
    """One of the standing duties (nhiệm vụ) of a unit, e.g. the four of the SoICT Office."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="duties"
    )
    text = models.TextField(_("duty (Vietnamese)"))
    text_en = models.TextField(_("duty (English)"), blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    search_key = models.TextField(editable=False, default="")

    class Meta:
        verbose_name = _("unit duty")
        verbose_name_plural = _("unit duties")
        ordering = ["unit", "order", "pk"]

    def __str__(self):
        return self.display_text

    def save(self, *args, **kwargs):
        self.search_key = fold(f"{self.text} {self.text_en}")
        super().save(*args, **kwargs)

    @property
    def display_text(self) -> str:
        return localized(self, "text")


class Person(models.Model):
    """A member of staff or a learner listed in the directory.

    `phone` is personal data: only logged-in staff see it; public pages never show it.
    """

    title = models.CharField(
        _("academic title"),
        max_length=30,
        blank=True,
        help_text=_("As written before the name: TS., KS., ThS., PGS.TS, GS.TS, ..."),
    )
    full_name = models.CharField(_("full name"), max_length=150, validators=[validate_person_name])
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("portal log-in"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    email = models.EmailField(_("e-mail"), blank=True)
    staff_code = models.CharField(
        _("staff code"),
        max_length=40,
        blank=True,
        db_index=True,
        help_text=_(
            "The code of the university's staff records; the sign-in matches the "
            "person to their account by it, or else by e-mail."
        ),
    )
    phone = models.CharField(_("personal telephone"), max_length=40, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    search_key = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["full_name", "pk"]

    def __str__(self):
        return self.display_name

    def save(self, *args, **kwargs):
        self.search_key = fold(f"{self.title} {self.full_name} {self.email}")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("office:person", args=[self.pk])

    @property
    def display_name(self) -> str:
        return f"{self.title} {self.full_name}".strip()


class Position(models.Model):
    """A post in a unit (Trưởng Văn phòng, Phó Trưởng Văn phòng, ...); held through assignments.

    One position may have several holders at once (the SoICT Office has two Deputy Heads).
    """

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="positions"
    )
    name = models.CharField(_("name (Vietnamese)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    is_leadership = models.BooleanField(
        _("leadership position"),
        default=False,
        help_text=_("Heads and deputies are listed first, as the unit's leaders."),
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    search_key = models.TextField(editable=False, default="")

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["unit", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="office_position_unique_name")
        ]

    def __str__(self):
        return self.display_name

    def save(self, *args, **kwargs):
        self.search_key = fold(f"{self.name} {self.name_en}")
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return localized(self, "name")


class Relation(models.TextChoices):
    POSITION = "position", _("holds the position")
    GENERAL = "general", _("general duty")
    IN_CHARGE = "in_charge", _("directly in charge of")
    MONITORS = "monitors", _("monitors")


class AssignmentQuerySet(models.QuerySet):
    def on(self, day: date | None = None):
        """The assignments that apply on `day` (today when None)."""
        from django.utils import timezone

        return self.filter(_in_range(day or timezone.localdate()))

    def overlapping(self, starts_on: date | None, ends_on: date | None):
        qs = self
        if ends_on is not None:
            qs = qs.filter(Q(starts_on__isnull=True) | Q(starts_on__lt=ends_on))
        if starts_on is not None:
            qs = qs.filter(Q(ends_on__isnull=True) | Q(ends_on__gt=starts_on))
        return qs


class Assignment(HalfOpen, models.Model):
    """Who does what, from when to when (phân công công việc).

    - POSITION: `person` holds `position` (whose unit is `unit`);
    - GENERAL: a general duty in `duty` (Phụ trách chung, Hỗ trợ Trưởng Văn phòng ...) about `unit`;
    - IN_CHARGE: `person` is directly in charge of the area or section `unit` (phụ trách trực tiếp);
    - MONITORS: `person` monitors (theo dõi) the area or section `unit`.
    Rows are never deleted: an assignment ends by getting `ends_on`; the history is the rows.
    """

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="assignments"
    )
    relation = models.CharField(_("relation"), max_length=16, choices=Relation.choices)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit or area"), on_delete=models.PROTECT, related_name="assignments"
    )
    position = models.ForeignKey(
        Position,
        verbose_name=_("position"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    duty = models.CharField(_("duty (Vietnamese)"), max_length=500, blank=True)
    duty_en = models.CharField(_("duty (English)"), max_length=500, blank=True)
    starts_on = models.DateField(
        _("starts on"), null=True, blank=True, help_text=_("Empty: since before our records.")
    )
    ends_on = models.DateField(
        _("ends on"),
        null=True,
        blank=True,
        help_text=_("The first day it no longer applies. Empty: until further notice."),
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    note = models.CharField(_("note"), max_length=255, blank=True)
    search_key = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["order", "starts_on", "pk"]
        indexes = [
            models.Index(fields=["unit", "relation"], name="office_asg_unit_rel"),
            models.Index(fields=["person", "relation"], name="office_asg_person_rel"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True)
                | Q(ends_on__isnull=True)
                | Q(ends_on__gt=models.F("starts_on")),
                name="office_assignment_ends_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(relation="position") | Q(position__isnull=False),
                name="office_assignment_position_given",
            ),
        ]

    def __str__(self):
        return f"{self.person} — {self.label}"

    def save(self, *args, **kwargs):
        self.search_key = fold(f"{self.duty} {self.duty_en}")
        super().save(*args, **kwargs)

    @property
    def display_duty(self) -> str:
        return localized(self, "duty")

    @property
    def label(self) -> str:
        if self.relation == Relation.POSITION and self.position_id:
            return str(self.position)
        if self.relation == Relation.GENERAL:
            return self.display_duty
        return f"{self.get_relation_display()}: {self.unit}"


class AuditEvent(models.Model):
    """One change of the directory: who, when, what, before and after. Never edited."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    action = models.CharField(_("action"), max_length=40)
    object_type = models.CharField(_("object type"), max_length=20)
    object_id = models.PositiveBigIntegerField(_("object id"))
    object_label = models.CharField(_("object"), max_length=500)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("directory change")
        verbose_name_plural = _("directory changes")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="office_audit_obj")]

    def __str__(self):
        return f"{self.at:%d/%m/%Y %H:%M} {self.action} {self.shown_label}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Audit events are immutable.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit events are immutable.")

    @property
    def shown_label(self) -> str:
        """The object's name in the reader's language (portal.deferred)."""
        return shown(self.object_label)
