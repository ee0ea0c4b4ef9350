"""A unit's bulk upload of BM01/BM02 rows (issue 5 §2): every row validated, errors by row and
column, nothing created until the whole file is clean. No query per row: the same form as the
web page checks each row, the unit list is cached, and one query finds open duplicates."""

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.text import fold

from .forms import (
    _COHORT,
    _STAFF_ID,
    _STUDENT_ID,
    check_birth_date,
    clean_name,
    parse_date,
    unit_choices,
)
from .models import OPEN_STATUSES, AccountRequest, PersonKind, RequestKind
from .naming import domain_for
from .phones import normalise_mobile
from .tabular import FileError, iter_table

COLUMNS = [
    "person_kind",
    "request_kind",
    "family_and_middle_names",
    "given_name",
    "date_of_birth",
    "person_id",
    "unit_code",
    "student_class",
    "cohort",
    "mobile_phone",
    "contact_email",
    "existing_address",
    "note",
    "language",
]
# A file without these columns is refused at its header, before any row is read.
OPTIONAL_COLUMNS = ("student_class", "cohort", "existing_address", "note", "language")
REQUIRED_COLUMNS = [c for c in COLUMNS if c not in OPTIONAL_COLUMNS]
LANGUAGES = {"vi": "vi", "en": "en", "tieng viet": "vi", "english": "en", "": "vi"}
COLUMN_LABELS = {
    "person_kind": _("Staff / student"),
    "request_kind": _("Request"),
    "family_and_middle_names": _("Family and middle names"),
    "given_name": _("Given name"),
    "date_of_birth": _("Date of birth"),
    "person_id": _("Staff or student ID"),
    "unit_code": _("Unit code"),
    "student_class": _("Class"),
    "cohort": _("Cohort"),
    "mobile_phone": _("Mobile phone"),
    "contact_email": _("Contact e-mail"),
    "existing_address": _("Existing address"),
    "note": _("Note"),
    "language": _("Language of the applicant's e-mails (vi or en)"),
    "": _("Row"),
}
# The request's column sizes (the note as the web form allows).
MAX_LENGTHS = {
    **{
        c: AccountRequest._meta.get_field(c).max_length
        for c in (
            "family_and_middle_names",
            "given_name",
            "student_class",
            "cohort",
            "contact_email",
            "existing_address",
        )
    },
    "note": 1000,
}
ALIASES = {c: c for c in COLUMNS}
ALIASES.update(
    {
        "loai": "person_kind",
        "yeu_cau": "request_kind",
        "ho_va_dem": "family_and_middle_names",
        "ho_dem": "family_and_middle_names",
        "ten": "given_name",
        "ngay_sinh": "date_of_birth",
        "ma_so": "person_id",
        "ma_can_bo": "person_id",
        "mssv": "person_id",
        "ma_so_sinh_vien": "person_id",
        "ma_don_vi": "unit_code",
        "lop": "student_class",
        "khoa_hoc": "cohort",
        "dien_thoai_di_dong": "mobile_phone",
        "so_dien_thoai": "mobile_phone",
        "email_lien_he": "contact_email",
        "dia_chi_hien_co": "existing_address",
        "ghi_chu": "note",
        "ngon_ngu": "language",
    }
)
SAMPLE = [
    [
        "student",
        "new_account",
        "Nguyễn Văn",
        "An",
        "15/03/2005",
        "20231234",
        "hust-seee",
        "ĐTVT-01",
        "K68",
        "0912 345 678",
        "an.nguyen@example.com",
        "",
        "",
        "vi",
    ],
    [
        "staff",
        "password_reset",
        "Trần Thị",
        "Bình",
        "02/09/1985",
        "CB1024",
        "hust-sme",
        "",
        "",
        "0987 654 321",
        "binh.tran@example.com",
        "binh.tranthi@hust.edu.vn",
        "",
        "en",
    ],
]

_KIND = {
    "staff": PersonKind.STAFF,
    "cb": PersonKind.STAFF,
    "can bo": PersonKind.STAFF,
    "student": PersonKind.STUDENT,
    "sv": PersonKind.STUDENT,
    "sinh vien": PersonKind.STUDENT,
}
_REQUEST = {
    "new_account": RequestKind.NEW_ACCOUNT,
    "new": RequestKind.NEW_ACCOUNT,
    "cap moi": RequestKind.NEW_ACCOUNT,
    "cap tkdt": RequestKind.NEW_ACCOUNT,
    "password_reset": RequestKind.PASSWORD_RESET,
    "reset": RequestKind.PASSWORD_RESET,
    "cap lai mat khau": RequestKind.PASSWORD_RESET,
}


class RowError:
    def __init__(self, row, column, message):
        self.row, self.column, self.message = row, column, str(message)

    @property
    def column_label(self):
        return COLUMN_LABELS.get(self.column, self.column)

    def __repr__(self):
        return f"RowError({self.row}, {self.column!r}, {self.message!r})"


def _check_row(
    raw: dict, kind: str, request_kind: str, units: dict, today: dt.date | None = None
) -> tuple[dict, list]:
    """The checks of the BM01/BM02 form, as plain functions: the web form costs ~1 ms a row,
    these a few microseconds (10,000 rows must validate in seconds)."""
    errors, data = [], {"person_kind": kind, "request_kind": request_kind}
    today = today or timezone.localdate()

    def check(column, func):
        try:
            return func()
        except ValidationError as exc:
            errors.extend((column, m) for m in exc.messages)
            return None

    def required(column):
        value = " ".join(str(raw.get(column) or "").split())
        if not value:
            errors.append((column, _("This field is required.")))
        return value

    if value := required("family_and_middle_names"):
        data["family_and_middle_names"] = check(
            "family_and_middle_names", lambda: clean_name(value, _("Family and middle names"))
        )
    if value := required("given_name"):
        data["given_name"] = check("given_name", lambda: clean_name(value, _("Given name")))
    if value := required("date_of_birth"):
        day = parse_date(value)
        if day is None:
            errors.append(("date_of_birth", _("Write the date as dd/mm/yyyy, e.g. 15/03/2005.")))
        else:
            data["date_of_birth"] = check("date_of_birth", lambda: check_birth_date(day, today))
    if value := required("person_id"):
        if kind == PersonKind.STUDENT:
            if not _STUDENT_ID.match(value):
                errors.append(("person_id", _("A student ID is 6 to 12 digits, e.g. 20231234.")))
            data["person_id"] = value
        else:
            value = value.upper()
            if not _STAFF_ID.match(value):
                errors.append(("person_id", _("Check the staff ID (letters and digits).")))
            data["person_id"] = value
    if code := required("unit_code"):
        if code not in units:
            errors.append(("unit_code", _("Unknown unit code: %(code)s.") % {"code": code}))
        data["unit_code"], data["unit_name"] = code, units.get(code, code)
    data["student_class"] = data["cohort"] = ""
    if kind == PersonKind.STUDENT:
        data["student_class"] = required("student_class")
        if cohort := required("cohort").upper():
            if not _COHORT.match(cohort):
                errors.append(("cohort", _("Write the cohort as on the student card, e.g. K68.")))
            data["cohort"] = cohort if cohort.startswith("K") else f"K{cohort}"
    if value := required("mobile_phone"):
        data["mobile_phone"] = normalise_mobile(value)
        if data["mobile_phone"] is None:
            errors.append(
                (
                    "mobile_phone",
                    _("Enter a Vietnamese mobile number, e.g. 0912 345 678 or +84 912 345 678."),
                )
            )
    for column in ("contact_email", "existing_address"):
        value = str(raw.get(column) or "").strip().lower()
        data[column] = value
        if value:
            check(column, lambda value=value: validate_email(value))
    if not data["contact_email"]:
        errors.append(("contact_email", _("This field is required.")))
    if request_kind == RequestKind.PASSWORD_RESET:
        domain = domain_for(kind)
        existing = data["existing_address"]
        if not existing:
            errors.append(("existing_address", _("For a password reset, give the address.")))
        elif not existing.endswith("@" + domain):
            errors.append(
                ("existing_address", _("The address ends in @%(domain)s.") % {"domain": domain})
            )
        elif existing == data["contact_email"]:
            errors.append(
                (
                    "contact_email",
                    _("Give an address you can read now, not the one whose password is lost."),
                )
            )
    else:
        data["existing_address"] = ""
    data["note"] = str(raw.get("note") or "").strip()
    data["language"] = LANGUAGES.get(fold(raw.get("language") or ""))
    if data["language"] is None:
        errors.append(("language", _("Write vi or en.")))
    # A value longer than its column is an error on its row, never a silent cut (issue 12 §11).
    for column, limit in MAX_LENGTHS.items():
        value = data.get(column)
        if isinstance(value, str) and len(value) > limit:
            errors.append(
                (
                    column,
                    _("At most %(limit)s characters (this one has %(count)s).")
                    % {"limit": limit, "count": len(value)},
                )
            )
    return data, errors


def validate_rows(rows: Iterable[dict]) -> tuple[list[dict], list[RowError]]:
    """(clean request data, errors). Clean data is returned only when there is no error.
    `rows` is read once, row by row (parse_upload streams the file: only the clean data of
    each row is kept)."""
    units = dict(unit_choices(english=False))
    today = timezone.localdate()
    errors: list[RowError] = []
    clean: list[dict] = []
    seen: dict[tuple, int] = {}
    for raw in rows:
        number = raw["_row"]
        kind = _KIND.get(fold(raw.get("person_kind", "")))
        if kind is None:
            errors.append(RowError(number, "person_kind", _("Write staff or student.")))
            continue
        request_kind = _REQUEST.get(
            fold(raw.get("request_kind", "")).replace("_", " "),
            _REQUEST.get(fold(raw.get("request_kind", ""))),
        )
        if request_kind is None:
            errors.append(
                RowError(number, "request_kind", _("Write new_account or password_reset."))
            )
            continue
        data, row_errors = _check_row(raw, kind, request_kind, units, today)
        if row_errors:
            errors.extend(RowError(number, column, message) for column, message in row_errors)
            continue
        key = (kind, data["person_id"], request_kind)
        if key in seen:
            errors.append(
                RowError(
                    number,
                    "person_id",
                    _("The same person and request are already on row %(row)s.")
                    % {"row": seen[key]},
                )
            )
            continue
        seen[key] = number
        data["_row"] = number
        clean.append(data)
    # One query: people who already have an open request of the same kind.
    if clean:
        open_keys = set(
            AccountRequest.objects.filter(
                status__in=OPEN_STATUSES, person_id__in=[d["person_id"] for d in clean]
            ).values_list("person_kind", "person_id", "request_kind", "reference")
        )
        open_by_key = {(k, i, r): ref for k, i, r, ref in open_keys}
        from .duplicates import people_with_accounts

        # And people who already have an account asking for a new one (issue 12 §1).
        with_account = people_with_accounts(d["person_id"] for d in clean)
        for data in clean:
            if (
                data["request_kind"] == RequestKind.NEW_ACCOUNT
                and (data["person_kind"], data["person_id"].upper()) in with_account
            ):
                errors.append(
                    RowError(
                        data["_row"],
                        "person_id",
                        _(
                            "This person already has an e-mail account: ask for a password "
                            "reset instead."
                        ),
                    )
                )
                continue
            ref = open_by_key.get((data["person_kind"], data["person_id"], data["request_kind"]))
            if ref:
                errors.append(
                    RowError(
                        data["_row"],
                        "person_id",
                        _("This person already has an open request, %(reference)s.")
                        % {"reference": ref},
                    )
                )
    errors.sort(key=lambda e: (e.row, COLUMNS.index(e.column) if e.column in COLUMNS else -1))
    return ([] if errors else clean), errors


class HeaderError(FileError):
    """The first row does not name the columns the file needs: say which were expected and
    which were found, rather than an error on every row (issue 12 §4)."""

    def __init__(self, missing, found):
        self.missing, self.found = missing, found
        super().__init__(
            _(
                "The first row of the file lacks the columns %(missing)s. Expected: "
                "%(expected)s. Found: %(found)s. Download the template to see the columns."
            )
            % {
                "missing": ", ".join(missing),
                "expected": ", ".join(COLUMNS),
                "found": ", ".join(found) or "—",
            }
        )


def parse_upload(uploaded):
    header: list[str] = []
    try:
        columns, rows = iter_table(uploaded, ALIASES, raw_header=header)
    except FileError:
        if header:  # a first row with no column we know
            raise HeaderError(REQUIRED_COLUMNS, header) from None
        raise
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise HeaderError(missing, header)
    return validate_rows(rows)
