"""Reads: the queues (keyset-paginated, constant queries), the registry comparison, the status
page's steps and the BM03 figures."""

import datetime as dt
import statistics
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    BooleanField,
    Count,
    DateTimeField,
    ExpressionWrapper,
    F,
    Q,
    Value,
)
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from office.models import unit_name_in_language
from portal.cache import near_get, near_set
from portal.models import DeadlineStep, User
from portal.text import fold, fold_words

from .models import (
    HOLDER_OF_STEP,
    OPEN_STATUSES,
    OUTCOME_BADGE,
    OUTCOMES,
    REVIEW_STATUSES,
    STATUS_BADGE,
    AccountRequest,
    PersonKind,
    RegistryRecord,
    RequestKind,
    Status,
)
from .phones import display_mobile, normalise_mobile

PAGE_SIZE = 25
COUNT_CAP = 1000
COUNT_TTL = 30  # seconds a queue's capped count is reused

# --- the registry comparison (step 3) --------------------------------------------------------

MATCH, MISMATCH, NOT_FOUND = "match", "mismatch", "not_found"


def _name(value: str) -> str:
    """Names compare with their diacritics (they make the address), but not their case,
    Unicode form or spacing."""
    return " ".join(unicodedata.normalize("NFC", value or "").casefold().split())


@dataclass
class FieldComparison:
    label: str
    requested: str
    registry: str
    state: str
    key: str = ""


@dataclass
class Comparison:
    record: RegistryRecord | None
    rows: list[FieldComparison] = field(default_factory=list)

    @property
    def exact(self) -> bool:
        return self.record is not None and all(r.state == MATCH for r in self.rows)

    @property
    def mismatches(self) -> int:
        return sum(r.state != MATCH for r in self.rows)

    def summary(self) -> dict:
        """What a verification event records: the keys of the fields by outcome."""
        return {
            "matched": [r.key for r in self.rows if r.state == MATCH],
            "differed": [r.key for r in self.rows if r.state == MISMATCH],
            "missing": [r.key for r in self.rows if r.state == NOT_FOUND],
            "in_registry": self.record is not None,
        }


def compare(req: AccountRequest, record: RegistryRecord | None) -> Comparison:
    def row(label, mine, theirs, key=fold, show=str, name=""):
        if record is None or theirs in (None, ""):
            state = NOT_FOUND
        else:
            state = MATCH if key(mine) == key(theirs) else MISMATCH
        return FieldComparison(
            str(label),
            show(mine) if mine not in (None, "") else "",
            show(theirs) if theirs not in (None, "") else "",
            state,
            name,
        )

    def dmy(d):
        return d.strftime("%d/%m/%Y") if d else ""

    def get(attr):
        return getattr(record, attr) if record is not None else None

    rows = [
        row(
            _("Family and middle names"),
            req.family_and_middle_names,
            get("family_and_middle_names"),
            key=_name,
            name="family_and_middle_names",
        ),
        row(_("Given name"), req.given_name, get("given_name"), key=_name, name="given_name"),
        row(
            _("Date of birth"),
            req.date_of_birth,
            get("date_of_birth"),
            key=dmy,
            show=dmy,
            name="date_of_birth",
        ),
        row(
            _("Faculty") if req.person_kind == PersonKind.STUDENT else _("Unit"),
            req.unit_name,
            get("unit_name"),
            name="unit_name",
        ),
    ]
    if req.person_kind == PersonKind.STUDENT:
        rows += [
            row(_("Class"), req.student_class, get("student_class"), name="student_class"),
            row(_("Cohort"), req.cohort, get("cohort"), name="cohort"),
        ]
    rows.append(
        row(
            _("Mobile phone"),
            req.mobile_phone,
            get("mobile_phone"),
            key=lambda v: normalise_mobile(v) or v,
            show=display_mobile,
            name="mobile_phone",
        )
    )
    if req.is_reset:
        rows.append(
            row(
                _("Existing address"),
                req.existing_address,
                get("email"),
                key=lambda v: (v or "").lower(),
                name="existing_address",
            )
        )
    return Comparison(record=record, rows=rows)


def registry_record_for(req: AccountRequest) -> RegistryRecord | None:
    return RegistryRecord.objects.filter(kind=req.person_kind, person_id=req.person_id).first()


def in_registry():
    """EXISTS (the request's person in the registry): one index probe per row.

    Written as SQL: the queue compiles it on every load, and Exists() over a queryset cost
    0.3 ms of compiling per page for the same statement (issue 15). For a query on the
    requests' own table (not a subquery that aliases it)."""
    outer, inner = AccountRequest._meta.db_table, RegistryRecord._meta.db_table
    return RawSQL(
        f"EXISTS (SELECT 1 FROM {inner} g WHERE g.kind = {outer}.person_kind "  # noqa: S608 — table names from the models
        f"AND g.person_id = {outer}.person_id)",
        (),
        output_field=BooleanField(),
    )


def compare_many(requests):
    """[(request, Comparison)] with one query for all the registry records."""
    keys = {(r.person_kind, r.person_id) for r in requests}
    records = {}
    if keys:
        q = Q()
        for kind in {k for k, _i in keys}:
            q |= Q(kind=kind, person_id__in=[i for k, i in keys if k == kind])
        records = {(r.kind, r.person_id): r for r in RegistryRecord.objects.filter(q)}
    return [(r, compare(r, records.get((r.person_kind, r.person_id)))) for r in requests]


# --- queues ------------------------------------------------------------------------------------


@dataclass
class QueuePage:
    rows: list
    count: int
    count_capped: bool
    next_cursor: str = ""
    prev_cursor: str = ""


def _cursor(req) -> str:
    return f"{req.due_at.isoformat()}_{req.pk}"


def _parse_cursor(value: str):
    try:
        ts, pk = value.rsplit("_", 1)
        when = parse_datetime(ts)
        return (when, int(pk)) if when else None
    except (ValueError, TypeError):
        return None


def filter_requests(qs, params: dict, now: dt.datetime):
    """The queue filters of issue 5 §4. `params` is a cleaned QueueFilterForm's data."""
    status = params.get("status") or ""
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status == "review":
        qs = qs.filter(status__in=REVIEW_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    if params.get("person_kind"):
        qs = qs.filter(person_kind=params["person_kind"])
    if params.get("request_kind"):
        qs = qs.filter(request_kind=params["request_kind"])
    if params.get("unit"):
        qs = qs.filter(unit_code=params["unit"])
    if params.get("registry") == "missing":
        qs = qs.filter(~in_registry())
    if params.get("overdue"):
        qs = qs.filter(status__in=OPEN_STATUSES, due_at__lt=now)
    if params.get("due_within") is not None:
        qs = qs.filter(
            status__in=OPEN_STATUSES, due_at__lte=now + dt.timedelta(hours=params["due_within"])
        )
    for word in fold_words(params.get("q") or ""):
        # Phone numbers are typed with spaces: "0912 345 678" is one word once joined.
        qs = qs.filter(search_key__contains=word)
    return qs


def capped_count(qs, key: str = "") -> int:
    """COUNT_CAP + 1 at most ("1,000+" needs no exact number). With a key, the number is kept
    for COUNT_TTL seconds: the count under a queue may lag a few seconds behind its rows, and
    the page then costs one query less (issue 15); each process keeps it a few seconds more
    (portal.cache.near_get), so that most loads do not ask Redis either."""
    if key:
        count = near_get(key)
        if count is None:
            count = qs.order_by()[: COUNT_CAP + 1].count()
            near_set(key, count, COUNT_TTL)
        return count
    return qs.order_by()[: COUNT_CAP + 1].count()


def page_of(
    qs,
    *,
    after: str = "",
    before: str = "",
    size: int = PAGE_SIZE,
    searching: bool = False,
    count_key: str = "",
) -> QueuePage:
    """Keyset pagination on (due_at, id): page 4,000 costs what page 1 costs.

    A search with at most COUNT_CAP matches (its capped count says so, kept per filter) is
    sorted by the database from the trigram index's matches: it is ordered by an expression the
    due-time index cannot serve, since walking that index for a rare word would read the whole
    table. A common search ("nguyen thi") walks the due-time index like any filter.
    """
    # A capped count: "1,000+" instead of counting 100,000 rows on every page load.
    count = capped_count(qs, count_key)
    due = F("due_at")
    if searching and count <= COUNT_CAP:
        due = ExpressionWrapper(due + Value(dt.timedelta(0)), output_field=DateTimeField())
    cursor_after, cursor_before = _parse_cursor(after), _parse_cursor(before)
    if cursor_before:
        when, pk = cursor_before
        chunk = list(
            qs.filter(Q(due_at__lt=when) | Q(due_at=when, pk__lt=pk)).order_by(due.desc(), "-id")[
                : size + 1
            ]
        )
        has_prev = len(chunk) > size
        rows = list(reversed(chunk[:size]))
        has_next = True
    else:
        if cursor_after:
            when, pk = cursor_after
            qs = qs.filter(Q(due_at__gt=when) | Q(due_at=when, pk__gt=pk))
        chunk = list(qs.order_by(due.asc(), "id")[: size + 1])
        has_next = len(chunk) > size
        rows = chunk[:size]
        has_prev = bool(cursor_after)
    return QueuePage(
        rows=rows,
        count=min(count, COUNT_CAP),
        count_capped=count > COUNT_CAP,
        next_cursor=_cursor(rows[-1]) if rows and has_next else "",
        prev_cursor=_cursor(rows[0]) if rows and has_prev else "",
    )


# --- the status page: every step, who holds it, by when -----------------------------------------

PROCEDURE_STEPS = [
    # (key, number, label, who)
    (
        "submit",
        "1–2",
        _("Fill in and send the registration form"),
        _("Applicant (unit / staff / student)"),
    ),
    ("accounts.review", "3", _("Check the registration"), _("MTT Office")),
    ("accounts.issue", "4", _("Issue the account / reset the password"), _("MTT technician")),
    (
        "accounts.record",
        "5",
        _("Update the issuance log (CreateEmailHUST-log)"),
        _("Account manager"),
    ),
    ("accounts.notify", "5", _("Notify the user of the result"), _("MTT Office")),
]


@dataclass
class StepView:
    number: str
    label: str
    who: str
    state: str  # done, current, waiting, returned
    started_at: dt.datetime | None = None
    due_at: dt.datetime | None = None
    done_at: dt.datetime | None = None
    overdue: bool = False


def steps_for(req: AccountRequest, now=None) -> list[StepView]:
    now = now or timezone.now()
    rows = defaultdict(list)
    for step in DeadlineStep.objects.for_object(req):
        rows[step.step_type].append(step)
    out = []
    for key, number, label, who in PROCEDURE_STEPS:
        if key == "submit":
            out.append(StepView(number, label, who, "done", done_at=req.submitted_at))
            continue
        last = rows[key][-1] if rows.get(key) else None
        if last is None:
            out.append(StepView(number, label, who, "waiting"))
            continue
        if last.closed_at is None:
            state = "current"
        elif key == "accounts.review" and req.status == Status.REJECTED:
            state = "returned"
        else:
            state = "done"
        out.append(
            StepView(
                number,
                label,
                who,
                state,
                started_at=last.started_at,
                due_at=last.due_at,
                done_at=last.closed_at,
                overdue=(last.closed_at or now) > last.due_at,
            )
        )
    return out


def holder_label(req: AccountRequest) -> str:
    from portal.roles import Role

    step = req.current_step
    if req.status == Status.REJECTED:
        return str(_("Applicant (correction)"))
    if not step:
        return ""
    return str(Role(HOLDER_OF_STEP[step]).label)


# --- BM03 -------------------------------------------------------------------------------------

OUTCOME_LABELS = {"done": _("Done"), "returned": _("Returned"), "open": _("In progress")}


def bm03_legend() -> list[dict]:
    """BM03's key: each outcome column, its colour, and the statuses it counts (with the badge
    colour they have everywhere, which is the outcome's: one mapping, models.STATUS_BADGE)."""
    return [
        {
            "key": outcome,
            "label": OUTCOME_LABELS[outcome],
            "badge": OUTCOME_BADGE[outcome],
            "statuses": [
                {"value": s, "label": Status(s).label, "badge": STATUS_BADGE[s]} for s in group
            ],
        }
        for outcome, group in OUTCOMES.items()
    ]


def outcome_of(status: str) -> str:
    for name, statuses in OUTCOMES.items():
        if status in statuses:
            return name
    return "open"


# The count columns of BM03, after the unit: the page, the print and the XLSX all use these.
BM03_KEYS = (
    "staff_new",
    "staff_reset",
    "student_new",
    "student_reset",
    "done",
    "returned",
    "open",
    "total",
    "auto",  # verified automatically (issue 17)
)


@dataclass
class Bm03:
    date_from: dt.date
    date_to: dt.date
    rows: list  # dicts: unit, staff/student × new/reset, done, returned, open, total
    totals: dict
    steps: list  # dicts: label, count, on_time, share, median_hours
    technicians: list = field(default_factory=list)  # dicts: name, count, on_time, share, ...


def bm03(date_from: dt.date, date_to: dt.date) -> Bm03:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(date_from, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    counts, auto = _bm03_counts(start, end)
    keys = BM03_KEYS
    units: dict[str, dict] = {}
    for c in counts:
        unit = c["unit__name"] or c["unit_name"]
        # Shown in the reader's language (issue 13); counted by the Vietnamese name.
        label = unit_name_in_language(unit, c["unit_id"])
        row = units.setdefault(unit, {"unit": label, **dict.fromkeys(keys, 0)})
        kind = "staff" if c["person_kind"] == PersonKind.STAFF else "student"
        what = "new" if c["request_kind"] == RequestKind.NEW_ACCOUNT else "reset"
        row[f"{kind}_{what}"] += c["n"]
        row[outcome_of(c["status"])] += c["n"]
        row["total"] += c["n"]
    # Issue 17: how many of them the portal verified by itself (exact registry matches).
    for unit_name, snapshot, n in auto:
        unit = unit_name or snapshot
        if unit in units:
            units[unit]["auto"] += n
    for row in units.values():
        row["auto_share"] = 100.0 * row["auto"] / row["total"] if row["total"] else None
    rows = sorted(units.values(), key=lambda r: fold(r["unit"]))
    totals = {k: sum(r[k] for r in rows) for k in keys}
    totals["auto_share"] = 100.0 * totals["auto"] / totals["total"] if totals["total"] else None
    by_type, by_issuer, names = _closed_step_stats(start, end)
    steps = []
    for key, number, label, _who in PROCEDURE_STEPS[1:]:
        count, on_time, median_hours = by_type.get(key, (0, 0, None))
        steps.append(
            {
                "number": number,
                "label": label,
                "count": count,
                "on_time": on_time,
                "share": (100.0 * on_time / count) if count else None,
                "median_hours": median_hours,
            }
        )
    return Bm03(date_from, date_to, rows, totals, steps, _bm03_technicians(by_issuer, names))


# The period's requests by unit, form, kind and status, and the auto-verified ones by unit,
# in one round trip (PostgreSQL; the ORM's two queries cost more to build than to run).
_BM03_COUNTS_SQL = """
    SELECT 'n', r.unit_id, u.name, r.unit_name, r.person_kind, r.request_kind, r.status,
           count(*)
    FROM accounts_accountrequest r LEFT JOIN office_unit u ON u.id = r.unit_id
    WHERE r.submitted_at >= %s AND r.submitted_at < %s AND r.status <> %s
    GROUP BY 2, 3, 4, 5, 6, 7
    UNION ALL
    SELECT 'auto', NULL, u.name, r.unit_name, NULL, NULL, NULL, count(DISTINCT e.request_id)
    FROM accounts_requestevent e JOIN accounts_accountrequest r ON r.id = e.request_id
        LEFT JOIN office_unit u ON u.id = r.unit_id
    WHERE e.action = 'auto_verified' AND r.submitted_at >= %s AND r.submitted_at < %s
    GROUP BY 3, 4
"""


def _bm03_counts(start, end) -> tuple[list[dict], list[tuple]]:
    """BM03's counts: dicts of unit_id, unit__name, unit_name, person_kind, request_kind,
    status and n (a merged duplicate is counted once, as the request it joined), and
    (unit name in the directory, name given, n) of the requests the portal verified itself."""
    from django.db import connection

    from .models import RequestEvent

    if connection.vendor == "postgresql":
        counts, auto = [], []
        with connection.cursor() as cursor:
            cursor.execute(_BM03_COUNTS_SQL, [start, end, Status.MERGED, start, end])
            for tag, unit_id, unit, snapshot, person_kind, request_kind, status, n in cursor:
                if tag == "auto":
                    auto.append((unit, snapshot, n))
                    continue
                counts.append(
                    {
                        "unit_id": unit_id,
                        "unit__name": unit,
                        "unit_name": snapshot,
                        "person_kind": person_kind,
                        "request_kind": request_kind,
                        "status": status,
                        "n": n,
                    }
                )
        return counts, auto
    counts = (
        AccountRequest.objects.filter(submitted_at__gte=start, submitted_at__lt=end)
        .exclude(status=Status.MERGED)
        # By the unit in the directory (its name today), else the name given at submission.
        .values("unit_id", "unit__name", "unit_name", "person_kind", "request_kind", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    auto = (
        RequestEvent.objects.filter(
            action="auto_verified",
            request__submitted_at__gte=start,
            request__submitted_at__lt=end,
        )
        .values_list("request__unit__name", "request__unit_name")
        .annotate(n=Count("request_id", distinct=True))
        .order_by()
    )
    return list(counts), list(auto)


# Per step type, and per issuer of step 4 (with the issuer's names), in one pass: how many
# closed, how many on time, the median hours. GROUPING(...) = 1 marks the per-step rows; an
# issuing step whose request is gone has no issuer row (`missing`), as with an inner join.
_CLOSED_STEPS_SQL = """
    SELECT s.step_type, GROUPING(r.issued_by_id), r.issued_by_id, r.id IS NULL AS missing,
           u.full_name, u.first_name, u.last_name, u.username,
           count(*), count(*) FILTER (WHERE s.closed_at <= s.due_at),
           percentile_cont(0.5) WITHIN GROUP (
               ORDER BY extract(epoch FROM s.closed_at - s.started_at) / 3600)
    FROM portal_deadlinestep s
    LEFT JOIN accounts_accountrequest r
        ON s.step_type = 'accounts.issue' AND r.id = s.object_id::bigint
    LEFT JOIN portal_user u ON u.id = r.issued_by_id
    WHERE s.content_type_id = %s AND s.closed_at >= %s AND s.closed_at < %s
    GROUP BY GROUPING SETS (
        (s.step_type),
        (s.step_type, r.issued_by_id, r.id IS NULL, u.full_name, u.first_name, u.last_name,
         u.username)
    )
"""


def _closed_step_stats(start, end) -> tuple[dict, dict, dict | None]:
    """The steps closed in the period, counted in the database (issue 15: BM03 for a month of
    1,000,000 requests reads aggregates, not one row per step), with the issuers' names (None
    when they are still to be read). SQLite, which has no percentile, gets the same numbers
    from the rows."""
    from django.db import connection

    ct = ContentType.objects.get_for_model(AccountRequest)
    if connection.vendor == "postgresql":
        by_type, by_issuer, names = {}, {}, {}
        with connection.cursor() as cursor:
            cursor.execute(_CLOSED_STEPS_SQL, [ct.pk, start, end])
            for step, per_step, issuer, missing, *name, n, ok, med in cursor.fetchall():
                if per_step:
                    by_type[step] = (n, ok, med)
                elif step == "accounts.issue" and not missing:
                    by_issuer[issuer] = (n, ok, med)
                    if issuer is not None:
                        full, first, last, username = name
                        names[issuer] = User(
                            full_name=full, first_name=first, last_name=last, username=username
                        ).display_name
        return by_type, by_issuer, names
    closed = DeadlineStep.objects.filter(
        content_type=ct, closed_at__gte=start, closed_at__lt=end
    ).values_list("step_type", "started_at", "due_at", "closed_at", "object_id")
    items = defaultdict(list)
    issue_items = []
    for step_type, started, due, closed_at, object_id in closed:
        item = (closed_at <= due, (closed_at - started).total_seconds() / 3600)
        items[step_type].append(item)
        if step_type == "accounts.issue":
            issue_items.append((int(object_id), item))
    issuers = dict(
        AccountRequest.objects.filter(pk__in={pk for pk, _i in issue_items}).values_list(
            "pk", "issued_by_id"
        )
    )
    per_issuer = defaultdict(list)
    for pk, item in issue_items:
        per_issuer[issuers.get(pk)].append(item)

    def stats(rows):
        return (len(rows), sum(1 for ok, _h in rows if ok), statistics.median(h for _o, h in rows))

    return (
        {k: stats(v) for k, v in items.items()},
        {k: stats(v) for k, v in per_issuer.items()},
        None,
    )


def _bm03_technicians(by_issuer: dict, names: dict | None = None) -> list[dict]:
    """Step 4 per person who issued (the portal's own provisioning as one more row), from the
    issuing steps closed in the period: how many, how many on time, the median hours."""
    if names is None:
        names = {
            u.pk: u.display_name
            for u in User.objects.filter(pk__in={i for i in by_issuer if i is not None})
        }
    rows = []
    for issuer, (count, on_time, median_hours) in by_issuer.items():
        rows.append(
            {
                "name": names.get(issuer) or str(_("Portal (automatic)")),
                "automatic": issuer is None,
                "count": count,
                "on_time": on_time,
                "share": 100.0 * on_time / count,
                "median_hours": median_hours,
            }
        )
    return sorted(rows, key=lambda r: (r["automatic"], fold(r["name"])))


# --- the public service-quality page (issue 17; Decision 766/QĐ-TTg style) ---------------------

# Every way step 3 forwards a request: by a person (matching, differing with a reason, not in
# the registry with a reason) or by the portal.
VERIFICATION_ACTIONS = [
    "verified",
    "verified_differences",
    "verified_not_in_registry",
    "auto_verified",
]
SUPPRESS_BELOW = 5  # a count of 1–4 could point at a person: shown as "<5", nothing derived


def _percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..1) of the values, None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 1))  # ceil
    return ordered[int(rank) - 1]


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _add_months(day: dt.date, n: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass
class QualityMonth:
    month: dt.date
    received: int = 0
    finished: int = 0
    on_time: int = 0
    verified: int = 0
    auto_verified: int = 0
    overall_hours: list = field(default_factory=list)
    step_hours: dict = field(default_factory=dict)  # step key → [hours]

    @staticmethod
    def shown(n: int) -> str:
        return f"<{SUPPRESS_BELOW}" if 0 < n < SUPPRESS_BELOW else str(n)

    @property
    def received_shown(self) -> str:
        return self.shown(self.received)

    @property
    def finished_shown(self) -> str:
        return self.shown(self.finished)

    @property
    def on_time_percent(self) -> float | None:
        if self.finished < SUPPRESS_BELOW:
            return None
        return 100.0 * self.on_time / self.finished

    @property
    def auto_percent(self) -> float | None:
        if self.verified < SUPPRESS_BELOW:
            return None
        return 100.0 * self.auto_verified / self.verified

    def hours(self, values) -> tuple[float | None, float | None]:
        if len(values) < SUPPRESS_BELOW:
            return None, None
        return statistics.median(values), _percentile(values, 0.9)

    @property
    def overall(self):
        return self.hours(self.overall_hours)

    @property
    def steps(self) -> list[tuple]:
        """[(step key, median, p90)] in the procedure's order."""
        return [
            (key, *self.hours(self.step_hours.get(key, [])))
            for key, _n, _l, _w in PROCEDURE_STEPS[1:]
        ]


def service_quality(months: int = 12, now=None) -> list[QualityMonth]:
    """Per month of the last `months`: requests received, finished (result sent), the share
    finished with every step on time, the median and p90 hours of each step and of the whole
    procedure, and the share of verifications the portal did itself. Four queries, whatever the
    number of requests; nothing personal leaves this function (only counts and durations)."""
    from django.db.models.functions import TruncMonth

    from .models import RequestEvent

    tz = timezone.get_current_timezone()
    today = timezone.localdate(now or timezone.now())
    first = _add_months(_month_start(today), -(months - 1))
    start = dt.datetime.combine(first, dt.time.min, tzinfo=tz)
    rows = {_add_months(first, i): QualityMonth(_add_months(first, i)) for i in range(months)}

    def bucket(when):
        return rows.get(_month_start(timezone.localtime(when, tz).date()))

    for month, n in (
        AccountRequest.objects.filter(submitted_at__gte=start)
        .annotate(m=TruncMonth("submitted_at", tzinfo=tz))
        .values_list("m")
        .annotate(n=Count("id"))
        .order_by()
    ):
        row = bucket(month)
        if row:
            row.received += n
    finished = list(
        AccountRequest.objects.filter(notified_at__gte=start).values_list(
            "pk", "submitted_at", "notified_at"
        )
    )
    ct = ContentType.objects.get_for_model(AccountRequest)
    # Steps of the requests finished in the window may have closed a little before it.
    late = set()
    for step_type, object_id, started, due, closed in DeadlineStep.objects.filter(
        content_type=ct, closed_at__gte=start - dt.timedelta(days=62)
    ).values_list("step_type", "object_id", "started_at", "due_at", "closed_at"):
        if closed > due:
            late.add(object_id)
        row = bucket(closed) if closed >= start else None
        if row:
            row.step_hours.setdefault(step_type, []).append(
                (closed - started).total_seconds() / 3600
            )
    for pk, submitted, notified in finished:
        row = bucket(notified)
        if row:
            row.finished += 1
            row.on_time += str(pk) not in late
            row.overall_hours.append((notified - submitted).total_seconds() / 3600)
    for month, action, n in (
        RequestEvent.objects.filter(at__gte=start, action__in=VERIFICATION_ACTIONS)
        .annotate(m=TruncMonth("at", tzinfo=tz))
        .values_list("m", "action")
        .annotate(n=Count("id"))
        .order_by()
    ):
        row = bucket(month)
        if row:
            row.verified += n
            if action == "auto_verified":
                row.auto_verified += n
    return [rows[k] for k in sorted(rows)]


def quality_chart(rows: list[QualityMonth], width=720, height=240) -> dict:
    """Geometry of the server-rendered SVG bar chart (received and finished per month).
    Suppressed counts (1–4) are drawn as no bar, as in the table."""
    pad_left, pad_bottom, pad_top = 40, 28, 12
    inner_h = height - pad_bottom - pad_top
    top = max([max(r.received, r.finished) for r in rows] + [SUPPRESS_BELOW])
    step = (width - pad_left) / max(1, len(rows))
    bar = step * 0.36
    bars = []
    for i, r in enumerate(rows):
        x = pad_left + i * step + step * 0.12
        for j, (value, kind) in enumerate(((r.received, "received"), (r.finished, "finished"))):
            shown = value if value >= SUPPRESS_BELOW or value == 0 else 0
            h = inner_h * shown / top
            bars.append(
                {
                    "x": round(x + j * bar, 1),
                    "y": round(pad_top + inner_h - h, 1),
                    "w": round(bar - 2, 1),
                    "h": round(h, 1),
                    "kind": kind,
                    "label": f"{r.month:%m/%Y}: {QualityMonth.shown(value)}",
                }
            )
    labels = [
        {"x": round(pad_left + i * step + step / 2, 1), "text": f"{r.month:%m/%y}"}
        for i, r in enumerate(rows)
    ]
    return {
        "width": width,
        "height": height,
        "bars": bars,
        "labels": labels,
        "top": top,
        "axis_y": height - pad_bottom,
        "pad_left": pad_left,
        "pad_top": pad_top,
        "label_y": height - 8,
    }
