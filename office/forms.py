"""Forms of the directory editor. They check shape; services check the rules (overlaps, moves)."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from portal.validators import clean_person_name

from .models import Assignment, Person, Position, Relation, Unit


class DateInput(forms.DateInput):
    """dd/mm/yyyy, as the documents write dates, whatever the browser's language."""

    def __init__(self, **kwargs):
        attrs = {"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off"}
        super().__init__(format="%d/%m/%Y", attrs=attrs, **kwargs)


class UnitChoiceField(forms.ModelChoiceField):
    """Units in tree order, indented by depth, so the tree shows in the list."""

    def label_from_instance(self, obj):
        return f"{'— ' * obj.depth}{obj.display_name}"


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


def _helper(submit_label, *layout) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    if layout:
        helper.layout = Layout(*layout)
    helper.add_input(Submit("submit", submit_label))
    return helper


class AsOfForm(forms.Form):
    on = forms.DateField(label=_("As of"), required=False, widget=DateInput())


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        max_length=100,
        required=False,
        widget=forms.TextInput(
            attrs={"placeholder": _("A name, a unit, an area or a duty, e.g. giao vu")}
        ),
    )


class UnitForm(forms.ModelForm):
    parent = UnitChoiceField(
        label=_("Parent unit"),
        queryset=Unit.objects.tree_order(),
        required=False,
        empty_label=_("(none: a top-level unit)"),
        help_text=_("Moving a unit moves its whole subtree with it."),
    )
    # A web address typed without a scheme is taken as https (Django 6's default, today).
    website = forms.URLField(label=_("website"), required=False, assume_scheme="https")
    # Issue 12 §10: a renaming from a date keeps the old name for the days before it; without
    # a date a changed name is a correction (a typo), and no earlier name is kept.
    renamed_on = forms.DateField(
        label=_("Renamed on"),
        required=False,
        widget=DateInput(),
        help_text=_(
            "If the unit was renamed, the first day of the new name: the directory shows the "
            "old name for the days before. Leave empty to correct a typo."
        ),
    )
    merged_into = UnitChoiceField(
        label=_("Merged into"),
        queryset=Unit.objects.tree_order(),
        required=False,
        empty_label="—",
        help_text=_("With the date it closed: its people's assignments end that day."),
    )

    class Meta:
        model = Unit
        fields = [
            "parent",
            "kind",
            "code",
            "name",
            "name_en",
            "short_name",
            "order",
            "address",
            "phone",
            "email",
            "website",
            "description",
            "description_en",
            "starts_on",
            "ends_on",
            "merged_into",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "description_en": forms.Textarea(attrs={"rows": 3}),
            "starts_on": DateInput(),
            "ends_on": DateInput(),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            _("Save"),
            "parent",
            Row(
                Column("kind", css_class="col-md-4"),
                Column("code", css_class="col-md-4"),
                Column("order", css_class="col-md-4"),
            ),  # fmt: skip
            "name",
            Row(
                Column("name_en", css_class="col-md-8"), Column("short_name", css_class="col-md-4")
            ),
            *(["renamed_on"] if self.instance.pk else []),  # a new unit has no earlier name
            "address",
            Row(
                Column("phone", css_class="col-md-4"),
                Column("email", css_class="col-md-4"),
                Column("website", css_class="col-md-4"),
            ),  # fmt: skip
            "description",
            "description_en",
            Row(
                Column("starts_on", css_class="col-md-4"),
                Column("ends_on", css_class="col-md-4"),
                Column("merged_into", css_class="col-md-4"),
            ),  # fmt: skip
        )
        if not self.instance.pk:
            del self.fields["renamed_on"]

    def clean_parent(self):
        parent = self.cleaned_data.get("parent")
        unit = self.instance
        if parent and unit.pk:
            if parent.pk == unit.pk:
                raise forms.ValidationError(_("A unit cannot be placed under itself."))
            if parent.path.startswith(unit.path):
                raise forms.ValidationError(
                    _(
                        "%(parent)s belongs to %(unit)s: a unit cannot be moved under its own "
                        "sub-unit."
                    )
                    % {"parent": parent.display_name, "unit": unit.display_name}
                )
        return parent


class PersonForm(forms.ModelForm):
    user = forms.ModelChoiceField(
        label=_("Portal log-in"),
        queryset=get_user_model().objects.order_by("username"),
        required=False,
        help_text=_("Link the person to their log-in, so the portal knows their units."),
    )

    class Meta:
        model = Person
        fields = ["title", "full_name", "email", "staff_code", "phone", "user", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            _("Save"),
            Row(Column("title", css_class="col-md-3"), Column("full_name", css_class="col-md-9")),
            Row(
                Column("email", css_class="col-md-5"),
                Column("staff_code", css_class="col-md-3"),
                Column("phone", css_class="col-md-4"),
            ),
            "user",
            "note",
        )

    def clean_full_name(self):
        # The portal's one name rule: the same as the account forms (issue 12 §9).
        return clean_person_name(self.cleaned_data["full_name"])


class PositionForm(forms.ModelForm):
    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.tree_order())

    class Meta:
        model = Position
        fields = ["unit", "name", "name_en", "is_leadership", "order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Save"))


class AssignmentForm(forms.Form):
    person = PersonChoiceField(label=_("Person"), queryset=Person.objects.order_by("full_name"))
    relation = forms.ChoiceField(
        label=_("Relation"),
        choices=Relation.choices,
        initial=Relation.IN_CHARGE,
        help_text=_("“Directly in charge of” and “monitors” are different relations."),
    )
    unit = UnitChoiceField(
        label=_("Unit or area"),
        queryset=Unit.objects.tree_order(),
        required=False,
        help_text=_("The area or section for “in charge of” and “monitors”."),
    )
    position = forms.ModelChoiceField(
        label=_("Position"),
        queryset=Position.objects.select_related("unit").order_by("unit__sort_path", "order"),
        required=False,
        help_text=_("Only for “holds the position”."),
    )
    duty = forms.CharField(label=_("Duty (Vietnamese)"), max_length=500, required=False)
    duty_en = forms.CharField(label=_("Duty (English)"), max_length=500, required=False)
    starts_on = forms.DateField(
        label=_("Starts on"),
        required=False,
        widget=DateInput(),
        help_text=_("Empty: since before our records."),
    )
    ends_on = forms.DateField(
        label=_("Ends on"),
        required=False,
        widget=DateInput(),
        help_text=_("The first day it no longer applies. Empty: until further notice."),
    )
    note = forms.CharField(label=_("Note"), max_length=255, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].label_from_instance = lambda p: (
            f"{p.unit.display_name} — {p.display_name}"
        )
        self.helper = _helper(
            _("Save the assignment"),
            Row(Column("person", css_class="col-md-6"), Column("relation", css_class="col-md-6")),
            "unit",
            "position",
            Row(Column("duty", css_class="col-md-6"), Column("duty_en", css_class="col-md-6")),
            Row(Column("starts_on", css_class="col-md-6"), Column("ends_on", css_class="col-md-6")),
            "note",
        )

    def clean(self):
        data = super().clean()
        relation = data.get("relation")
        if relation == Relation.POSITION and not data.get("position"):
            self.add_error("position", _("Choose the position."))
        if relation in (Relation.IN_CHARGE, Relation.MONITORS, Relation.GENERAL) and not data.get(
            "unit"
        ):
            self.add_error("unit", _("Choose the unit or area."))
        if relation == Relation.GENERAL and not (data.get("duty") or "").strip():
            self.add_error("duty", _("Describe the duty."))
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends <= starts:
            self.add_error("ends_on", _("The end date must be after the start date."))
        return data


class ReassignForm(forms.Form):
    person = PersonChoiceField(
        label=_("Hand over to"),
        queryset=Person.objects.order_by("full_name"),
        help_text=_("Add the person first if they are not in the directory yet."),
    )
    starts_on = forms.DateField(
        label=_("From"),
        widget=DateInput(),
        help_text=_("The current assignment closes on this date; the new one starts on it."),
    )
    note = forms.CharField(label=_("Note"), max_length=255, required=False)

    def __init__(self, *args, assignment: Assignment | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if assignment is not None:
            self.fields["person"].queryset = self.fields["person"].queryset.exclude(
                pk=assignment.person_id
            )
        self.helper = _helper(_("Reassign"))


class EndAssignmentForm(forms.Form):
    ends_on = forms.DateField(
        label=_("Ends on"),
        widget=DateInput(),
        help_text=_("The first day it no longer applies."),
    )
    note = forms.CharField(label=_("Note"), max_length=255, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("End the assignment"))
