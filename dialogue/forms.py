from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Minutes and official letters: PDF or DOCX only, size-limited (DESIGN: uploads are checked).
DOCUMENT_TYPES = {
    ".pdf": ("application/pdf", b"%PDF-"),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        b"PK\x03\x04",
    ),
}
MAX_UPLOAD_MB = getattr(settings, "DIALOGUE_MAX_UPLOAD_MB", 10)


def validate_document(upload):
    """PDF or DOCX, judged by the extension AND the first bytes, at most MAX_UPLOAD_MB."""
    if upload is None:
        return upload
    name = upload.name.lower()
    ext = "." + name.rsplit(".", 1)[-1] if "." in name else ""
    if ext not in DOCUMENT_TYPES:
        raise forms.ValidationError(_("Upload a PDF or DOCX file."))
    if upload.size > MAX_UPLOAD_MB * 1024 * 1024:
        raise forms.ValidationError(_("The file is larger than %(mb)s MB.") % {"mb": MAX_UPLOAD_MB})
    head = upload.read(8)
    upload.seek(0)
    if not head.startswith(DOCUMENT_TYPES[ext][1]):
        raise forms.ValidationError(
            _("The file's content is not a real %(ext)s document.") % {"ext": ext[1:].upper()}
        )
    return upload


class DateInput(forms.DateInput):
    """A text field in dd/mm/yyyy (the browsers' date pickers show the OS's own format)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%d/%m/%Y")
        attrs = kwargs.pop("attrs", {})
        attrs.setdefault("placeholder", "dd/mm/yyyy")
        attrs.setdefault("inputmode", "numeric")
        super().__init__(attrs=attrs, **kwargs)


class MilestoneDoneForm(forms.Form):
    done_on = forms.DateField(label=_("Done on"), widget=DateInput())
    note = forms.CharField(
        label=_("Evidence (note)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What shows it is done, e.g. the number of the document sent."),
    )
    evidence_file = forms.FileField(
        label=_("Evidence (file)"), required=False, help_text=_("PDF or DOCX, at most 10 MB.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["done_on"].initial = timezone.localdate()

    def clean_done_on(self):
        value = self.cleaned_data["done_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The date it was done cannot be in the future."))
        return value

    def clean_evidence_file(self):
        return validate_document(self.cleaned_data.get("evidence_file"))

    def clean(self):
        data = super().clean()
        has_evidence = (data.get("note") or "").strip() or data.get("evidence_file")
        if not has_evidence and "note" not in self.errors:
            self.add_error("note", _("Give the evidence: a note, a file, or both."))
        return data


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}))


class CopyPlanForm(forms.Form):
    academic_year = forms.CharField(
        label=_("Academic year of the new plan"), max_length=20, help_text=_("e.g. 2024 - 2025")
    )
    first_day = forms.DateField(
        label=_("New date of the first milestone"),
        widget=DateInput(),
        help_text=_("Every other date moves by the same number of days."),
    )


class PublishPlanForm(forms.Form):
    number = forms.CharField(label=_("Number"), max_length=40, help_text=_("e.g. 4402/KH-ĐHM"))
    issued_on = forms.DateField(label=_("Date issued"), widget=DateInput())


class MilestoneEditForm(forms.Form):
    content = forms.CharField(label=_("Content"), widget=forms.Textarea(attrs={"rows": 3}))
    starts_on = forms.DateField(label=_("From"), widget=DateInput())
    ends_on = forms.DateField(label=_("Until"), widget=DateInput())
    responsible_body = forms.CharField(label=_("Responsible unit"), max_length=200)

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("The end date is before the start date."))
        return data
