import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal import uploads
from portal.forms import HoneypotMixin, PrivacyConsentForm, example
from portal.validators import clean_person_name

# Minutes and official letters: PDF or DOCX, checked by content (portal.uploads).
validate_document = uploads.validate_document


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


def _topic_choices():
    from .models import Topic

    return Topic.objects.select_related("department").order_by("position", "name")


class AskQuestionForm(HoneypotMixin, PrivacyConsentForm):
    """A logged-in learner's question (step 7 starts at their faculty/institute/centre)."""

    topic = forms.ModelChoiceField(label=_("Topic"), queryset=None, empty_label=_("— choose —"))
    kind = forms.ChoiceField(label=_("Kind"))
    text = forms.CharField(
        label=_("Your question or opinion"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
        help_text=_("Be specific: what, where, since when. Up to 4000 characters."),
    )
    unit = forms.ModelChoiceField(
        label=_("Your faculty, institute or centre"), queryset=None, empty_label=_("— choose —")
    )
    student_class = forms.CharField(label=_("Your class"), max_length=80, required=False)
    anonymous = forms.BooleanField(
        label=_("Stay anonymous on public pages"),
        required=False,
        help_text=_(
            "Public pages never show your name. Ticked, they do not show your class or unit either."
        ),
    )

    def __init__(self, *args, units=None, **kwargs):
        from .models import Question

        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = _topic_choices()
        self.fields["kind"].choices = Question.Kind.choices
        self.fields["unit"].queryset = units

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if len(text) < 10:
            raise forms.ValidationError(_("Write at least a full sentence (10 characters)."))
        return text


class MinutesQuestionForm(forms.Form):
    """A question or opinion as the minutes record it, entered by staff."""

    topic = forms.ModelChoiceField(label=_("Topic"), queryset=None, empty_label=_("— choose —"))
    kind = forms.ChoiceField(label=_("Kind"))
    text = forms.CharField(
        label=_("Question or opinion"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000
    )
    asker_name = forms.CharField(
        label=_("Learner (as in the minutes)"), max_length=150, required=False
    )
    student_class = forms.CharField(label=_("Class"), max_length=80, required=False)
    anonymous = forms.BooleanField(label=_("Stay anonymous on public pages"), required=False)

    def __init__(self, *args, **kwargs):
        from .models import Question

        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = _topic_choices()
        self.fields["kind"].choices = Question.Kind.choices

    def clean_asker_name(self):
        name = self.cleaned_data.get("asker_name")
        return clean_person_name(name) if name else ""


class AnswerForm(forms.Form):
    text = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 6}))


class DepartmentAnswerForm(forms.Form):
    text = forms.CharField(label=_("Written answer"), widget=forms.Textarea(attrs={"rows": 6}))
    letter_number = forms.CharField(
        label=_("Official letter no."),
        max_length=60,
        required=False,
        help_text=_("e.g. 215/ĐHM-KHTC"),
    )
    letter_file = forms.FileField(
        label=_("Official letter"),
        required=False,
        help_text=_("PDF or DOCX, at most 10 MB."),
    )

    def clean_letter_file(self):
        return validate_document(self.cleaned_data.get("letter_file"))


class RouteForm(forms.Form):
    department = forms.ModelChoiceField(label=_("Department"), queryset=None)
    due_on = forms.DateField(label=_("Answer due by (end of the day)"), widget=DateInput())
    note = forms.CharField(
        label=_("Note to the department"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments

    def clean_due_on(self):
        value = self.cleaned_data["due_on"]
        if value < timezone.localdate():
            raise forms.ValidationError(_("The due date must be in the future."))
        return value


class ReturnAnswerForm(forms.Form):
    note = forms.CharField(
        label=_("What the answer lacks"), widget=forms.Textarea(attrs={"rows": 3})
    )
    due_on = forms.DateField(label=_("New due date"), widget=DateInput())

    def clean_due_on(self):
        value = self.cleaned_data["due_on"]
        if value < timezone.localdate():
            raise forms.ValidationError(_("The due date must be in the future."))
        return value


class SessionForm(forms.Form):
    level = forms.ChoiceField(label=_("Level"))
    unit = forms.ModelChoiceField(
        label=_("Faculty, institute or centre"), queryset=None, required=False
    )
    student_class = forms.CharField(label=_("Class"), max_length=80, required=False)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    held_on = forms.DateField(label=_("Date"), widget=DateInput())
    starts_at = forms.TimeField(
        label=_("Starts at"),
        required=False,
        widget=forms.TimeInput(attrs={"placeholder": example("08:00")}),
    )
    ends_at = forms.TimeField(
        label=_("Ends at"),
        required=False,
        widget=forms.TimeInput(attrs={"placeholder": example("10:00")}),
    )
    venue = forms.CharField(label=_("Venue"), max_length=200)
    chair = forms.CharField(label=_("Chair"), max_length=200)

    def __init__(self, *args, units=None, levels=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["level"].choices = levels

    def clean(self):
        data = super().clean()
        if data.get("level") in ("class", "unit") and not data.get("unit"):
            self.add_error("unit", _("Choose the faculty, institute or centre."))
        if data.get("level") == "class" and not (data.get("student_class") or "").strip():
            self.add_error("student_class", _("Give the class."))
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", _("The session ends before it starts."))
        return data


class MinutesForm(forms.Form):
    attendance = forms.CharField(
        label=_("Attendance"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Who attended, e.g. the class advisor and 45 of 50 students."),
    )
    attendee_count = forms.IntegerField(label=_("Number of attendees"), min_value=0, required=False)
    minutes_text = forms.CharField(
        label=_("Minutes of the session"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Type the minutes here, or upload the signed file below."),
    )
    minutes_file = forms.FileField(
        label=_("Minutes file"), required=False, help_text=_("PDF or DOCX, at most 10 MB.")
    )

    def __init__(self, *args, has_file=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.has_file = has_file

    def clean_minutes_file(self):
        return validate_document(self.cleaned_data.get("minutes_file"))

    def clean(self):
        data = super().clean()
        empty = not (data.get("minutes_text") or "").strip() and not data.get("minutes_file")
        if empty and not self.has_file and "minutes_file" not in self.errors:
            self.add_error("minutes_text", _("Write the minutes or upload the file."))
        return data


class FeedbackFormForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    intro = forms.CharField(
        label=_("Introduction"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class FeedbackItemForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of answer"))
    text = forms.CharField(label=_("Question"), max_length=300)
    required = forms.BooleanField(label=_("Required"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        from .models import FeedbackItem

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = FeedbackItem.Kind.choices


class FeedbackAnswerForm(HoneypotMixin, PrivacyConsentForm):
    """Built from the form's questions: a 1–5 choice or a text box each."""

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            name = f"item_{item.pk}"
            if item.kind == "rating":
                self.fields[name] = forms.TypedChoiceField(
                    label=item.text,
                    required=item.required,
                    coerce=int,
                    choices=[(i, str(i)) for i in range(1, 6)],
                    widget=forms.RadioSelect(attrs={"class": "form-check-inline"}),
                    help_text=_("1 = very dissatisfied, 5 = very satisfied"),
                )
            else:
                self.fields[name] = forms.CharField(
                    label=item.text,
                    required=item.required,
                    max_length=2000,
                    widget=forms.Textarea(attrs={"rows": 3}),
                )

    def answers(self) -> dict:
        return {item.pk: self.cleaned_data.get(f"item_{item.pk}") for item in self.items}


# --- the university-level dialogue (step 13), run by the committee ---------------------------


class ClockTimeField(forms.TimeField):
    """A time of day as people write it here: "8:00", "08:00", "8h00", "8h", "13.30"."""

    widget = forms.TimeInput(format="%H:%M", attrs={"placeholder": "hh:mm", "inputmode": "text"})
    default_error_messages = {"invalid": _("Write the time as hh:mm, e.g. 08:00 or 8h00.")}

    def to_python(self, value):
        if isinstance(value, str):
            text = value.strip().lower().replace(" ", "")
            match = re.fullmatch(r"(\d{1,2})(?:[h:.](\d{2})?)?", text)
            if match:
                value = f"{int(match.group(1))}:{match.group(2) or '00'}"
        return super().to_python(value)


class UniversityDialogueForm(forms.Form):
    """Section II.2.2: date, time and venue; the chair (milestone 13: the Rector chairs)."""

    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    held_on = forms.DateField(label=_("Date"), widget=DateInput())
    starts_at = ClockTimeField(label=_("Starts at"))
    ends_at = ClockTimeField(label=_("Ends at"))
    time_text = forms.CharField(
        label=_("Time as written in the plan"),
        max_length=120,
        required=False,
        help_text=_("Shown under the time, as the plan writes it."),
    )
    venue = forms.CharField(label=_("Venue"), max_length=200)
    venue_address = forms.CharField(label=_("Venue address"), max_length=200, required=False)
    chair = forms.CharField(label=_("Chair"), max_length=200)

    def clean(self):
        data = super().clean()
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", _("The end time must be after the start time."))
        return data


class ProgrammeItemForm(forms.Form):
    starts_at = ClockTimeField(label=_("Starts at"))
    ends_at = ClockTimeField(label=_("Ends at"), required=False)
    title = forms.CharField(label=_("Programme item"), max_length=300)
    presenter = forms.CharField(
        label=_("Presented by"),
        max_length=200,
        required=False,
        help_text=_(
            "Who leads this item, e.g. the Rector or the Organising Committee standing office."
        ),
    )

    def clean(self):
        data = super().clean()
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", _("The end time must be after the start time."))
        return data


class ParticipantForm(forms.Form):
    """One group of section II.2.1 with the number of people when known."""

    category = forms.ChoiceField(label=_("Category (section II.2.1)"))
    name = forms.CharField(
        label=_("Who takes part"),
        max_length=300,
        help_text=_(
            "A body, a unit or a newspaper, e.g. “Báo Dân trí”, the Faculty of Economics. For "
            "learner delegates the public page shows only their number, never names."
        ),
    )
    count = forms.IntegerField(
        label=_("Number of people"),
        min_value=1,
        max_value=100000,
        required=False,
        help_text=_("Leave empty when not known yet."),
    )

    def __init__(self, *args, **kwargs):
        from .models import Participant

        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [
            ("", _("— choose a category —")),
            *Participant.Category.choices,
        ]
