"""Who may see and do what, from roles (portal) and unit assignments (office)."""

from django.db.models import Q
from django.utils import timezone

from office import selectors as office
from office.models import Assignment, Relation, Unit, UnitKind
from portal.access import has_role

# Training units that are centres (IV.12 names them); faculties and institutes are all training
# units. Other centres (Trung tâm Công nghệ Kỹ thuật số, …) are functional units.
TRAINING_CENTRE_CODES = ("hou-ttdttt", "hou-danang")


def is_committee(user) -> bool:
    return has_role(user, "dialogue_committee")


def is_leadership(user) -> bool:
    return bool(user and user.is_authenticated and user.has_role("leadership"))


def can_read_all(user) -> bool:
    """The committee runs everything; the Party Committee and Leadership Board read it all."""
    return is_committee(user) or is_leadership(user)


def unit_ids_of(user) -> set[int]:
    """The office units a log-in belongs to or handles today (office assignments)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    cache = getattr(user, "_dialogue_unit_ids", None)
    if cache is None:
        cache = {u.pk for u in office.units_of_user(user)}
        user._dialogue_unit_ids = cache
    return cache


def is_unit_staff(user, unit_id) -> bool:
    return bool(user.has_role("dialogue_unit") and unit_id in unit_ids_of(user))


def is_unit_leader(user, unit_id) -> bool:
    """Holds a leadership position in the unit today (the unit's leaders approve minutes)."""
    if not (user.is_authenticated and user.has_role("dialogue_unit")):
        return False
    return (
        Assignment.objects.on(timezone.localdate())
        .filter(
            person__user=user,
            unit_id=unit_id,
            relation=Relation.POSITION,
            position__is_leadership=True,
        )
        .exists()
    )


def is_responder_for(user, department_id) -> bool:
    return bool(
        department_id
        and user.is_authenticated
        and user.has_role("dialogue_responder")
        and department_id in unit_ids_of(user)
    )


def training_units():
    hou = Unit.objects.filter(code="hou").first()
    qs = Unit.objects.filter(
        Q(kind__in=[UnitKind.FACULTY, UnitKind.INSTITUTE]) | Q(code__in=TRAINING_CENTRE_CODES)
    )
    if hou:
        qs = qs.filter(path__startswith=hou.path)
    return qs.order_by("sort_path")
