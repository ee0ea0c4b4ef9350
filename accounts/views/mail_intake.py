"""Requests that arrived by e-mail (issue 18): the intake log and a draft's check-and-confirm page.
The original message and its attachments are read through portal.downloads (accounts/downloads.py
gives the rule: the MTT Office only)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from portal.access import role_required
from portal.text import fold

from ..forms import DraftKindForm, form_class_for, unit_choices
from ..intake.services import confirm_draft
from ..models import AccountRequest, IntakeMessage, Status
from ..services import TransitionError

LOG_COLUMNS = (
    "id",
    "received_at",
    "sender",
    "subject",
    "size",
    "outcome",
    "detail",
    "source",
    "original",
    "request__id",
    "request__reference",
)


@role_required("mtt_office")
def intake_log(request):
    rows = (
        IntakeMessage.objects.select_related("request")
        .only(*LOG_COLUMNS)
        .order_by("-received_at", "-id")[:200]
    )
    return render(request, "accounts/intake_log.html", {"rows": rows})


def _unit_code(unit_name: str) -> str:
    wanted = fold(unit_name)
    if not wanted:
        return ""
    for code, name in unit_choices(english=False):
        if fold(name) == wanted or fold(code) == wanted:
            return code
    for code, name in unit_choices(english=False):
        if wanted in fold(name):
            return code
    return ""


def _initial(req: AccountRequest) -> dict:
    return {
        "request_kind": req.request_kind,
        "family_and_middle_names": req.family_and_middle_names,
        "given_name": req.given_name,
        "date_of_birth": req.date_of_birth.strftime("%d/%m/%Y") if req.date_of_birth else "",
        "person_id": req.person_id,
        "unit": req.unit_code or _unit_code(req.unit_name),
        "student_class": req.student_class,
        "cohort": req.cohort,
        "mobile_phone": req.mobile_phone,
        "contact_email": req.contact_email,
        "existing_address": req.existing_address,
        "note": req.note,
    }


@role_required("mtt_office")
def draft_confirm(request, pk):
    req = get_object_or_404(AccountRequest, pk=pk)
    if req.status != Status.DRAFT:
        return redirect("accounts:detail", pk=req.pk)
    intake = req.intake_messages.filter(outcome="draft").first()
    kind_form = DraftKindForm(request.POST or None, initial={"person_kind": req.person_kind})
    kind = req.person_kind
    if request.method == "POST" and kind_form.is_valid():
        kind = kind_form.cleaned_data["person_kind"]
    form_class = form_class_for(kind)
    if request.method == "POST" and request.POST.get("action") == "confirm":
        form = form_class(request.POST, correcting=True)
        if kind_form.is_valid() and form.is_valid():
            data = form.request_data()
            try:
                confirm_draft(req.pk, request.user, data)
            except TransitionError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(
                    request,
                    _("Confirmed: %(reference)s is in the queue like a request from the web form.")
                    % {"reference": req.reference},
                )
                return redirect("accounts:detail", pk=req.pk)
    elif request.method == "POST":  # the form kind changed: keep what was typed, no errors yet
        form = form_class(initial=request.POST.dict(), correcting=True)
    else:
        form = form_class(initial=_initial(req), correcting=True)
    named = {"sender": _("the sender's address"), "body": _("the text of the message")}
    sources = {k: named.get(v, v) for k, v in (intake.field_sources if intake else {}).items()}
    if "unit_name" in sources:
        sources["unit"] = sources["unit_name"]
    context = {
        "req": req,
        "intake": intake,
        "attachments": intake.attachments.all() if intake else [],
        "form": form,
        "kind_form": kind_form,
        "sources": sources,
        "raw_unit": req.unit_name,
    }
    return render(request, "accounts/draft_confirm.html", context)
