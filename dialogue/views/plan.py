"""The plan and its milestones (section III), the units' duties (section IV), copy and publish."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.access import role_required

from .. import selectors, services
from ..forms import CopyPlanForm, MilestoneDoneForm, MilestoneEditForm, NoteForm, PublishPlanForm
from ..models import DutyItem, Milestone, Plan
from ..scope import is_committee
from ..services import TransitionError
from ._common import _deadline_steps, _form_page


def _get_plan_for_user(request, pk) -> Plan:
    """Published plans are public documents; drafts only for the committee."""
    try:
        plan = selectors.plan_with_parts(pk)
    except Plan.DoesNotExist:
        raise Http404 from None
    if plan.status != Plan.Status.PUBLISHED and not is_committee(request.user):
        raise Http404
    return plan


def _plan_context(request, plan):
    milestones = list(plan.milestones.all())
    return {
        "plan": plan,
        "milestones": milestones,
        "timeline": selectors.timeline(milestones),
        "counts": selectors.milestone_counts(milestones),
        "duties": plan.unit_duties.all(),
        "can_run": is_committee(request.user),
        "other_plans": Plan.objects.exclude(pk=plan.pk).order_by("-id")
        if is_committee(request.user)
        else [],
    }


def index(request):
    """Public: the current plan (4402/KH-ĐHM after loaddemo) — a published document."""
    plan = selectors.current_plan()
    if plan is None:
        return render(request, "dialogue/no_plan.html")
    plan = selectors.plan_with_parts(plan.pk)
    return render(request, "dialogue/plan.html", _plan_context(request, plan))


def plan_detail(request, pk):
    plan = _get_plan_for_user(request, pk)
    return render(request, "dialogue/plan.html", _plan_context(request, plan))


def _get_milestone_for_user(request, pk) -> Milestone:
    milestone = get_object_or_404(Milestone.objects.select_related("plan"), pk=pk)
    if milestone.plan.status != Plan.Status.PUBLISHED and not is_committee(request.user):
        raise Http404
    return milestone


def milestone_detail(request, pk):
    milestone = _get_milestone_for_user(request, pk)
    can_run = is_committee(request.user)
    context = {
        "milestone": milestone,
        "plan": milestone.plan,
        "events": milestone.events.select_related("actor"),
        "can_run": can_run,
        "done_form": MilestoneDoneForm() if can_run else None,
        "note_form": NoteForm() if can_run else None,
        "steps": _deadline_steps(milestone) if can_run else [],
    }
    return render(request, "dialogue/milestone.html", context)


@role_required("dialogue_committee", hide=True)
@require_POST
def milestone_start(request, pk):
    milestone = _get_milestone_for_user(request, pk)
    try:
        services.start_milestone(milestone, actor=request.user, note=request.POST.get("note", ""))
        messages.success(
            request, _("Milestone %(no)s is in progress.") % {"no": milestone.position}
        )
    except TransitionError as exc:
        messages.error(request, exc.message)
    return redirect("dialogue:milestone", pk=milestone.pk)


@role_required("dialogue_committee", hide=True)
def milestone_done(request, pk):
    milestone = _get_milestone_for_user(request, pk)
    form = MilestoneDoneForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.complete_milestone(
                milestone,
                actor=request.user,
                done_on=form.cleaned_data["done_on"],
                note=form.cleaned_data["note"],
                evidence_file=form.cleaned_data["evidence_file"],
            )
            messages.success(request, _("Milestone %(no)s is done.") % {"no": milestone.position})
            return redirect("dialogue:plan", pk=milestone.plan_id)
        except TransitionError as exc:
            form.add_error(None, exc.message)
    return render(request, "dialogue/milestone_done.html", {"milestone": milestone, "form": form})


@role_required("dialogue_committee", hide=True)
def milestone_reopen(request, pk):
    milestone = _get_milestone_for_user(request, pk)
    form = NoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reopen_milestone(milestone, actor=request.user, note=form.cleaned_data["note"])
            messages.success(
                request, _("Milestone %(no)s is reopened.") % {"no": milestone.position}
            )
            return redirect("dialogue:milestone", pk=milestone.pk)
        except TransitionError as exc:
            form.add_error(None, exc.message)
    return _form_page(
        request,
        form,
        _("Reopen milestone %(no)s") % {"no": milestone.position},
        _("Reopen"),
        back=milestone,
    )


@role_required("dialogue_committee", hide=True)
def milestone_edit(request, pk):
    milestone = _get_milestone_for_user(request, pk)
    if milestone.plan.status != Plan.Status.DRAFT:
        raise Http404
    form = MilestoneEditForm(
        request.POST or None,
        initial={
            "content": milestone.content,
            "starts_on": milestone.starts_on,
            "ends_on": milestone.ends_on,
            "responsible_body": milestone.responsible_body,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_milestone(milestone, actor=request.user, **form.cleaned_data)
            return redirect("dialogue:plan", pk=milestone.plan_id)
        except TransitionError as exc:
            form.add_error(None, exc.message)
    return _form_page(
        request,
        form,
        _("Edit milestone %(no)s") % {"no": milestone.position},
        _("Save"),
        back=milestone.plan,
    )


@role_required("dialogue_committee", hide=True)
@require_POST
def duty_toggle(request, pk):
    item = get_object_or_404(DutyItem.objects.select_related("duty__plan"), pk=pk)
    try:
        services.set_duty_item_done(item, actor=request.user, done=request.POST.get("done") == "1")
    except TransitionError as exc:
        messages.error(request, exc.message)
    return redirect(f"{item.duty.plan.get_absolute_url()}#duty-{item.duty_id}")


@role_required("dialogue_committee", hide=True)
def plan_copy(request, pk):
    plan = _get_plan_for_user(request, pk)
    first = min((m.starts_on for m in plan.milestones.all()), default=None)
    form = CopyPlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        offset = (form.cleaned_data["first_day"] - first).days if first else 0
        try:
            new = services.copy_plan(
                plan,
                actor=request.user,
                academic_year=form.cleaned_data["academic_year"],
                offset_days=offset,
            )
            messages.success(request, _("The new plan is a draft: check it, then publish it."))
            return redirect("dialogue:plan", pk=new.pk)
        except TransitionError as exc:
            form.add_error(None, exc.message)
    return render(
        request, "dialogue/plan_copy.html", {"plan": plan, "form": form, "first_day": first}
    )


@role_required("dialogue_committee", hide=True)
def plan_publish(request, pk):
    plan = _get_plan_for_user(request, pk)
    form = PublishPlanForm(request.POST or None, initial={"number": plan.number})
    if request.method == "POST" and form.is_valid():
        try:
            services.publish_plan(plan, actor=request.user, **form.cleaned_data)
            messages.success(request, _("The plan is published."))
            return redirect("dialogue:plan", pk=plan.pk)
        except TransitionError as exc:
            form.add_error(None, exc.message)
    return _form_page(request, form, _("Publish the plan"), _("Publish"), back=plan)
