"""What MTT.QT06 holds about a person, for portal.privacy (Decree 13/2023/NĐ-CP).

A request's personal fields (mobile phone, staff/student ID, date of birth, free text) are
cleared once it is closed and the retention period has passed, or on a data-protection request
for a closed request. The issuance log (CreateEmailHUST-log) is kept permanently (seed 004 §6):
it is exported, never anonymised. A request still in progress is left as it is.
"""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.privacy import PersonalData, consents_for, register

from .models import AccountRequest, IssuanceLogEntry, RequestEvent, Status
from .phones import normalise_mobile
from .services import REQUEST_FIELDS

# What the applicant gave (steps 1–2), then what the procedure made of it.
EXPORT_FIELDS = [
    "reference",
    *REQUEST_FIELDS,
    "status",
    "submitted_at",
    "reject_reason",
    "issued_address",
    "issued_at",
    "notified_at",
    "anonymised_at",
]
LOG_FIELDS = ["reference", "full_name", "person_id", "unit_name", "address", "action", "issued_at"]


def _matching(term: str) -> Q:
    term = term.strip()
    if not term:
        return Q(pk__in=[])
    q = Q(contact_email__iexact=term) | Q(person_id=term) | Q(issued_address__iexact=term)
    phone = normalise_mobile(term)
    if phone:
        q |= Q(mobile_phone=phone)
    return q


def _requests(term):
    return AccountRequest.objects.filter(_matching(term))


def _closed():
    return Q(status=Status.NOTIFIED) | Q(status=Status.REJECTED)


def _anonymise(qs) -> int:
    """Clear the personal fields of the requests of `qs` not anonymised yet."""
    now = timezone.now()
    pks = list(qs.filter(anonymised_at__isnull=True).values_list("pk", flat=True))
    for req in AccountRequest.objects.filter(pk__in=pks):
        req.mobile_phone = ""
        req.person_id = ""
        req.citizen_id = ""
        req.date_of_birth = None
        req.note = ""
        req.reject_reason = ""
        req.student_class = ""
        req.anonymised_at = now
        req.search_key = req.compute_search_key()
        req.save(
            update_fields=[
                "mobile_phone",
                "person_id",
                "citizen_id",
                "date_of_birth",
                "note",
                "reject_reason",
                "student_class",
                "anonymised_at",
                "search_key",
            ]
        )
    # Free text in the history (reasons, notes) goes too; the steps themselves stay.
    RequestEvent.objects.filter(request_id__in=pks).exclude(note="").update(note="")
    return len(pks)


def count(term: str) -> int:
    logs = IssuanceLogEntry.objects.filter(request__in=_requests(term)).count()
    return _requests(term).count() + logs


def export(term: str) -> list[dict]:
    rows = []
    for req in _requests(term).order_by("submitted_at"):
        row = {"type": "account_request", **{f: getattr(req, f) for f in EXPORT_FIELDS}}
        row["consents"] = [
            {"form": c.form, "notice_version": c.notice.version, "given_at": c.given_at}
            for c in consents_for(req)
        ]
        row["history"] = [
            {"action": e.action, "at": e.at, "to": e.to_status, "note": e.note}
            for e in req.events.all()
        ]
        rows.append(row)
    for entry in IssuanceLogEntry.objects.filter(request__in=_requests(term)).order_by("pk"):
        rows.append({"type": "issuance_log", **{f: getattr(entry, f) for f in LOG_FIELDS}})
    return rows


def anonymise(term: str) -> int:
    return _anonymise(_requests(term).filter(_closed()))


def retain(before) -> int:
    closed_before = Q(status=Status.NOTIFIED, notified_at__lt=before) | Q(
        status=Status.REJECTED, updated_at__lt=before
    )
    return _anonymise(AccountRequest.objects.filter(closed_before))


def register_source():
    register(
        PersonalData(
            key="accounts",
            label=_("E-mail account requests (MTT.QT06) and the issuance log"),
            count=count,
            export=export,
            anonymise=anonymise,
            retain=retain,
        )
    )
