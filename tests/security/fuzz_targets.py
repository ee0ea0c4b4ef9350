"""Generated inputs for every public form and every upload parser, and the probes that send
them. Shared by tests/security/test_fuzz.py (hypothesis, fixed seed) and bench/fuzz.py
(≥ 10,000 inputs, prints the counts).

A probe returns "accepted" or "rejected" and raises `ServerError` for an error 500 (or, for a
parser, any exception other than the one it uses to refuse a file). After an accepted input it
checks that what was saved is valid.
"""

import datetime as dt
import io
import re
import uuid

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.validators import validate_email
from hypothesis import strategies as st

from accounts.bulk import ALIASES as BULK_ALIASES
from accounts.bulk import COLUMNS as BULK_COLUMNS
from accounts.registry import ALIASES as REGISTRY_ALIASES

ACCEPTED, REJECTED = "accepted", "rejected"


class ServerError(AssertionError):
    pass


# --- building blocks ---------------------------------------------------------------------------

NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    '=HYPERLINK("http://evil.example","x")',
    "+1+1",
    "@SUM(A1)",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%s%s%n",
    "../../etc/passwd",
    "\r\n\t",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ☃ 🎓",
    "Nguyễn Văn",
    "Đặng",
    "x" * 5000,
    "9" * 40,
    "0912 345 678",
    "+84 912 345 678",
    "31/02/2005",
    "00/00/0000",
    "15/03/2005",
    "2005-03-15",
    "a@b",
    "an.nguyen@example.com",
    "null",
    "None",
    "-1",
    "1e309",
]
junk = st.one_of(st.sampled_from(NASTY), st.text(max_size=200))


@st.composite
def forms_from(draw, valid: dict):
    """A form that is valid but for a few fields (none, one, … four), each of which gets junk
    or goes missing: most inputs reach the deeper checks, and some are accepted."""
    data = {key: draw(st.sampled_from(values)) for key, values in valid.items()}
    for key in draw(st.sets(st.sampled_from(sorted(valid)), max_size=4)):
        data[key] = draw(st.one_of(junk, st.none()))
    return data


def _post_data(data: dict) -> dict:
    return {k: v for k, v in data.items() if v is not None}


def _classify(response, *, accepted=(302,)) -> str:
    if response.status_code >= 500:
        raise ServerError(f"{response.status_code} from {response.request.get('PATH_INFO')}")
    return ACCEPTED if response.status_code in accepted else REJECTED


# --- BM01 / BM02 -------------------------------------------------------------------------------

REQUEST_FORM = {
    "request_kind": ["new_account", "password_reset"],
    "family_and_middle_names": ["Nguyễn Văn", "Trần Thị", "Đặng"],
    "given_name": ["An", "Bình"],
    "date_of_birth": ["15/03/2005", "02/09/1985"],
    "person_id": ["20231234", "CB1024"],
    "unit": ["UNIT_CODE"],
    "student_class": ["ĐTVT-01", ""],
    "cohort": ["K68", ""],
    "mobile_phone": ["0912 345 678", "+84987654321", "0912.345.678"],
    "contact_email": ["an.nguyen@example.com", "binh@example.edu.vn"],
    "existing_address": ["", "an.nv@sis.hust.edu.vn"],
    "note": ["", "Cần gấp"],
    "submission_token": ["NEW_TOKEN"],
    "privacy_consent": ["on"],
}
request_forms = st.tuples(st.sampled_from(["student", "staff"]), forms_from(REQUEST_FORM))

E164 = re.compile(r"^\+84[35789]\d{8}$")


def check_saved_request(req):
    assert E164.match(req.mobile_phone), req.mobile_phone
    assert req.date_of_birth and req.date_of_birth < dt.date.today()
    validate_email(req.contact_email)
    assert req.family_and_middle_names.strip() and req.given_name.strip()
    assert req.person_id.strip()
    for value in (req.full_name, req.person_id, req.note, req.student_class):
        assert "\x00" not in value
    req.full_clean(validate_unique=False)


def probe_request_form(client, kind_and_data) -> str:
    from accounts.forms import unit_choices
    from accounts.models import AccountRequest

    kind, data = kind_and_data
    choices = unit_choices()
    fill = {"UNIT_CODE": choices[0][0] if choices else "", "NEW_TOKEN": str(uuid.uuid4())}
    data = {k: fill.get(v, v) if isinstance(v, str) else v for k, v in data.items()}
    before = AccountRequest.objects.count()
    response = client.post(f"/accounts/apply/{kind}/", _post_data(data))
    verdict = _classify(response)
    if verdict == ACCEPTED:
        if AccountRequest.objects.count() > before:  # else: the same form sent again
            check_saved_request(AccountRequest.objects.order_by("-pk").first())
    else:
        assert AccountRequest.objects.count() == before, "a refused form saved a request"
    return verdict


# --- the learner's question and the feedback form -----------------------------------------------

question_forms = forms_from(
    {
        "topic": ["TOPIC"],
        "kind": ["question", "opinion", "petition", "proposal"],
        "text": ["Thư viện có mở cửa buổi tối không ạ?", "Học phí năm sau có tăng không?"],
        "unit": ["UNIT"],
        "student_class": ["K28-CNTT1", ""],
        "anonymous": ["on", ""],
        "privacy_consent": ["on"],
    }
)


def probe_question_form(client, data, *, topic_id, unit_id) -> str:
    from dialogue.models import Question

    data = {
        k: (str(topic_id) if v == "TOPIC" else str(unit_id) if v == "UNIT" else v)
        for k, v in data.items()
    }
    before = Question.objects.count()
    verdict = _classify(client.post("/dialogue/ask/", _post_data(data)))
    if verdict == ACCEPTED:
        q = Question.objects.order_by("-pk").first()
        assert len(q.text) >= 10 and "\x00" not in q.text and q.text == q.text.strip()
        q.full_clean(validate_unique=False)
    else:
        assert Question.objects.count() == before
    return verdict


RATINGS = ["1", "2", "3", "4", "5"]
feedback_answers = st.lists(
    st.one_of(st.sampled_from(RATINGS), st.sampled_from(["0", "6", "-1", "4.5", ""]), junk),
    min_size=0,
    max_size=8,
)
consent_values = st.sampled_from(["on", "on", "", None])


def probe_feedback_form(client, answers, consent, *, form) -> str:
    """A fresh learner answers (a learner answers a form once)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from dialogue.models import FeedbackAnswer, FeedbackResponse

    learner = get_user_model().objects.create(username=f"fuzz-{uuid.uuid4().hex[:12]}")
    learner.groups.add(Group.objects.get(name="learner"))
    client.force_login(learner)
    items = list(form.items.all())
    data = {f"item_{item.pk}": value for item, value in zip(items, answers, strict=False)}
    data["privacy_consent"] = consent
    before = FeedbackResponse.objects.count()
    verdict = _classify(client.post(f"/dialogue/feedback/{form.pk}/", _post_data(data)))
    if verdict == ACCEPTED and FeedbackResponse.objects.count() > before:
        response = FeedbackResponse.objects.order_by("-pk").first()
        for answer in FeedbackAnswer.objects.filter(response=response):
            assert answer.rating is None or 1 <= answer.rating <= 5
            assert "\x00" not in answer.text
    elif verdict == REJECTED:
        assert FeedbackResponse.objects.count() == before
    return verdict


# --- log-in and tracking ----------------------------------------------------------------------

login_forms = st.fixed_dictionaries({"username": junk, "password": junk})


def probe_login(client, data) -> str:
    return _classify(client.post("/login/", _post_data(data)))


tracking_tokens = st.one_of(
    st.text(
        alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_", max_size=80
    ),
    st.sampled_from(["", "x" * 300, "0", "..", "%00"]),
)
lookup_forms = st.fixed_dictionaries({"reference": junk, "email": junk})


def probe_tracking(client, token, lookup) -> str:
    from urllib.parse import quote

    page = client.get(f"/accounts/track/{quote(token, safe='')}/") if token else None
    if page is not None and page.status_code >= 500:
        raise ServerError(f"{page.status_code} from the status page")
    if page is not None and page.status_code == 200:
        raise ServerError("a made-up tracking token opened a request")
    return _classify(client.post("/accounts/track/", _post_data(lookup)), accepted=(200,))


# --- upload parsers ----------------------------------------------------------------------------

cells = st.one_of(
    junk,
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(min_value=dt.date(1, 1, 1)),
    st.booleans(),
    st.none(),
)


def _header(aliases, columns):
    return st.lists(st.one_of(st.sampled_from(sorted(aliases)), st.sampled_from(columns), junk))


@st.composite
def tables(draw, aliases, columns):
    header = draw(_header(aliases, columns).filter(lambda h: len(h) <= 20))
    rows = draw(st.lists(st.lists(cells, max_size=len(header) + 2), max_size=12))
    return header, rows


def _csv_bytes(header, rows, encoding, delimiter) -> bytes:
    import csv

    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    for row in [header, *rows]:
        writer.writerow(["" if c is None else str(c) for c in row])
    return out.getvalue().encode(encoding, errors="replace")


def _xlsx_bytes(header, rows) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in [header, *rows]:
        clean = []
        for c in row:
            if isinstance(c, str):
                # openpyxl itself refuses control characters; a real export cannot carry them.
                c = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", c)[:32000]
            elif (
                isinstance(c, float)
                and (c != c or c in (float("inf"), float("-inf")))
                or isinstance(c, int)
                and abs(c) > 10**15
            ):
                c = str(c)
            clean.append(c)
        sheet.append(clean)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@st.composite
def uploads(draw, aliases, columns):
    """(file name, bytes): a CSV or XLSX table of junk, or plain random bytes."""
    kind = draw(st.sampled_from(["csv", "xlsx", "bytes"]))
    if kind == "bytes":
        name = draw(st.sampled_from(["a.csv", "a.xlsx", "a.txt", "a.pdf", "noext"]))
        return name, draw(st.binary(max_size=2000))
    header, rows = draw(tables(aliases, columns))
    if kind == "csv":
        encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1258", "latin-1"]))
        delimiter = draw(st.sampled_from([",", ";", "\t"]))
        return draw(st.sampled_from(["a.csv", "a.txt", ""])), _csv_bytes(
            header, rows, encoding, delimiter
        )
    return draw(st.sampled_from(["a.xlsx", "a.csv"])), _xlsx_bytes(header, rows)


bulk_uploads = uploads(BULK_ALIASES, BULK_COLUMNS)
registry_uploads = uploads(REGISTRY_ALIASES, ["person_id", "full_name", "date_of_birth"])


def _parse(call, name, content):
    from accounts.tabular import FileError

    try:
        return ACCEPTED, call(SimpleUploadedFile(name or "upload", content))
    except FileError:
        return REJECTED, None
    except Exception as exc:  # anything else is an error 500 in the upload view
        raise ServerError(f"{type(exc).__name__}: {exc}") from exc


def probe_bulk_intake(name, content) -> str:
    from accounts.bulk import parse_upload

    verdict, result = _parse(parse_upload, name, content)
    if verdict == ACCEPTED:
        valid, _errors = result
        for row in valid:  # what intake would create must be as valid as a typed form
            assert E164.match(row["mobile_phone"]), row
            validate_email(row["contact_email"])
            assert isinstance(row["date_of_birth"], dt.date)
    return verdict


def probe_registry_import(name, content, kind="student") -> str:
    from accounts.models import RegistryRecord
    from accounts.registry import import_registry

    verdict, _summary = _parse(lambda f: import_registry(kind, f), name, content)
    for record in RegistryRecord.objects.all()[:50]:
        assert record.person_id.strip() and "\x00" not in record.person_id
    return verdict


minutes_files = st.tuples(
    st.sampled_from(["m.pdf", "m.docx", "m.PDF", "m.exe", "m", "m.pdf.exe", "m.docx.pdf"]),
    st.one_of(
        st.binary(max_size=2000),
        st.binary(max_size=500).map(lambda b: b"%PDF-1.7\n" + b),
        st.binary(max_size=500).map(lambda b: b"PK\x03\x04" + b),
    ),
)


def probe_minutes_upload(name, content, text) -> str:
    from dialogue.forms import MinutesForm

    form = MinutesForm(
        {"minutes_text": text or "", "attendance": "", "attendee_count": ""},
        {"minutes_file": SimpleUploadedFile(name, content)},
    )
    try:
        valid = form.is_valid()
    except Exception as exc:
        raise ServerError(f"{type(exc).__name__}: {exc}") from exc
    if valid and form.cleaned_data.get("minutes_file"):
        head = content[:8]
        assert head.startswith((b"%PDF", b"PK\x03\x04")), "a file that is no document passed"
    return ACCEPTED if valid else REJECTED
