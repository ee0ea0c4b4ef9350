"""Pages of the directory: public reading (card, org chart, people, search, export) and the
editor for directory administrators. Views fetch, call one service, choose a response."""

import io
from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.access import has_role, role_required
from portal.exports import csv_response, xlsx_append
from portal.markup import esc
from portal.roles import Role

from . import selectors, services
from .forms import (
    AsOfForm,
    AssignmentForm,
    EndAssignmentForm,
    PersonForm,
    PositionForm,
    ReassignForm,
    SearchForm,
    UnitForm,
)
from .models import Assignment, AuditEvent, Person, Relation, Unit, UnitKind

HOME_UNIT = "soict-office"
# Roles that are not staff: they do not see colleagues' personal phone numbers.
NOT_STAFF = {Role.APPLICANT.value, Role.LEARNER.value}


def is_staff_member(user) -> bool:
    """Logged-in staff: any log-in except applicants and learners (students)."""
    if not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return bool(user.role_names - NOT_STAFF)


def _as_of(request):
    """The day the directory is read "as of" (?on=), and the form that chose it."""
    form = AsOfForm(request.GET or None)
    today = timezone.localdate()
    if form.is_bound and form.is_valid() and form.cleaned_data.get("on"):
        return form.cleaned_data["on"], form
    return today, form


def _common(request, day: date, form) -> dict:
    today = timezone.localdate()
    return {
        "on": day,
        "today": today,
        "as_of_form": form,
        "is_today": day == today,
        "is_future": day > today,
        "show_phones": is_staff_member(request.user),
        "can_edit": has_role(request.user, "directory_admin"),
        "on_query": "" if day == today else f"?on={day.isoformat()}",
    }


def _unit_page(request, unit: Unit, template: str, extra=None):
    day, form = _as_of(request)
    node = selectors.tree(unit, on=day)
    unit = node.unit  # with the name it had on the day
    if unit.kind == UnitKind.AREA and not node.answering and unit.parent_id:
        # An area nobody answers for by name is answered for by its section's people.
        node.inherited = selectors.tree(unit.parent, on=day).answering
    entries = selectors.duty_assignments(node)
    context = {
        **_common(request, day, form),
        "unit": unit,
        "node": node,
        "ancestors": selectors.ancestors(unit, on=day),
        "existed": unit.exists_on(day),
        "duty_entries": [e for e in entries if e.has_duties],
        # Post holders with no duty of their own, other than the leaders shown above.
        "other_staff": [
            e for e in entries if not e.has_duties and not e.holding.position.is_leadership
        ],
        # The sections-and-areas table suits an office; other units show the org chart only.
        "sections": node.children
        if any(c.unit.kind in (UnitKind.SECTION, UnitKind.AREA) for c in node.children)
        else [],
        **(extra or {}),
    }
    return render(request, template, context)


def directory(request):
    """The office card of the SoICT Office (seed 000)."""
    unit = Unit.objects.filter(code=HOME_UNIT).first()
    if unit is None:
        unit = Unit.objects.order_by("depth", "sort_path").first()
    if unit is None:
        return render(
            request, "office/empty.html", {"can_edit": has_role(request.user, "directory_admin")}
        )
    return _unit_page(
        request,
        unit,
        "office/unit.html",
        {"is_home": True, "institutions": _institutions(unit)},
    )


def unit_detail(request, code):
    unit = get_object_or_404(Unit, code=code)
    extra = {"institutions": _institutions(unit)} if unit.parent_id is None else None
    return _unit_page(request, unit, "office/unit.html", extra)


def _institutions(current: Unit | None) -> list[dict]:
    """The top-level units (HUST, HOU…), the one `current` belongs to marked: each
    institution's tree is kept apart (issue 12 §8). One query."""
    roots = list(Unit.objects.filter(parent=None).order_by("order", "name"))
    return [
        {"unit": r, "active": current is not None and current.path.startswith(r.path)}
        for r in roots
    ]


def chart(request):
    """The org chart of one institution, as a tree; a switch leads to the others."""
    day, form = _as_of(request)
    institutions = _institutions(Unit.objects.filter(code=HOME_UNIT).first())
    code = request.GET.get("institution", "")
    chosen = [i for i in institutions if i["unit"].code == code] if code else []
    if chosen:
        for i in institutions:
            i["active"] = i is chosen[0]
    elif not any(i["active"] for i in institutions) and institutions:
        institutions[0]["active"] = True
    root = next((i["unit"] for i in institutions if i["active"]), None)
    forest = selectors.Node(unit=None)
    if root is not None:
        forest.children.append(selectors.tree(root, on=day))
    return render(
        request,
        "office/chart.html",
        {**_common(request, day, form), "forest": forest, "institutions": institutions},
    )


def unit_history(request, code):
    unit = get_object_or_404(Unit.objects.select_related("merged_into"), code=code)
    today = timezone.localdate()
    rows = list(selectors.unit_history(unit))
    names = list(unit.versions.order_by("ends_on"))
    return render(
        request,
        "office/unit_history.html",
        {
            "unit": unit,
            "ancestors": selectors.ancestors(unit),
            "rows": rows,
            "names": names,
            "current_name_since": names[-1].ends_on if names else unit.starts_on,
            "merged_units": list(unit.merged_units.order_by("ends_on", "name")),
            "today": today,
            "can_edit": has_role(request.user, "directory_admin"),
        },
    )


def person_detail(request, pk):
    person = get_object_or_404(Person, pk=pk)
    day, form = _as_of(request)
    history = list(selectors.person_assignments(person))
    current = [a for a in history if a.applies_on(day)]
    return render(
        request,
        "office/person.html",
        {
            **_common(request, day, form),
            "person": person,
            "positions": [a for a in current if a.relation == "position"],
            "general": [a for a in current if a.relation == "general"],
            "in_charge": [a for a in current if a.relation == "in_charge"],
            "monitors": [a for a in current if a.relation == "monitors"],
            "history": history,
        },
    )


def _people_rows(people, on_query: str, show_phones: bool) -> None:
    """Each found person's <tr> of the people table, written once here (issue 15: 50 rows of
    includes, `{% url %}` and lookups cost several times the query): sets `person.html`."""
    from django.urls import reverse
    from django.utils.safestring import mark_safe

    person_base = reverse("office:person", args=[0])[:-2]  # "/directory/people/"
    unit_base = reverse("office:unit", args=["x"])[:-2]  # "/directory/units/"
    for p in people:
        positions = (
            "".join(
                f'<div>{esc(a.display_name)} — <a href="{unit_base}{a.unit_code}/{on_query}">'
                f"{esc(a.unit_display_name)}</a></div>"
                for a in p.current_positions
            )
            or '<span class="text-muted">—</span>'
        )
        email = esc(p.email)
        mail = f'<a href="mailto:{email}">{email}</a>' if email else "—"
        phone = f"<td>{esc(p.phone) or '—'}</td>" if show_phones else ""
        p.html = mark_safe(  # noqa: S308 — every value escaped above
            "\n      <tr>\n"
            f'        <td><a class="person-name" href="{person_base}{p.pk}/{on_query}">'
            f"{esc(p.display_name)}</a>\n</td>\n"
            f"        <td>{positions}</td>\n"
            f"        <td>{mail}</td>\n"
            f"        {phone}\n      </tr>\n    "
        )


def search(request):
    day, as_of_form = _as_of(request)
    form = SearchForm(request.GET or None)
    results = None
    common = _common(request, day, as_of_form)
    if form.is_bound and form.is_valid() and form.cleaned_data["q"].strip():
        results = selectors.kept_search(form.cleaned_data["q"], on=day)
        _people_rows(results.people, common["on_query"], common["show_phones"])
    return render(request, "office/search.html", {**common, "form": form, "results": results})


# --- export -------------------------------------------------------------------------------


def _export_headers():
    return [
        _("Unit code"),
        _("Kind"),
        _("Unit"),
        _("Name (English)"),
        _("Parent unit code"),
        _("Person"),
        _("E-mail"),
        _("Relation"),
        _("Position or duty"),
        _("From"),
        _("Until"),
    ]


def _export_scope(request):
    day, _form = _as_of(request)
    code = request.GET.get("unit")
    root = get_object_or_404(Unit, code=code) if code else None
    return root, day


def export_csv(request):
    root, day = _export_scope(request)
    name = f"danh-ba-{root.code if root else 'all'}-{day:%Y%m%d}.csv"
    # Streamed, a thousand rows at a time (issue 15).
    return csv_response(_export_headers(), selectors.export_rows(root, on=day), name)


def export_xlsx(request):
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    root, day = _export_scope(request)
    wb = Workbook()
    ws = wb.active
    ws.title = _("Directory")[:31]
    xlsx_append(ws, [_("Directory as of %(date)s") % {"date": day.strftime("%d/%m/%Y")}])
    ws["A1"].font = Font(bold=True, size=13)
    xlsx_append(ws, _export_headers())
    for cell in ws[2]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F3B73")
    for row in selectors.export_rows(root, on=day):
        xlsx_append(ws, row)
    ws.freeze_panes = "A3"
    widths = [18, 14, 48, 40, 18, 30, 28, 22, 48, 12, 12]
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    buffer = io.BytesIO()
    wb.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"danh-ba-{root.code if root else 'all'}-{day:%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- editing (directory_admin) --------------------------------------------------------------


def _service_errors(form, error: ValidationError):
    """Put a service's ValidationError next to the fields it names (or on top)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@role_required("directory_admin")
def manage(request):
    forest = selectors.tree(None)
    people = Person.objects.order_by("full_name")
    changes = AuditEvent.objects.select_related("actor")[:10]
    return render(
        request,
        "office/manage.html",
        {"forest": forest, "people": people, "changes": changes, "can_edit": True},
    )


@role_required("directory_admin")
def unit_create(request):
    parent = Unit.objects.filter(code=request.GET.get("parent") or "").first()
    form = UnitForm(request.POST or None, initial={"parent": parent})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            unit = services.create_unit(actor=request.user, **data)
        except ValidationError as e:
            _service_errors(form, e)
        else:
            messages.success(
                request, _("The unit %(name)s was created.") % {"name": unit.display_name}
            )
            return redirect(unit)
    return render(request, "office/form.html", {"form": form, "title": _("New unit")})


@role_required("directory_admin")
def unit_edit(request, code):
    unit = get_object_or_404(Unit, code=code)
    form = UnitForm(request.POST or None, instance=Unit.objects.get(pk=unit.pk))
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.update_unit(actor=request.user, unit=unit, **form.cleaned_data)
        except ValidationError as e:
            _service_errors(form, e)
        else:
            messages.success(
                request, _("The unit %(name)s was saved.") % {"name": unit.display_name}
            )
            return redirect(unit)
    return render(
        request,
        "office/form.html",
        {"form": form, "title": _("Edit %(name)s") % {"name": unit.display_name}, "unit": unit},
    )


@role_required("directory_admin")
def person_create(request):
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.create_person(actor=request.user, **form.cleaned_data)
        except ValidationError as e:
            _service_errors(form, e)
        else:
            messages.success(
                request, _("%(name)s was added to the directory.") % {"name": person.display_name}
            )
            return redirect(person)
    return render(request, "office/form.html", {"form": form, "title": _("New person")})


@role_required("directory_admin")
def person_edit(request, pk):
    person = get_object_or_404(Person, pk=pk)
    form = PersonForm(request.POST or None, instance=Person.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        try:
            person = services.update_person(actor=request.user, person=person, **form.cleaned_data)
        except ValidationError as e:
            _service_errors(form, e)
        else:
            messages.success(request, _("%(name)s was saved.") % {"name": person.display_name})
            return redirect(person)
    return render(
        request,
        "office/form.html",
        {"form": form, "title": _("Edit %(name)s") % {"name": person.display_name}},
    )


@role_required("directory_admin")
def position_create(request):
    unit = Unit.objects.filter(code=request.GET.get("unit") or "").first()
    form = PositionForm(request.POST or None, initial={"unit": unit})
    if request.method == "POST" and form.is_valid():
        try:
            position = services.create_position(actor=request.user, **form.cleaned_data)
        except ValidationError as e:
            _service_errors(form, e)
        else:
            messages.success(
                request, _("The position %(name)s was created.") % {"name": position.name}
            )
            return redirect(position.unit)
    return render(request, "office/form.html", {"form": form, "title": _("New position")})


@role_required("directory_admin")
def assignment_create(request):
    initial = {}
    unit = Unit.objects.filter(code=request.GET.get("unit") or "").first()
    if unit:
        initial["unit"] = unit
    if request.GET.get("person", "").isdigit():
        initial["person"] = Person.objects.filter(pk=request.GET["person"]).first()
    if request.GET.get("relation"):
        initial["relation"] = request.GET["relation"]
    form = AssignmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            assignment = services.assign(actor=request.user, **form.cleaned_data)
        except ValidationError as e:
            _service_errors(form, e)
        else:
            messages.success(request, _("Saved: %(what)s.") % {"what": str(assignment)})
            return redirect(assignment.person)
    return render(request, "office/form.html", {"form": form, "title": _("New assignment")})


@role_required("directory_admin")
def assignment_reassign(request, pk):
    assignment = get_object_or_404(
        Assignment.objects.select_related("person", "unit", "position"), pk=pk
    )
    today = timezone.localdate()
    next_monday = today + timedelta(days=7 - today.weekday())
    form = ReassignForm(
        request.POST or None, assignment=assignment, initial={"starts_on": next_monday}
    )
    if request.method == "POST" and form.is_valid():
        try:
            new = services.reassign(
                actor=request.user,
                assignment=assignment,
                person=form.cleaned_data["person"],
                starts_on=form.cleaned_data["starts_on"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as e:
            _service_errors(form, e)
        else:
            messages.success(
                request,
                _("From %(date)s: %(what)s.")
                % {"date": new.starts_on.strftime("%d/%m/%Y"), "what": str(new)},
            )
            return redirect(new.unit)
    return render(
        request,
        "office/form.html",
        {"form": form, "title": _("Reassign"), "assignment": assignment},
    )


@role_required("directory_admin")
def assignment_end(request, pk):
    assignment = get_object_or_404(
        Assignment.objects.select_related("person", "unit", "position"), pk=pk
    )
    form = EndAssignmentForm(request.POST or None, initial={"ends_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.end_assignment(actor=request.user, assignment=assignment, **form.cleaned_data)
        except ValidationError as e:
            _service_errors(form, e)
        else:
            messages.success(request, _("The assignment was ended."))
            return redirect(assignment.person)
    return render(
        request,
        "office/form.html",
        {"form": form, "title": _("End the assignment"), "assignment": assignment},
    )


FIELD_LABELS = {
    "kind": gettext_lazy("Kind"),
    "code": gettext_lazy("Code"),
    "name": gettext_lazy("Name (Vietnamese)"),
    "name_en": gettext_lazy("Name (English)"),
    "short_name": gettext_lazy("Short name"),
    "description": gettext_lazy("Description"),
    "address": gettext_lazy("Address"),
    "phone": gettext_lazy("Telephone"),
    "email": gettext_lazy("E-mail"),
    "website": gettext_lazy("Website"),
    "order": gettext_lazy("Order"),
    "parent": gettext_lazy("Parent unit"),
    "title": gettext_lazy("Academic title"),
    "full_name": gettext_lazy("Full name"),
    "user": gettext_lazy("Portal log-in"),
    "note": gettext_lazy("Note"),
    "unit": gettext_lazy("Unit"),
    "is_leadership": gettext_lazy("Leadership position"),
    "person": gettext_lazy("Person"),
    "relation": gettext_lazy("Relation"),
    "position": gettext_lazy("Position"),
    "duty": gettext_lazy("Duty"),
    "starts_on": gettext_lazy("Starts on"),
    "ends_on": gettext_lazy("Ends on"),
    "text": gettext_lazy("Duty (Vietnamese)"),
    "text_en": gettext_lazy("Duty (English)"),
}


def _shown(key, value):
    if value in (None, ""):
        return None
    if key == "relation" and value in Relation.values:
        return Relation(value).label
    if key in ("starts_on", "ends_on"):
        return date.fromisoformat(value).strftime("%d/%m/%Y")
    return value


def _diff(before, after):
    """(label, before, after) for the fields that changed (the filled ones for a creation)."""
    before, after = before or {}, after or {}
    keys = list(after) + [k for k in before if k not in after]
    return [
        (FIELD_LABELS.get(k, k), _shown(k, before.get(k)), _shown(k, after.get(k)))
        for k in keys
        if _shown(k, before.get(k)) != _shown(k, after.get(k))
    ]


@role_required("directory_admin")
def changes(request):
    """The audit trail: every change of the directory, who, when, before and after."""
    events = AuditEvent.objects.select_related("actor")
    kind = request.GET.get("type")
    if kind:
        events = events.filter(object_type=kind)
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError as e:
        raise Http404 from e
    size = 50
    rows = list(events[(page - 1) * size : page * size + 1])
    for event in rows:
        event.diff = _diff(event.before, event.after)
    return render(
        request,
        "office/changes.html",
        {
            "events": rows[:size],
            "page": page,
            "has_next": len(rows) > size,
            "can_edit": True,
            "type": kind or "",
        },
    )
