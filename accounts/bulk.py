"""A unit's bulk upload of BM01/BM02 rows (issue 5 §2): every row validated, errors by row and
column, nothing created until the whole file is clean. No query per row: the same form as the
web page checks each row, the unit list is cached, and one query finds open duplicates."""

from django.utils.translation import gettext_lazy as _

from portal.text import fold

from .forms import RequestForm, StudentRequestForm
from .models import OPEN_STATUSES, AccountRequest, PersonKind, RequestKind
from .tabular import read_table

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
]
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
    "": _("Row"),
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
_FIELD_TO_COLUMN = {"unit": "unit_code"}


class RowError:
    def __init__(self, row, column, message):
        self.row, self.column, self.message = row, column, str(message)

    @property
    def column_label(self):
        return COLUMN_LABELS.get(self.column, self.column)

    def __repr__(self):
        return f"RowError({self.row}, {self.column!r}, {self.message!r})"


def validate_rows(rows: list[dict]) -> tuple[list[dict], list[RowError]]:
    """(clean request data, errors). Clean data is returned only when there is no error."""
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
        form_class = StudentRequestForm if kind == PersonKind.STUDENT else RequestForm
        form = form_class(
            {
                **{k: v for k, v in raw.items() if k != "_row"},
                "request_kind": request_kind,
                "unit": raw.get("unit_code", ""),
            },
            correcting=True,
        )
        if not form.is_valid():
            for name, messages in form.errors.items():
                column = _FIELD_TO_COLUMN.get(name, name if name != "__all__" else "")
                for message in messages:
                    errors.append(RowError(number, column, message))
            continue
        data = form.request_data()
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
        for data in clean:
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


def parse_upload(uploaded):
    _columns, rows = read_table(uploaded, ALIASES)
    return validate_rows(rows)
