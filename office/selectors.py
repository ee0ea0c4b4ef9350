"""Reads of the directory: the API other apps use, and the queries behind the pages.

Every function takes `on` (a date; today when None) so the directory can be read "as of" any
day, future ones included. Each reads a fixed number of queries whatever the size of the tree.
"""

import hashlib
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from portal.bilingual import in_language
from portal.models import RoleGrant
from portal.text import fold, fold_words

from .models import (
    Assignment,
    Person,
    Position,
    Relation,
    Unit,
    UnitDuty,
    UnitKind,
    UnitVersion,
)

# The relations that make a person answerable for an area (monitoring is not answering).
ANSWERING = (Relation.IN_CHARGE, Relation.GENERAL)


def _day(on: date | None) -> date:
    return on or timezone.localdate()


def unit_by_code(code: str) -> Unit:
    """The unit with this stable code (raises Unit.DoesNotExist)."""
    return Unit.objects.get(code=code)


def name_units_on(units, day: date) -> list:
    """Give each unit the name it had on `day` (in memory). Renamings are recorded from the day
    they took effect, never ahead, so only a day in the past can need an earlier name: today and
    later cost no query, an earlier day one."""
    units = list(units)
    if units and day < timezone.localdate():
        versions = UnitVersion.objects.filter(unit__in=[u.pk for u in units], ends_on__gt=day)
        versions = versions.filter(Q(starts_on__isnull=True) | Q(starts_on__lte=day))
        by_unit = {v.unit_id: v for v in versions}
        for u in units:
            u.as_named(by_unit.get(u.pk))
    return units


def _as_unit(unit_or_area) -> Unit:
    if isinstance(unit_or_area, Unit):
        return unit_or_area
    return unit_by_code(str(unit_or_area))


def _unique(items):
    seen, out = set(), []
    for item in items:
        if item.pk not in seen:
            seen.add(item.pk)
            out.append(item)
    return out


def responsible_for(unit_or_area, on: date | None = None) -> list[Person]:
    """Who answers for a unit or area on a date.

    The people directly in charge of it (or holding a general duty about it); failing that, the
    holders of its leadership positions, then of any of its positions; failing that, the same
    for its parent, and so on up the tree. Truyền thông gives both Deputy Heads.
    """
    unit = _as_unit(unit_or_area)
    chain_ids = [unit.pk, *reversed(unit.ancestor_ids())]
    rows = list(
        Assignment.objects.on(_day(on))
        .filter(unit_id__in=chain_ids)
        .filter(Q(relation__in=ANSWERING) | Q(relation=Relation.POSITION))
        .select_related("person", "position")
        .order_by("order", "pk")
    )
    by_unit = defaultdict(list)
    for row in rows:
        by_unit[row.unit_id].append(row)
    for unit_id in chain_ids:
        here = by_unit.get(unit_id, [])
        for chosen in (
            [a for a in here if a.relation in ANSWERING],
            [a for a in here if a.relation == Relation.POSITION and a.position.is_leadership],
            [a for a in here if a.relation == Relation.POSITION],
        ):
            if chosen:
                return _unique(a.person for a in chosen)
    return []


def monitors_of(unit_or_area, on: date | None = None) -> list[Person]:
    """Who monitors (theo dõi) a unit or area on a date."""
    unit = _as_unit(unit_or_area)
    rows = (
        Assignment.objects.on(_day(on))
        .filter(unit=unit, relation=Relation.MONITORS)
        .select_related("person")
    )
    return _unique(a.person for a in rows)


def handled_by(person: Person, on: date | None = None) -> list[Unit]:
    """The units and areas a person is in charge of, monitors or has a general duty about."""
    rows = (
        Assignment.objects.on(_day(on))
        .filter(person=person)
        .exclude(relation=Relation.POSITION)
        .select_related("unit")
        .order_by("unit__sort_path")
    )
    return _unique(a.unit for a in rows)


def people_with_role_in(unit, on: date | None = None, position: str | None = None) -> list[Person]:
    """The people holding a position in `unit` on a date (leaders first).

    Each person carries `positions_here`, the names of the positions held there. `position`
    (a position name, Vietnamese or English) narrows the list to one post.
    """
    unit = _as_unit(unit)
    rows = (
        Assignment.objects.on(_day(on))
        .filter(unit=unit, relation=Relation.POSITION)
        .select_related("person", "position")
        .order_by("-position__is_leadership", "position__order", "order", "pk")
    )
    if position:
        rows = rows.filter(Q(position__name=position) | Q(position__name_en=position))
    people: dict[int, Person] = {}
    for row in rows:
        person = people.setdefault(row.person_id, row.person)
        person.__dict__.setdefault("positions_here", []).append(row.position.display_name)
    return list(people.values())


def units_of_user(user, on: date | None = None) -> list[Unit]:
    """The units a logged-in user belongs to (a position), handles (an area), or holds a role
    in through the university directory's groups (portal's RoleGrant), tree order. One query."""
    if not getattr(user, "is_authenticated", False):
        return []
    assigned = Assignment.objects.on(_day(on)).filter(person__user=user, unit=OuterRef("pk"))
    granted = RoleGrant.objects.filter(user=user, unit_code=OuterRef("code"))
    return list(Unit.objects.filter(Exists(assigned) | Exists(granted)).order_by("sort_path"))


def person_of_user(user) -> Person | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Person.objects.filter(user=user).first()


# --- pages --------------------------------------------------------------------------------


@dataclass
class Node:
    """A unit with what the pages show about it on one date."""

    unit: Unit
    children: list["Node"] = field(default_factory=list)
    leaders: list[Assignment] = field(default_factory=list)  # leadership positions
    staff: list[Assignment] = field(default_factory=list)  # other positions
    in_charge: list[Assignment] = field(default_factory=list)
    monitors: list[Assignment] = field(default_factory=list)
    general: list[Assignment] = field(default_factory=list)  # general duties about this unit
    inherited: list[Person] = field(default_factory=list)  # in charge through the section
    duties: list[UnitDuty] = field(default_factory=list)

    @property
    def answering(self) -> list[Person]:
        """Who answers for this unit itself: in charge of it, or a general duty about it."""
        return _unique(a.person for a in self.in_charge + self.general)

    def add(self, a: Assignment) -> None:
        """File an assignment under the list its relation shows it in."""
        if a.relation == Relation.POSITION:
            (self.leaders if a.position.is_leadership else self.staff).append(a)
        elif a.relation == Relation.IN_CHARGE:
            self.in_charge.append(a)
        elif a.relation == Relation.MONITORS:
            self.monitors.append(a)
        else:
            self.general.append(a)


def tree(root: Unit | None, on: date | None = None) -> Node:
    """The subtree of `root` (the whole forest when None) with each unit's people on `on`.

    Three queries whatever the size of the tree. With root=None the returned Node has
    `unit=None` and the top-level units as children.
    """
    day = _day(on)
    units = Unit.objects.all() if root is None else Unit.objects.subtree_of(root)
    # The units that existed on the day, with the names they had then (issue 12 §10); the root
    # is kept whatever the day: its page says when it existed.
    units = [
        u
        for u in name_units_on(units.tree_order(), day)
        if u.exists_on(day) or (root is not None and u.pk == root.pk)
    ]
    scope = Unit.objects.all() if root is None else Unit.objects.subtree_of(root)
    assignments = (
        Assignment.objects.on(day)
        .filter(unit__in=scope)
        .select_related("person", "position")
        .order_by("order", "pk")
    )
    duties = UnitDuty.objects.filter(unit__in=scope)
    nodes = {u.pk: Node(unit=u) for u in units}
    for a in assignments:
        node = nodes.get(a.unit_id)
        if node is not None:
            a.unit = node.unit  # named as on the day, and no query per row
            node.add(a)
    for d in duties:
        if d.unit_id in nodes:
            nodes[d.unit_id].duties.append(d)
    for node in nodes.values():
        node.leaders.sort(key=lambda a: (a.position.order, a.order, a.pk))
        node.staff.sort(key=lambda a: (a.position.order, a.order, a.pk))
    top = Node(unit=None) if root is None else nodes[root.pk]
    for u in units:  # tree order: a parent comes before its children
        if root is not None and u.pk == root.pk:
            continue
        parent = nodes.get(u.parent_id)
        if parent is None:
            if root is None:
                top.children.append(nodes[u.pk])
            continue
        parent.children.append(nodes[u.pk])
        if u.kind == UnitKind.AREA and not nodes[u.pk].answering:
            nodes[u.pk].inherited = parent.answering or parent.inherited
    return top


@dataclass
class DutyAssignment:
    """One numbered entry of "Phân công công việc": a post holder and what they handle."""

    holding: Assignment
    general: list[Assignment] = field(default_factory=list)
    in_charge: list[Assignment] = field(default_factory=list)
    monitors: list[Assignment] = field(default_factory=list)

    @property
    def person(self) -> Person:
        return self.holding.person

    @property
    def has_duties(self) -> bool:
        return bool(self.general or self.in_charge or self.monitors)


def duty_assignments(node: Node) -> list[DutyAssignment]:
    """The post holders of a unit with their duties across its subtree (seed 000, 2.1–2.4)."""
    entries: dict[int, DutyAssignment] = {}
    for holding in node.leaders + node.staff:
        entries.setdefault(holding.person_id, DutyAssignment(holding=holding))
    for n in walk(node):
        for a in n.general:
            if a.person_id in entries:
                entries[a.person_id].general.append(a)
        for a in n.in_charge:
            if a.person_id in entries:
                entries[a.person_id].in_charge.append(a)
        for a in n.monitors:
            if a.person_id in entries:
                entries[a.person_id].monitors.append(a)
    for e in entries.values():
        for items in (e.general, e.in_charge, e.monitors):
            items.sort(key=lambda a: (a.order, a.pk))
    return list(entries.values())


def walk(node: Node):
    yield node
    for child in node.children:
        yield from walk(child)


def ancestors(unit: Unit, on: date | None = None) -> list[Unit]:
    ids = unit.ancestor_ids()
    if not ids:
        return []
    found = {u.pk: u for u in Unit.objects.filter(pk__in=ids)}
    return name_units_on([found[i] for i in ids if i in found], _day(on))


def person_assignments(person: Person):
    """All of a person's assignments, past, present and future, newest first."""
    return (
        Assignment.objects.filter(person=person)
        .select_related("unit", "position")
        .order_by("-starts_on", "order", "pk")
    )


def unit_history(unit: Unit):
    """Every assignment about a unit or its sub-units, for "who held what when"."""
    return (
        Assignment.objects.filter(unit__path__startswith=unit.path)
        .select_related("unit", "person", "position")
        .order_by("unit__sort_path", "relation", "starts_on", "pk")
    )


@dataclass
class FoundPosition:
    """A position a person found by the search holds on the day: what the people table says."""

    name: str
    name_en: str
    unit_code: str
    unit_name: str
    unit_name_en: str

    @property
    def display_name(self) -> str:
        return in_language(self.name, self.name_en)

    @property
    def unit_display_name(self) -> str:
        return in_language(self.unit_name, self.unit_name_en)


@dataclass
class FoundPerson:
    """A person found by the search: the columns of the people table, read with values() (50
    rows of Person and Assignment models with their units cost more than the page's query)."""

    pk: int
    title: str
    full_name: str
    email: str
    phone: str
    current_positions: list[FoundPosition] = field(default_factory=list)

    @property
    def display_name(self) -> str:
        return f"{self.title} {self.full_name}".strip()


@dataclass
class SearchResults:
    query: str
    people: list[FoundPerson] = field(default_factory=list)
    units: list[Node] = field(default_factory=list)
    duties: list[Assignment] = field(default_factory=list)
    unit_duties: list[UnitDuty] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.people) + len(self.units) + len(self.duties) + len(self.unit_duties)


def _matching(qs, words):
    for word in words:
        qs = qs.filter(search_key__contains=word)
    return qs


# What the search's cards read of units, assignments, people and positions.
_CARD_UNIT = ("parent_id", "kind", "code", "name", "name_en", "short_name", "depth", "sort_path")
_CARD_ASSIGNMENT = ("person_id", "relation", "unit_id", "position_id", "duty", "duty_en", "order")
_CARD_PERSON = ("person__title", "person__full_name")
_CARD_POSITION = ("position__name", "position__name_en", "position__is_leadership")


# --- the search's results, kept per directory version (issue 15) ------------------------------
# The public search is seven queries over about a hundred rows, and building them cost 8 ms of
# CPU per page against 2 ms for a hand-written page. Its results depend only on the words, the
# day and the directory's rows, so they are kept in the cache under the directory's version:
# every save or delete of a unit, name, duty, person, position or assignment gives the
# directory a new version (office.apps, at once and again when the transaction commits), and
# results kept under an older one are never read again (they expire after SEARCH_TTL).

DIRECTORY_VERSION_KEY = "office:directory-version"
SEARCH_TTL = 300


def directory_version() -> str | None:
    """The directory's version; None when the cache does not answer."""
    from django.core.cache import cache

    version = cache.get(DIRECTORY_VERSION_KEY)
    if version is None:
        cache.add(DIRECTORY_VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(DIRECTORY_VERSION_KEY)
    return version


def directory_changed() -> None:
    """The directory's rows changed: searches are answered afresh from now on."""
    from django.core.cache import cache

    cache.set(DIRECTORY_VERSION_KEY, uuid.uuid4().hex, None)


def kept_search(query: str, on: date | None = None, limit: int = 50) -> SearchResults:
    """search(), kept under the directory's version (above)."""
    from django.core.cache import cache

    version = directory_version()
    if version is None:  # the cache is not answering: nothing can be kept safely
        return search(query, on=on, limit=limit)
    words = " ".join(fold_words(query))
    digest = hashlib.sha256(f"{words}|{_day(on).isoformat()}|{limit}".encode()).hexdigest()[:32]
    key = f"office:search:{version}:{digest}"
    results = cache.get(key)
    if results is None:
        results = search(query, on=on, limit=limit)
        cache.set(key, results, SEARCH_TTL)
    else:
        results.query = query  # the words as this reader typed them
    return results


def search(query: str, on: date | None = None, limit: int = 50) -> SearchResults:
    """People, units/areas and duties whose folded text contains every word of the query.

    "thanh" finds Lê Xuân Thành and Trịnh Thành Trung; "giao vu" finds the Giáo vụ section and
    who handles it; "truyen thong" finds Truyền thông and both Deputy Heads in charge of it.
    """
    day = _day(on)
    words = fold_words(query)
    results = SearchResults(query=query)
    if not words:
        return results
    # People: by name, title or e-mail, or by the name of a position they hold on that day —
    # one query (each way finds at most `limit`), then their positions that day in another.
    position_hits = _matching(Position.objects.all(), words).values("pk")
    by_name = _matching(Person.objects.all(), words).order_by("full_name", "pk").values("pk")
    holders = (
        Assignment.objects.on(day)
        .filter(relation=Relation.POSITION, position__in=position_hits)
        .values("person_id")
    )
    people = {
        row["id"]: FoundPerson(
            row["id"], row["title"], row["full_name"], row["email"], row["phone"]
        )
        for row in Person.objects.filter(
            Q(pk__in=by_name[:limit]) | Q(pk__in=holders[:limit])
        ).values("id", "title", "full_name", "email", "phone")
    }
    for row in (
        Assignment.objects.on(day)
        .filter(relation=Relation.POSITION, person_id__in=list(people))
        .values_list(
            "person_id",
            "position__name",
            "position__name_en",
            "unit__code",
            "unit__name",
            "unit__name_en",
        )
    ):
        people[row[0]].current_positions.append(FoundPosition(*row[1:]))
    results.people = sorted(
        people.values(), key=lambda p: (not p.current_positions, p.full_name, p.pk)
    )
    # Units and areas, each with who answers for it and who monitors it on that day.
    # Only the columns the cards show or sort by (issue 15: a unit row has long descriptions).
    units = list(
        _matching(Unit.objects.only(*_CARD_UNIT), words).order_by("depth", "sort_path")[:limit]
    )
    folded = " ".join(words)
    # The unit called exactly what was typed first ("truyen thong" → the area Truyền thông),
    # then areas and sections (what people look for), then the rest, shallow before deep.
    units.sort(
        key=lambda u: (
            folded not in (fold(u.name), fold(u.short_name), fold(u.name_en)),
            u.kind not in (UnitKind.AREA, UnitKind.SECTION),
            u.depth,
        )
    )
    unit_ids = [u.pk for u in units]
    parent_ids = {u.parent_id for u in units if u.parent_id}
    # Only what a result card shows (leaders, in charge, general duties, monitors): a unit's
    # staff positions are not listed, and a faculty may have hundreds of them.
    assignments = (
        Assignment.objects.on(day)
        .filter(unit_id__in=set(unit_ids) | parent_ids)
        .filter(~Q(relation=Relation.POSITION) | Q(position__is_leadership=True))
        .select_related("person", "position")
        .only(*_CARD_ASSIGNMENT, *_CARD_PERSON, *_CARD_POSITION)
        .order_by("order", "pk")
    )
    by_unit = defaultdict(list)
    for a in assignments:
        by_unit[a.unit_id].append(a)
    parents = {u.pk: u for u in Unit.objects.filter(pk__in=parent_ids).only(*_CARD_UNIT)}
    for u in units:
        u.parent_unit = parents.get(u.parent_id)
        node = Node(unit=u)
        for a in by_unit[u.pk]:
            node.add(a)
        if not node.in_charge and u.kind == UnitKind.AREA:
            node.inherited = _unique(
                a.person for a in by_unit.get(u.parent_id, []) if a.relation == Relation.IN_CHARGE
            )
        results.units.append(node)
    # Duties: the general duties people hold that day, and the units' standing duties.
    results.duties = list(
        _matching(Assignment.objects.on(day).filter(relation=Relation.GENERAL), words)
        .select_related("person", "unit")
        .only(*_CARD_ASSIGNMENT, *_CARD_PERSON, *(f"unit__{f}" for f in _CARD_UNIT))
        .order_by("unit__sort_path", "order")[:limit]
    )
    results.unit_duties = list(
        _matching(UnitDuty.objects.all(), words)
        .select_related("unit")
        .only("unit_id", "text", "text_en", *(f"unit__{f}" for f in _CARD_UNIT))[:limit]
    )
    return results


def export_rows(root: Unit | None = None, on: date | None = None):
    """One row per unit and assignment on a date, for the CSV and XLSX exports."""
    day = _day(on)
    units = Unit.objects.all() if root is None else Unit.objects.subtree_of(root)
    units = [u for u in name_units_on(units.tree_order(), day) if u.exists_on(day)]
    paths = {u.pk: u for u in units}
    assignments = defaultdict(list)
    for a in (
        Assignment.objects.on(day)
        .filter(unit_id__in=list(paths))
        .select_related("person", "position")
        .order_by("order", "pk")
    ):
        assignments[a.unit_id].append(a)
    for u in units:
        parent = paths.get(u.parent_id)
        base = [u.code, u.get_kind_display(), u.name, u.name_en, parent.code if parent else ""]
        rows = assignments.get(u.pk)
        if not rows:
            yield [*base, "", "", "", "", "", ""]
            continue
        for a in rows:
            what = a.position.name if a.position_id else a.duty
            yield [
                *base,
                a.person.display_name,
                a.person.email,
                a.get_relation_display(),
                what,
                a.starts_on.strftime("%d/%m/%Y") if a.starts_on else "",
                a.ends_on.strftime("%d/%m/%Y") if a.ends_on else "",
            ]
