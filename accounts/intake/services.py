"""One message read from the mailbox -> one intake-log row, and a draft request when it is one.

Every outcome is a row in the intake log (IntakeMessage); nothing here raises for bad mail.
The Message-ID is the dedupe key: a message read twice returns the first row.
"""

import email.policy
import hashlib
import logging
import re
from email.parser import BytesHeaderParser

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import deadlines as clock
from ..forms import parse_date
from ..models import (
    AccountRequest,
    IntakeAttachment,
    IntakeMessage,
    IntakeOutcome,
    PersonKind,
    RequestKind,
    Status,
)
from ..phones import normalise_mobile
from ..services._common import _event, allocate_references
from .parse import DOCX, Parsed, parse_message, redact_secrets

log = logging.getLogger(__name__)

STORED_EXTENSION = {
    DOCX: ".docx",
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/tiff": ".tif",
}
MAX_LENGTHS = {
    "family_and_middle_names": 100,
    "given_name": 50,
    "person_id": 20,
    "unit_name": 200,
    "student_class": 50,
    "cohort": 20,
    "mobile_phone": 16,
    "existing_address": 254,
    "note": 1000,
}


def _message_id(raw: bytes, parsed: Parsed | None) -> str:
    if parsed and parsed.message_id:
        return parsed.message_id[:500]
    # A message without a Message-ID: its content names it, so reading it again still dedupes.
    return f"<sha256-{hashlib.sha256(raw).hexdigest()}@intake>"


def ingest(raw: bytes, *, source: str, now=None, size=None) -> tuple[IntakeMessage, bool]:
    """Read one message: (the intake-log row, created). Never raises for the message's content.

    `size`: the message's real size when only its headers were fetched (a message too large)."""
    now = now or timezone.now()
    # A message read before is recognised from its headers, before any attachment is opened.
    header_id = _header_message_id(raw)
    if header_id:
        found = IntakeMessage.objects.filter(message_id=header_id).first()
        if found:
            return found, False
    limit = settings.ACCOUNTS_INTAKE_MAX_BYTES
    size = max(size or 0, len(raw))
    if size > limit:
        parsed = _headers_only(raw)
        row, created = _log(
            raw,
            parsed,
            source,
            IntakeOutcome.TOO_LARGE,
            [("too_large", {"size": size // 1024, "limit": limit // 1024})],
            keep_raw=False,
        )
        if created:
            row.size = size
            row.save(update_fields=["size"])
        return row, created
    try:
        parsed = parse_message(raw)
    except Exception as exc:  # noqa: BLE001 — a message we cannot read is logged, not fatal
        log.warning("intake: unreadable message: %s", exc)
        return _log(
            raw, None, source, IntakeOutcome.UNREADABLE, [("error", {"error": str(exc)[:300]})]
        )
    found = IntakeMessage.objects.filter(message_id=_message_id(raw, parsed)).first()
    if found:
        return found, False
    if parsed.kind == "auto_reply":
        return _log(raw, parsed, source, IntakeOutcome.AUTO_REPLY, [])
    if parsed.kind == "bounce":
        req = _request_by_reference(parsed.reference) or _request_by_recipient(raw)
        if req is None:
            return _log(raw, parsed, source, IntakeOutcome.BOUNCE_UNMATCHED, [])
        return _attach(raw, parsed, source, req, IntakeOutcome.BOUNCE, "bounced", now)
    if parsed.kind == "forwarded":
        return _log(
            raw,
            parsed,
            source,
            IntakeOutcome.FORWARDED,
            [("forwarded", {})],
        )
    if parsed.kind == "reply":
        req = _request_by_reference(parsed.reference)
        if req is not None:
            return _attach(raw, parsed, source, req, IntakeOutcome.REPLY, "reply_received", now)
    refused = ", ".join(parsed.refused)
    if not parsed.fields and not parsed.attachments:
        if parsed.refused:
            return _log(
                raw,
                parsed,
                source,
                IntakeOutcome.BAD_ATTACHMENT,
                [("refused", {"names": refused}), ("accepted", {})],
            )
        return _log(
            raw,
            parsed,
            source,
            IntakeOutcome.EMPTY,
            [("empty", {})],
        )
    return _draft(raw, parsed, source, refused)


def _header_message_id(raw: bytes) -> str:
    try:
        headers = BytesHeaderParser(policy=email.policy.default).parsebytes(raw)
        return str(headers.get("Message-ID", "") or "").strip()[:500]
    except Exception:  # noqa: BLE001 — the full parse below decides what this message is
        return ""


def _headers_only(raw: bytes) -> Parsed | None:
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    try:
        return parse_message(head + b"\r\n\r\n")
    except Exception:  # noqa: BLE001
        return None


def _row(raw, parsed, source, outcome, detail, keep_raw=True) -> tuple[IntakeMessage, bytes]:
    """The unsaved log row and the bytes to keep as its original message."""
    return IntakeMessage(
        message_id=_message_id(raw, parsed),
        source=source,
        received_at=parsed.received_at if parsed else timezone.now(),
        sender=(parsed.sender if parsed else "")[:320],
        subject=(parsed.subject if parsed else "")[:500],
        size=len(raw),
        outcome=outcome,
        detail=[[code, args] for code, args in detail],
    ), (redact_secrets(raw) if keep_raw else b"")


def _save(made: tuple[IntakeMessage, bytes], parsed: Parsed | None) -> tuple[IntakeMessage, bool]:
    row, original = made
    try:
        with transaction.atomic():
            row.save(force_insert=True)
            if original:
                row.original.save("message.eml", ContentFile(original), save=True)
            for att in parsed.attachments if parsed and original else ():
                kept = IntakeAttachment(
                    message=row,
                    file_name=att.file_name[:255],
                    content_type=att.content_type,
                    size=len(att.content),
                )
                # Stored under the extension of its checked type, never the sender's name.
                stored_as = "attachment" + STORED_EXTENSION.get(att.content_type, ".bin")
                kept.file.save(stored_as, ContentFile(att.content), save=False)
                kept.save(force_insert=True)
    except IntegrityError:  # read concurrently by another worker: theirs stands
        return IntakeMessage.objects.get(message_id=row.message_id), False
    return row, True


def _log(raw, parsed, source, outcome, detail, keep_raw=True):
    found = IntakeMessage.objects.filter(message_id=_message_id(raw, parsed)).first()
    if found:
        return found, False
    return _save(_row(raw, parsed, source, outcome, detail, keep_raw), parsed)


def _request_by_reference(reference: str) -> AccountRequest | None:
    if not reference:
        return None
    return AccountRequest.objects.filter(reference=reference).first()


_FINAL_RECIPIENT = re.compile(rb"(?im)^(?:final|original)-recipient:\s*rfc822;\s*<?([^\s>]+)")


def _request_by_recipient(raw: bytes) -> AccountRequest | None:
    """A bounce without our reference: the newest request to the address that failed."""
    m = _FINAL_RECIPIENT.search(raw)
    if not m:
        return None
    address = m.group(1).decode("ascii", "replace").strip().lower()
    return AccountRequest.objects.filter(contact_email=address).order_by("-submitted_at").first()


def _attach(raw, parsed, source, req, outcome, action, now):
    with transaction.atomic():
        made = _row(raw, parsed, source, outcome, [])
        made[0].request = req
        row, created = _save(made, parsed)
        if created:
            _event(req, action, req.status, req.status, None, now, parsed.subject[:200])
    return row, created


def _clean_fields(parsed: Parsed) -> dict:
    values, sources = {}, {}
    for name, value in parsed.fields.items():
        if name == "date_of_birth":
            day = parse_date(value)
            if day is None:
                continue
            values[name] = day
        elif name == "mobile_phone":
            values[name] = normalise_mobile(value) or value[: MAX_LENGTHS[name]]
        elif name in MAX_LENGTHS:
            values[name] = value[: MAX_LENGTHS[name]]
        else:
            continue
        sources[name] = parsed.sources[name]
    return values, sources


def _draft(raw, parsed: Parsed, source: str, refused: str):
    values, sources = _clean_fields(parsed)
    if parsed.sender:
        values["contact_email"] = parsed.sender
        sources["contact_email"] = "sender"
    notes = []
    if parsed.scans:
        notes.append(("scans", {"names": ", ".join(parsed.scans)}))
    if refused:
        notes.append(("refused", {"names": refused}))
    received = parsed.received_at
    with transaction.atomic():
        row, created = _save(_row(raw, parsed, source, IntakeOutcome.DRAFT, notes), parsed)
        if not created:
            return row, False
        req = AccountRequest(
            reference=allocate_references(1, received)[0],
            person_kind=parsed.person_kind or PersonKind.STUDENT,
            request_kind=parsed.request_kind or RequestKind.NEW_ACCOUNT,
            status=Status.DRAFT,
            submitted_at=received,
            due_at=received,
            **{k: values.get(k, "") for k in MAX_LENGTHS},
            date_of_birth=values.get("date_of_birth"),
            contact_email=values.get("contact_email", ""),
        )
        req.set_tracking_token()
        req.search_key = req.compute_search_key()
        req.save(force_insert=True)
        # The step-3 clock counts from receipt (seed 004 step 3), not from when we read it.
        req.due_at = clock.open_for(req, "accounts.review", received)
        req.save(update_fields=["due_at"])
        _event(req, "received_by_email", "", Status.DRAFT, None, received, parsed.subject[:200])
        row.request = req
        row.field_sources = sources
        row.save(update_fields=["request", "field_sources"])
    return row, True


def confirm_draft(pk, user, data: dict, *, now=None) -> AccountRequest:
    """Staff checked a draft from e-mail against the attached form: it becomes a request like
    one from the web form (status Received, same step-3 clock), and the applicant gets the
    tracking link by e-mail, with the reference in the subject."""
    from ..services._common import TransitionError, _lock, _move, _require, unit_ids
    from ..services.public import REQUEST_FIELDS

    _require(user, "mtt_office")
    now = now or timezone.now()
    with transaction.atomic():
        req = _lock(pk)
        if req.status != Status.DRAFT:
            raise TransitionError(_("This request is not a draft from e-mail any more."))
        changed = []
        for name in REQUEST_FIELDS:
            if name in data:
                setattr(req, name, data[name] if data[name] is not None else "")
                changed.append(name)
        req.unit_id = unit_ids([req.unit_code]).get(req.unit_code)
        req.claimed_by, req.claimed_at = None, None
        _move(
            req,
            Status.SUBMITTED,
            actor=user,
            now=now,
            action="confirmed",
            fields=[*changed, "unit", "claimed_by", "claimed_at"],
        )
    # From here on it is a request like one from the web form: an exact registry match with no
    # duplicate is verified automatically where the admins switched that on (issue 17).
    from ..services.automatic import auto_verify_request

    if auto_verify_request(req.pk, now=now):
        req.refresh_from_db()
    return req
