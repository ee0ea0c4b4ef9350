"""Personal data (Decree 13/2023/NĐ-CP): the notice, consent, retention, export, anonymisation.

portal knows no app. Each app registers a `PersonalData` source from its AppConfig.ready(): how to
find what it holds about one person, how to export it, how to anonymise it on request, and how
to anonymise its closed records after the retention period. What a procedure must keep for
ever (the issuance log of MTT.QT06) is not a source's to touch.
"""

import datetime as dt
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Consent, PrivacyAction, PrivacyLogEntry, PrivacyNotice

log = logging.getLogger("portal.privacy")

# The forms that collect personal data: who processes it and for what (shown in the notice).
NOTICE_PURPOSES = {
    "accounts": (
        _("The University's MTT Office (Network Information Centre)"),
        _(
            "to check your request against the staff or student registry, issue your e-mail "
            "account or reset its password, and tell you the result"
        ),
    ),
    "dialogue.question": (
        _("The Organising Committee standing office (CTCT&SV) and the unit you choose"),
        _("to route your question or opinion to whoever answers it and to publish the answer"),
    ),
    "dialogue.feedback": (
        _("The Organising Committee standing office (CTCT&SV)"),
        _("to measure how learners rate the dialogue; answers are kept without your name"),
    ),
}


@dataclass(frozen=True)
class PersonalData:
    """What one app holds about people. Each callable takes the person's identifier (an e-mail
    address, a staff/student ID or a phone number, as typed) unless said otherwise."""

    key: str
    label: str
    count: Callable[[str], int]
    export: Callable[[str], list[dict]]
    # → how many records were anonymised; leaves alone what must be kept or is still in progress.
    anonymise: Callable[[str], int]
    # (closed before this time) → how many records were anonymised.
    retain: Callable[[dt.datetime], int]


_sources: dict[str, PersonalData] = {}


def register(source: PersonalData) -> None:
    _sources[source.key] = source


def sources() -> list[PersonalData]:
    return list(_sources.values())


# --- notice and consent -------------------------------------------------------------------


def current_notice() -> PrivacyNotice:
    notice = PrivacyNotice.objects.order_by("-version").first()
    if notice is None:  # a fresh database: the first wording (migration 0005 makes it too)
        notice, _created = PrivacyNotice.objects.get_or_create(
            version=1, defaults={"published_at": timezone.now(), "summary": "First notice."}
        )
    return notice


def record_consent(obj, *, form: str, language: str = "", notice=None) -> Consent:
    """The person who sent `obj` agreed to the current notice (the form required the box)."""
    return Consent.objects.create(
        notice=notice or current_notice(),
        form=form,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        given_at=timezone.now(),
        language=language[:8],
    )


def consents_for(obj):
    return Consent.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    ).select_related("notice")


# --- retention -----------------------------------------------------------------------------


def apply_retention(*, now=None) -> PrivacyLogEntry:
    """Anonymise every source's records closed more than PRIVACY_RETENTION_DAYS ago; log it.

    Safe to run twice: a record already anonymised is not counted again.
    """
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.PRIVACY_RETENTION_DAYS)
    counts = {}
    with transaction.atomic():
        for source in sources():
            counts[source.key] = source.retain(cutoff)
        entry = PrivacyLogEntry.objects.create(
            action=PrivacyAction.RETENTION,
            at=now,
            counts=counts,
            note=f"closed before {cutoff:%Y-%m-%d}",
        )
    log.info("retention: anonymised %s (closed before %s)", counts, cutoff.date())
    return entry


# --- data protection: one person's data ----------------------------------------------------


def summarise_person(term: str) -> list[tuple[PersonalData, int]]:
    term = term.strip()
    return [(s, s.count(term)) for s in sources()]


def export_person(term: str, *, actor) -> bytes:
    """Everything held about the person, as a JSON file; the export is logged (who, whom)."""
    term = term.strip()
    data = {s.key: s.export(term) for s in sources()}
    PrivacyLogEntry.objects.create(
        action=PrivacyAction.EXPORT,
        at=timezone.now(),
        actor=actor,
        subject=term[:200],
        counts={key: len(rows) for key, rows in data.items()},
    )
    log.info(
        "personal data exported by user %s (%d records)", actor.pk, sum(map(len, data.values()))
    )
    document = {
        "exported_at": timezone.now(),
        "identifier": term,
        "records": data,
    }
    return json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode()


def anonymise_person(term: str, *, actor, note: str = "") -> PrivacyLogEntry:
    """Anonymise what may be anonymised about the person (closed records; never the issuance
    log the procedure keeps permanently); logged."""
    term = term.strip()
    with transaction.atomic():
        counts = {s.key: s.anonymise(term) for s in sources()}
        entry = PrivacyLogEntry.objects.create(
            action=PrivacyAction.ANONYMISE,
            at=timezone.now(),
            actor=actor,
            subject=term[:200],
            counts=counts,
            note=note,
        )
    log.info("anonymised on request by user %s: %s", actor.pk, counts)
    return entry
