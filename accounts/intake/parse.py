"""One e-mail message -> what it says: the classification and the BM01/BM02 fields it carries.

Fields come, in this order of trust, from an attached BM01/BM02 .docx (its table cells, by their
printed labels), a PDF (its form fields, else its text), then labelled lines in the body. Labels
are matched accent-insensitively (portal.text.fold), in Vietnamese or English.
"""

import datetime as dt
import email
import email.policy
import io
import re
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import parseaddr, parsedate_to_datetime

from django.utils import timezone

from portal.text import fold

# field -> the labels printed on the forms (folded). Longest labels are tried first.
LABELS = {
    "family_and_middle_names": ["ho va dem", "ho va ten dem", "family and middle names"],
    "given_name": ["ten", "given name"],
    "full_name": ["ho va ten", "ho ten", "full name"],
    "date_of_birth": ["ngay sinh", "ngay thang nam sinh", "date of birth"],
    "student_id": ["ma so sinh vien", "ma sinh vien", "mssv", "student id"],
    "staff_id": ["ma so can bo", "ma can bo", "staff id"],
    "unit_name": [
        "khoa / truong / vien",
        "khoa/truong/vien",
        "don vi",
        "unit",
        "faculty / school",
        "faculty",
    ],
    "student_class": ["lop", "class"],
    "cohort": ["khoa hoc", "cohort"],
    # "Khoa" (faculty) and "Khóa" (cohort) fold alike: the value decides (K68 is a cohort).
    "khoa": ["khoa"],
    "mobile_phone": ["so dien thoai di dong", "so dien thoai", "dien thoai", "mobile phone"],
    "existing_address": ["dia chi hien co", "existing address", "dia chi email hien co"],
    "note": ["ghi chu", "note"],
}
FIELD_ORDER = [
    "family_and_middle_names",
    "given_name",
    "date_of_birth",
    "person_id",
    "unit_name",
    "student_class",
    "cohort",
    "mobile_phone",
    "existing_address",
    "note",
]
_LABEL_INDEX = sorted(
    ((label, name) for name, labels in LABELS.items() for label in labels),
    key=lambda pair: -len(pair[0]),
)
_LINE = re.compile(r"^\s*[-*•]?\s*([^:：]{2,60})\s*[:：]\s*(.*?)\s*$")
_REFERENCE = re.compile(r"\bTK-\d{4}-\d{6}\b")
_FORWARD_SUBJECT = re.compile(r"^\s*(fwd?|tr|chuyen tiep)\s*:", re.I)
_FORWARD_BODY = (
    "---------- forwarded message",
    "-----original message-----",
    "---------- thu chuyen tiep",
    "begin forwarded message",
)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ACCEPTED_TYPES = {DOCX, "application/pdf", "image/jpeg", "image/png", "image/tiff"}


@dataclass
class Attachment:
    file_name: str
    content_type: str
    content: bytes


@dataclass
class Parsed:
    message_id: str
    sender: str
    subject: str
    received_at: dt.datetime
    body: str
    kind: str = "request"  # request | auto_reply | bounce | forwarded
    reference: str = ""  # a TK-... reference the message names (replies, bounces)
    fields: dict = field(default_factory=dict)  # name -> value
    sources: dict = field(default_factory=dict)  # name -> where the value came from
    attachments: list = field(default_factory=list)  # kept: Attachment
    refused: list = field(default_factory=list)  # file names of unexpected types
    scans: list = field(default_factory=list)  # attachments without any text
    person_kind: str = ""
    request_kind: str = ""


def label_of(text: str) -> str | None:
    """The field a printed label names ("Mã số sinh viên" -> student_id), or None."""
    key = fold(text).rstrip(" :*.")
    key = re.sub(r"\s*\(.*?\)\s*", " ", key).strip()
    for label, name in _LABEL_INDEX:
        if key == label:
            return name
    return None


def _received_at(msg) -> dt.datetime:
    """The receipt time: the newest Received: header's date, else Date:, else now."""
    for header in (msg.get_all("Received") or [])[:1]:
        stamp = str(header).rsplit(";", 1)[-1].strip()
        try:
            return parsedate_to_datetime(stamp)
        except (TypeError, ValueError):
            pass
    try:
        when = parsedate_to_datetime(str(msg["Date"]))
        if when.tzinfo is None:
            when = timezone.make_aware(when)
        return when
    except (TypeError, ValueError):
        return timezone.now()


def _text_of(part) -> str:
    try:
        return part.get_content()
    except (LookupError, KeyError, ValueError):
        payload = part.get_payload(decode=True) or b""
        return payload.decode("utf-8", "replace")


def _html_to_text(html: str) -> str:
    html = re.sub(r"(?is)<(script|style).*?</\1>", "", html)
    html = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</tr>|</li>", "\n", html)
    from html import unescape

    return unescape(re.sub(r"<[^>]+>", "", html))


def _set(parsed: Parsed, name: str, value: str, source: str):
    value = (value or "").strip()
    if not value or name in parsed.fields:
        return
    if name == "full_name":
        words = value.split()
        if len(words) >= 2:
            _set(parsed, "family_and_middle_names", " ".join(words[:-1]), source)
            _set(parsed, "given_name", words[-1], source)
        return
    if name == "khoa":
        name = "cohort" if re.fullmatch(r"[Kk]?\d{2}", value) else "unit_name"
    if name in ("student_id", "staff_id"):
        parsed.person_kind = parsed.person_kind or ("student" if name == "student_id" else "staff")
        name = "person_id"
        if name in parsed.fields:
            return
    parsed.fields[name] = value
    parsed.sources[name] = source


def _from_lines(parsed: Parsed, text: str, source: str) -> int:
    found = 0
    for line in text.splitlines():
        if line.lstrip().startswith(">"):
            continue  # quoted text of an earlier message
        m = _LINE.match(line)
        if not m:
            continue
        name = label_of(m.group(1))
        if name and m.group(2):
            before = len(parsed.fields)
            _set(parsed, name, m.group(2), source)
            found += len(parsed.fields) > before
    return found


def _from_docx(parsed: Parsed, content: bytes, source: str) -> int:
    import docx

    document = docx.Document(io.BytesIO(content))
    found = 0
    text = " ".join(p.text for p in document.paragraphs)
    for table in document.tables:
        for row in table.rows:
            cells = [c.text.strip() for c in row.cells]
            for label, value in zip(cells, cells[1:], strict=False):
                name = label_of(label)
                if name and value and not label_of(value):
                    before = len(parsed.fields)
                    _set(parsed, name, value, source)
                    found += len(parsed.fields) > before
    found += _from_lines(parsed, "\n".join(p.text for p in document.paragraphs), source)
    _kinds_from_text(parsed, text)
    return found


def _from_pdf(parsed: Parsed, content: bytes, source: str) -> tuple[int, bool]:
    """(fields found, whether the PDF had any text at all)."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    found = 0
    for name_in_form, value in (reader.get_form_text_fields() or {}).items():
        name = label_of(name_in_form) or (name_in_form if name_in_form in FIELD_ORDER else None)
        if name and value:
            before = len(parsed.fields)
            _set(parsed, name, str(value), source)
            found += len(parsed.fields) > before
    text = "\n".join((page.extract_text() or "") for page in reader.pages)
    found += _from_lines(parsed, text, source)
    _kinds_from_text(parsed, text)
    return found, bool(text.strip()) or found > 0


def _kinds_from_text(parsed: Parsed, text: str):
    folded = fold(text)
    if not parsed.person_kind:
        if "bm02" in folded or "sinh vien" in folded or "student" in folded:
            parsed.person_kind = "student"
        elif "bm01" in folded or "can bo" in folded or "staff" in folded:
            parsed.person_kind = "staff"
    if not parsed.request_kind and ("cap lai mat khau" in folded or "password reset" in folded):
        parsed.request_kind = "password_reset"


def _is_bounce(msg, sender: str) -> bool:
    if msg.get_content_type() == "multipart/report":
        return msg.get_param("report-type", "").lower() == "delivery-status"
    local = sender.split("@", 1)[0].lower()
    return local in ("mailer-daemon", "postmaster")


def parse_message(raw: bytes) -> Parsed:
    msg: EmailMessage = email.message_from_bytes(raw, policy=email.policy.default)
    sender = parseaddr(str(msg.get("From", "")))[1].strip().lower()
    subject = str(msg.get("Subject", "") or "").strip()
    message_id = str(msg.get("Message-ID", "") or "").strip()
    parsed = Parsed(
        message_id=message_id,
        sender=sender,
        subject=subject,
        received_at=_received_at(msg),
        body="",
    )
    plain, html = [], []
    for part in msg.walk():
        if part.is_multipart():
            continue
        disposition = part.get_content_disposition()
        name = part.get_filename()
        ctype = part.get_content_type()
        if disposition == "attachment" or (name and disposition != "inline") or name:
            content = part.get_payload(decode=True) or b""
            if ctype == "application/octet-stream" and name:
                lower = name.lower()
                ctype = (
                    DOCX
                    if lower.endswith(".docx")
                    else "application/pdf"
                    if lower.endswith(".pdf")
                    else ctype
                )
            if ctype in ACCEPTED_TYPES:
                parsed.attachments.append(Attachment(name or "attachment", ctype, content))
            elif ctype.startswith("message/") or ctype.endswith("delivery-status"):
                continue
            else:
                parsed.refused.append(name or ctype)
        elif ctype == "text/plain":
            plain.append(_text_of(part))
        elif ctype == "text/html":
            html.append(_html_to_text(_text_of(part)))
    parsed.body = "\n".join(plain) if plain else "\n".join(html)

    auto = str(msg.get("Auto-Submitted", "no") or "no").strip().lower()
    ref = _REFERENCE.search(subject) or _REFERENCE.search(parsed.body)
    parsed.reference = ref.group(0) if ref else ""
    if _is_bounce(msg, sender):
        parsed.kind = "bounce"
        if not parsed.reference:
            for part in msg.walk():
                if part.get_content_type() in ("message/rfc822", "text/rfc822-headers"):
                    found = _REFERENCE.search(part.as_string())
                    if found:
                        parsed.reference = found.group(0)
                        break
        return parsed
    if auto != "no" or str(msg.get("X-Autoreply", "")).lower() == "yes":
        parsed.kind = "auto_reply"
        return parsed
    if _FORWARD_SUBJECT.match(fold(subject)) or any(
        marker in fold(parsed.body) for marker in _FORWARD_BODY
    ):
        parsed.kind = "forwarded"
        return parsed

    for att in parsed.attachments:
        source = f"{att.content_type.split('/')[-1][:4]}: {att.file_name}"
        try:
            if att.content_type == DOCX:
                source = f"docx: {att.file_name}"
                _from_docx(parsed, att.content, source)
            elif att.content_type == "application/pdf":
                source = f"pdf: {att.file_name}"
                _, has_text = _from_pdf(parsed, att.content, source)
                if not has_text:
                    parsed.scans.append(att.file_name)
            else:
                parsed.scans.append(att.file_name)
        except Exception:  # noqa: BLE001 — a broken attachment is kept for staff, never fatal
            parsed.scans.append(att.file_name)
    _from_lines(parsed, parsed.body, "body")
    _kinds_from_text(parsed, subject + "\n" + parsed.body)
    if parsed.reference:
        parsed.kind = "reply"
    return parsed


_SECRET_LINK = re.compile(r"(/accounts/(?:track|secret)/)[A-Za-z0-9_\-]{16,}")


def redact_secrets(raw: bytes) -> bytes:
    """The message with our tracking and password links blanked out: a reply quoting our mail
    carries the applicant's secret link, which staff must never see (DESIGN.md, secrets)."""
    try:
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        changed = False
        for part in msg.walk():
            if part.is_multipart() or part.get_content_maintype() != "text":
                continue
            if part.get_content_disposition() == "attachment":
                continue
            text = _text_of(part)
            clean = _SECRET_LINK.sub(r"\1[…]", text)
            if clean != text:
                part.set_content(clean, subtype=part.get_content_subtype(), charset="utf-8")
                changed = True
        return msg.as_bytes() if changed else raw
    except Exception:  # noqa: BLE001 — unreadable: nothing we could show either
        return raw
