"""Forms check shape (one field at a time); services check the rules of the procedure."""

import datetime as dt
import re
import uuid

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.bilingual import in_language, reading_english
from portal.cache import near_get
from portal.forms import HoneypotMixin, PrivacyConsentForm, example
from portal.text import fold
from portal.validators import clean_person_name

from .models import PersonKind, RequestKind, Status
from .phones import normalise_mobile

DATE_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"]
_DD_MM_YYYY = re.compile(r"([0-9]{2})/([0-9]{2})/([0-9]{4})")
_STAFF_ID = re.compile(r"^[A-Za-z0-9.\-]{3,20}$")
_STUDENT_ID = re.compile(r"^\d{6,12}$")
_CITIZEN_ID = re.compile(r"^\d{12}$")
_COHORT = re.compile(r"^K?\d{2,4}$", re.I)
UNIT_KINDS = ("school", "faculty", "institute", "centre", "department", "office", "library")
# Students belong to an academic unit: BM02 lists no office or department (issue 12 §5).
STUDENT_UNIT_KINDS = ("school", "faculty", "institute", "centre")


UNIT_CHOICES_KEY = "accounts:unit-choices"
# The HTML of an empty BM01/BM02 (accounts.views.public), per form, language and request kind.
EMPTY_FORM_KEY = "accounts:form:{person_kind}:{language}:{kind}"


def forget_unit_choices():
    """A unit added, renamed or removed in the directory shows on the forms at once."""
    cache.delete_many(
        [UNIT_CHOICES_KEY]
        + [
            EMPTY_FORM_KEY.format(person_kind=person_kind, language=language, kind=kind)
            for person_kind in PersonKind.values
            for language, _name in settings.LANGUAGES
            for kind in ("", *RequestKind.values)
        ]
    )


def unit_choices(
    kinds=UNIT_KINDS, english: bool | None = None, lag_ok: bool = False
) -> list[tuple[str, str]]:
    """The HUST units a form offers (office directory), cached: the public form is hot.
    Named in the reader's language; english=False gives the Vietnamese names, which the
    request keeps as written on its printed form. lag_ok: a staff filter, which may offer a
    just-renamed unit under its old name for a few seconds in the other processes
    (portal.cache.near_get); the public forms, whose HTML is kept, never do."""
    units = near_get(UNIT_CHOICES_KEY) if lag_ok else cache.get(UNIT_CHOICES_KEY)
    # Rows cached before they held the English name (code, name, kind) are read again.
    if units is None or any(len(row) != 4 for row in units):
        from office.models import Unit

        hust = Unit.objects.filter(code="hust").first()
        qs = Unit.objects.filter(kind__in=UNIT_KINDS)
        qs = qs.filter(path__startswith=hust.path) if hust else qs.filter(code__startswith="hust")
        units = [(u.code, u.name, u.kind, u.name_en) for u in qs.order_by("name")]
        cache.set(UNIT_CHOICES_KEY, units, 300)
    # In the reader's language (the English name when there is one), in its alphabetical order.
    if english is None:
        english = reading_english()
    choices = [
        (code, in_language(name, name_en, english))
        for code, name, kind, name_en in units
        if kind in kinds
    ]
    return sorted(choices, key=lambda c: fold(c[1])) if english else choices


def clean_name(value: str, label) -> str:
    """The portal's one name rule (portal.validators), with this form's field label."""
    return clean_person_name(value, label)


def parse_date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    # The usual dd/mm/yyyy without strptime (a bulk upload parses 10,000 dates); anything
    # else, or a day that does not exist, goes through the formats below.
    if (match := _DD_MM_YYYY.fullmatch(text)) is not None:
        try:
            return dt.date(int(match[3]), int(match[2]), int(match[1]))
        except ValueError:
            pass
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def check_birth_date(day: dt.date, today: dt.date | None = None) -> dt.date:
    today = today or timezone.localdate()
    if day > today or day.year < today.year - 100:
        raise forms.ValidationError(_("Check the date of birth."))
    if day > today.replace(year=today.year - 14):
        raise forms.ValidationError(_("Check the date of birth: the applicant looks too young."))
    return day


class RequestForm(HoneypotMixin, PrivacyConsentForm):
    """BM01 (staff) / BM02 (student): the fields the paper forms have, mobile phone mandatory."""

    person_kind = PersonKind.STAFF

    request_kind = forms.ChoiceField(
        label=_("I am asking for"),
        choices=RequestKind.choices,
        widget=forms.RadioSelect,
        initial=RequestKind.NEW_ACCOUNT,
    )
    family_and_middle_names = forms.CharField(
        label=_("Family and middle names"),
        max_length=100,
        widget=forms.TextInput(
            attrs={"autocomplete": "family-name", "placeholder": example("Nguyễn Văn")}
        ),
    )
    given_name = forms.CharField(
        label=_("Given name"),
        max_length=50,
        widget=forms.TextInput(attrs={"autocomplete": "given-name", "placeholder": example("An")}),
    )
    date_of_birth = forms.CharField(
        label=_("Date of birth"),
        max_length=10,
        help_text=_("dd/mm/yyyy"),
        widget=forms.TextInput(
            attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "bday"}
        ),
    )
    person_id = forms.CharField(label=_("Staff ID"), max_length=20)
    citizen_id = forms.CharField(
        label=_("Citizen ID (CCCD)"),
        required=False,
        max_length=16,  # 12 digits, typed in groups with spaces as on the card
        help_text=_(
            "Optional: the 12 digits on your citizen identity card. It only helps the MTT "
            "Office find a request or an account you already have; nobody else sees it."
        ),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    unit = forms.ChoiceField(label=_("Unit"))
    mobile_phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=20,
        help_text=_("Mandatory (seed 004 step 1). E.g. 0912 345 678."),
        widget=forms.TextInput(
            attrs={
                "inputmode": "tel",
                "autocomplete": "tel",
                "placeholder": example("0912 345 678"),
            }
        ),
    )
    contact_email = forms.EmailField(
        label=_("Contact e-mail"),
        help_text=_("The result and the tracking link are sent here."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    existing_address = forms.EmailField(
        label=_("Existing address (password reset only)"),
        required=False,
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    submission_token = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, correcting=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", "—")] + unit_choices()
        if not self.is_bound and not correcting:
            self.initial.setdefault("submission_token", uuid.uuid4())
        if correcting:
            del self.fields["submission_token"]
            # Consent was given, with the notice's version, when the request was first sent.
            del self.fields["privacy_consent"]

    def clean_family_and_middle_names(self):
        return clean_name(
            self.cleaned_data["family_and_middle_names"], _("Family and middle names")
        )

    def clean_given_name(self):
        return clean_name(self.cleaned_data["given_name"], _("Given name"))

    def clean_date_of_birth(self):
        day = parse_date(self.cleaned_data["date_of_birth"])
        if day is None:
            raise forms.ValidationError(_("Write the date as dd/mm/yyyy, e.g. 15/03/2005."))
        return check_birth_date(day)

    def clean_person_id(self):
        value = self.cleaned_data["person_id"].strip().upper()
        if not _STAFF_ID.match(value):
            raise forms.ValidationError(_("Check the staff ID (letters and digits)."))
        return value

    def clean_citizen_id(self):
        value = "".join((self.cleaned_data.get("citizen_id") or "").split())
        if value and not _CITIZEN_ID.match(value):
            raise forms.ValidationError(
                _("A citizen ID (CCCD) is 12 digits, e.g. 001203004567. Or leave it empty.")
            )
        return value

    def clean_mobile_phone(self):
        value = normalise_mobile(self.cleaned_data["mobile_phone"])
        if value is None:
            raise forms.ValidationError(
                _("Enter a Vietnamese mobile number, e.g. 0912 345 678 or +84 912 345 678.")
            )
        return value

    def clean_contact_email(self):
        return self.cleaned_data["contact_email"].strip().lower()

    def clean_existing_address(self):
        return (self.cleaned_data.get("existing_address") or "").strip().lower()

    def clean(self):
        data = super().clean()
        if data.get("request_kind") == RequestKind.PASSWORD_RESET:
            existing = data.get("existing_address")
            domain = (
                settings.ACCOUNTS_STUDENT_DOMAIN
                if self.person_kind == PersonKind.STUDENT
                else settings.ACCOUNTS_STAFF_DOMAIN
            )
            if not existing:
                self.add_error("existing_address", _("For a password reset, give the address."))
            elif not existing.endswith("@" + domain):
                self.add_error(
                    "existing_address", _("The address ends in @%(domain)s.") % {"domain": domain}
                )
            elif existing == data.get("contact_email"):
                self.add_error(
                    "contact_email",
                    _("Give an address you can read now, not the one whose password is lost."),
                )
        elif data.get("request_kind") == RequestKind.NEW_ACCOUNT:
            data["existing_address"] = ""
        return data

    def request_data(self) -> dict:
        data = dict(self.cleaned_data)
        code = data.pop("unit", "")
        data["unit_code"] = code
        data["unit_name"] = dict(unit_choices(english=False)).get(code, code)
        data["person_kind"] = self.person_kind
        data.pop("submission_token", None)
        data.pop("website", None)
        return data


class StudentRequestForm(RequestForm):
    person_kind = PersonKind.STUDENT

    student_class = forms.CharField(
        label=_("Class"),
        max_length=50,
        widget=forms.TextInput(attrs={"placeholder": example("CNTT-01")}),
    )
    cohort = forms.CharField(
        label=_("Cohort"),
        max_length=20,
        widget=forms.TextInput(attrs={"placeholder": example("K68")}),
    )

    field_order = [
        "request_kind",
        "family_and_middle_names",
        "given_name",
        "date_of_birth",
        "person_id",
        "citizen_id",
        "unit",
        "student_class",
        "cohort",
        "mobile_phone",
        "contact_email",
        "existing_address",
        "note",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person_id"].label = _("Student ID")
        self.fields["person_id"].widget.attrs.update(
            {"inputmode": "numeric", "placeholder": example("20231234")}
        )
        self.fields["unit"].label = _("Faculty / school")
        self.fields["unit"].choices = [("", "—")] + unit_choices(STUDENT_UNIT_KINDS)

    def clean_person_id(self):
        value = self.cleaned_data["person_id"].strip()
        if not _STUDENT_ID.match(value):
            raise forms.ValidationError(_("A student ID is 6 to 12 digits, e.g. 20231234."))
        return value

    def clean_cohort(self):
        value = self.cleaned_data["cohort"].strip().upper()
        if not _COHORT.match(value):
            raise forms.ValidationError(_("Write the cohort as on the student card, e.g. K68."))
        return value if value.startswith("K") else f"K{value}"


def form_class_for(person_kind: str):
    return StudentRequestForm if person_kind == PersonKind.STUDENT else RequestForm


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (sent to the applicant)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class IssueForm(forms.Form):
    address = forms.CharField(label=_("Address"), max_length=254)
    password = forms.CharField(
        label=_("Temporary password"),
        required=False,
        min_length=10,
        max_length=64,
        help_text=_(
            "Set this password in the mail system. The applicant sees it once, through "
            "a link that expires; it is stored encrypted and never e-mailed."
        ),
    )
    reason = forms.CharField(
        label=_("Reason for a second address (only if the person already has one)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RevealForm(forms.Form):
    person_id = forms.CharField(label=_("Your staff or student ID"), max_length=20)


class QueueFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Name, ID, phone, address")}),
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    person_kind = forms.ChoiceField(
        label=_("Staff / student"),
        required=False,
        choices=[("", _("All"))] + list(PersonKind.choices),
    )
    request_kind = forms.ChoiceField(
        label=_("Request"),
        required=False,
        choices=[("", _("All"))] + list(RequestKind.choices),
    )
    unit = forms.ChoiceField(label=_("Unit"), required=False)
    # The label says what is filtered: whether the person has a record in the registry.
    registry = forms.ChoiceField(
        label=_("Registry record"),
        required=False,
        choices=[("", _("All")), ("missing", _("Not in the registry"))],
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    due_within = forms.IntegerField(
        label=_("Due within (hours)"), required=False, min_value=0, max_value=720
    )

    def __init__(self, *args, default_status="review", **kwargs):
        super().__init__(*args, **kwargs)
        # The first choice is the queue's own: the technician's is step 4, not the reviewer's
        # step 3 (a technician who picked "Waiting to be checked" saw other people's work).
        own = {
            "review": ("review", _("Waiting to be checked (step 3)")),
            Status.VERIFIED: (Status.VERIFIED, _("Waiting to be issued (step 4)")),
        }.get(default_status)
        self.fields["status"].choices = (
            ([own] if own else [])
            + [("open", _("All open")), ("", _("All"))]
            + [(v, label) for v, label in Status.choices if not own or v != own[0]]
        )
        self.fields["status"].initial = default_status
        self.fields["unit"].choices = [("", _("All"))] + unit_choices(lag_ok=True)
        for name, field in self.fields.items():
            css = {"overdue": "form-check-input"}.get(
                name, "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            )
            field.widget.attrs["class"] = css

    def params(self) -> dict:
        if not self.is_valid():
            return {"status": self.fields["status"].initial}
        data = dict(self.cleaned_data)
        if "status" not in self.data:
            data["status"] = self.fields["status"].initial
        return data


class RegistryUploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Registry"),
        choices=[
            (PersonKind.STAFF, _("Staff registry (staff management software)")),
            (PersonKind.STUDENT, _("Student registry (student management software)")),
        ],
    )
    file = forms.FileField(label=_("Export file (CSV or XLSX)"))


class BulkUploadForm(forms.Form):
    file = forms.FileField(label=_("File (CSV or XLSX)"))


class ReportForm(forms.Form):
    date_from = forms.CharField(
        label=_("From"), required=False, widget=forms.TextInput(attrs={"placeholder": "dd/mm/yyyy"})
    )
    date_to = forms.CharField(
        label=_("To"), required=False, widget=forms.TextInput(attrs={"placeholder": "dd/mm/yyyy"})
    )

    def period(self) -> tuple[dt.date, dt.date]:
        today = timezone.localdate()
        start = today.replace(day=1)
        data = self.data if self.is_bound else {}
        date_from = parse_date(data.get("date_from")) or start
        date_to = parse_date(data.get("date_to")) or today
        if date_to < date_from:
            date_from, date_to = date_to, date_from
        return date_from, date_to


class LogCorrectionForm(forms.Form):
    address = forms.EmailField(label=_("Correct address"))
    note = forms.CharField(
        label=_("What is corrected and why"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DraftKindForm(forms.Form):
    """Which form a draft from e-mail is (BM01 staff / BM02 student): staff may change it."""

    person_kind = forms.ChoiceField(label=_("Form"), choices=PersonKind.choices)


class TrackLookupForm(forms.Form):
    """'Send me the link again': a reference and the contact e-mail it was sent with."""

    reference = forms.CharField(max_length=20)
    email = forms.EmailField(max_length=254)
