"""The university-level dialogue (step 13): details, programme, participants, questions."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.access import role_required

from .. import selectors, services
from ..scope import is_committee
from ..services import TransitionError
from ._common import _paginate, _plan_or_404

# --- the university-level dialogue (step 13) -------------------------------------------------


def university(request):
    """Public: date, time, venue, participants by category, guests and press, programme and
    the questions selected for it (no learners' names)."""
    from ..models import DialogueSession, Level, Question

    plan = _plan_or_404()
    session = (
        DialogueSession.objects.filter(plan=plan, level=Level.UNIVERSITY)
        .prefetch_related("participants", "programme")
        .first()
    )
    groups = selectors.participant_groups(session.participants.all()) if session else []
    selected = (
        session.selected_questions.exclude(status=Question.Status.MERGED)
        .select_related("topic", "unit", "answered_by_unit")
        .order_by("topic__position", "id")
        if session
        else []
    )
    return render(
        request,
        "dialogue/university.html",
        {
            "plan": plan,
            "session": session,
            "groups": groups,
            "selected": selected,
            "milestone": plan.milestones.filter(position=13).first(),
            "can_run": is_committee(request.user),
        },
    )


# The committee runs the university-level dialogue here, not in the Django admin: details,
# programme, participants by category and the questions selected for it. Every change is one
# service in services/university.py writing an Event on the session.


def _university_or_404(plan):
    session = selectors.university_session(plan)
    if session is None:
        raise Http404
    return session


def _university_manage_context(plan, session, **forms):
    from ..forms import ParticipantForm, ProgrammeItemForm
    from ..models import Question

    programme = list(session.programme.order_by("starts_at", "id")) if session else []
    context = {
        "plan": plan,
        "session": session,
        "programme": programme,
        "groups": selectors.participant_groups(session.participants.all()) if session else [],
        "selected": session.selected_questions.select_related("topic").order_by(
            "topic__position", "id"
        )
        if session
        else [],
        "events": session.events.select_related("actor").order_by("-at", "-id")[:40]
        if session
        else [],
        "milestone": plan.milestones.filter(position=13).first(),
        "merged": Question.Status.MERGED,
        # The next item usually starts when the last one ends.
        "programme_form": ProgrammeItemForm(
            initial={"starts_at": programme[-1].ends_at if programme else None}
        ),
        "participant_form": ParticipantForm(),
    }
    context.update(forms)
    return context


@role_required("dialogue_committee", hide=True)
def university_manage(request):
    """The committee's page for the university-level dialogue (step 13)."""
    plan = _plan_or_404()
    session = selectors.university_session(plan)
    return render(
        request, "dialogue/university_manage.html", _university_manage_context(plan, session)
    )


def _university_form_page(request, title, form=None, button=None, intro=None, status=200):
    return render(
        request,
        "dialogue/university_form.html",
        {"title": title, "form": form, "button": button or _("Save"), "intro": intro},
        status=status,
    )


def _confirm_remove(request, *, remove, done, section, title, intro):
    """GET asks to confirm; POST runs `remove`, says `done` and returns to the section."""
    if request.method == "POST":
        remove()
        messages.success(request, done)
        return redirect(_anchor("dialogue:university-manage", section))
    return _university_form_page(request, title, button=_("Remove"), intro=intro)


@role_required("dialogue_committee", hide=True)
def university_edit(request):
    """Date, time, venue and chair; the first save sets the dialogue up when there is none."""
    from ..forms import UniversityDialogueForm
    from ..models import Level

    plan = _plan_or_404()
    session = selectors.university_session(plan)
    initial = {}
    if session:
        initial = {f: getattr(session, f) for f in services.UNIVERSITY_FIELDS}
    form = UniversityDialogueForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if session is None:
                services.create_session(
                    plan=plan, actor=request.user, level=Level.UNIVERSITY, **form.cleaned_data
                )
            else:
                services.update_university_dialogue(
                    session, actor=request.user, **form.cleaned_data
                )
            messages.success(request, _("The date, time, venue and chair are saved."))
            return redirect("dialogue:university-manage")
        except TransitionError as exc:
            form.add_error(None, exc.message)
    return _university_form_page(
        request,
        _("Date, time, venue and chair of the university-level dialogue"),
        form,
        intro=_("Section II.2.2 of the plan; milestone 13: 24/4/2024, chaired by the Rector."),
    )


@role_required("dialogue_committee", hide=True)
@require_POST
def programme_add(request):
    from ..forms import ProgrammeItemForm

    plan = _plan_or_404()
    session = _university_or_404(plan)
    form = ProgrammeItemForm(request.POST)
    if form.is_valid():
        try:
            item = services.add_programme_item(session, actor=request.user, **form.cleaned_data)
            messages.success(request, _("“%(item)s” is in the programme.") % {"item": item.title})
            return redirect(_anchor("dialogue:university-manage", "programme"))
        except TransitionError as exc:
            form.add_error(None, exc.message)
    context = _university_manage_context(plan, session, programme_form=form)
    return render(request, "dialogue/university_manage.html", context, status=400)


def _anchor(name, fragment):
    from django.urls import reverse

    return f"{reverse(name)}#{fragment}"


def _programme_item_or_404(pk):
    from ..models import Level, ProgrammeItem

    plan = _plan_or_404()
    return get_object_or_404(
        ProgrammeItem.objects.select_related("session"),
        pk=pk,
        session__plan=plan,
        session__level=Level.UNIVERSITY,
    )


@role_required("dialogue_committee", hide=True)
def programme_edit(request, pk):
    from ..forms import ProgrammeItemForm

    item = _programme_item_or_404(pk)
    form = ProgrammeItemForm(
        request.POST or None,
        initial={
            "starts_at": item.starts_at,
            "ends_at": item.ends_at,
            "title": item.title,
            "presenter": item.presenter,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_programme_item(item, actor=request.user, **form.cleaned_data)
            messages.success(request, _("The programme item is saved."))
            return redirect(_anchor("dialogue:university-manage", "programme"))
        except TransitionError as exc:
            form.add_error(None, exc.message)
    return _university_form_page(request, _("Change a programme item"), form)


@role_required("dialogue_committee", hide=True)
@require_POST
def programme_move(request, pk, direction):
    if direction not in ("up", "down"):
        raise Http404
    item = _programme_item_or_404(pk)
    try:
        services.move_programme_item(item, actor=request.user, direction=direction)
    except TransitionError as exc:
        messages.error(request, exc.message)
    return redirect(_anchor("dialogue:university-manage", "programme"))


@role_required("dialogue_committee", hide=True)
def programme_remove(request, pk):
    """GET asks to confirm; POST removes."""
    item = _programme_item_or_404(pk)
    return _confirm_remove(
        request,
        remove=lambda: services.remove_programme_item(item, actor=request.user),
        done=_("“%(item)s” is removed from the programme.") % {"item": item.title},
        section="programme",
        title=_("Remove a programme item"),
        intro=f"{item.starts_at:%H:%M} {item.title}",
    )


def _participant_or_404(pk):
    from ..models import Level, Participant

    plan = _plan_or_404()
    return get_object_or_404(
        Participant.objects.select_related("session"),
        pk=pk,
        session__plan=plan,
        session__level=Level.UNIVERSITY,
    )


@role_required("dialogue_committee", hide=True)
@require_POST
def participant_add(request):
    from ..forms import ParticipantForm

    plan = _plan_or_404()
    session = _university_or_404(plan)
    form = ParticipantForm(request.POST)
    if form.is_valid():
        try:
            services.add_participant(session, actor=request.user, **form.cleaned_data)
            messages.success(request, _("The participants are added."))
            return redirect(_anchor("dialogue:university-manage", "participants"))
        except TransitionError as exc:
            form.add_error(None, exc.message)
    context = _university_manage_context(plan, session, participant_form=form)
    return render(request, "dialogue/university_manage.html", context, status=400)


@role_required("dialogue_committee", hide=True)
def participant_edit(request, pk):
    from ..forms import ParticipantForm

    p = _participant_or_404(pk)
    form = ParticipantForm(
        request.POST or None, initial={"category": p.category, "name": p.name, "count": p.count}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_participant(p, actor=request.user, **form.cleaned_data)
            messages.success(request, _("The participants are saved."))
            return redirect(_anchor("dialogue:university-manage", "participants"))
        except TransitionError as exc:
            form.add_error(None, exc.message)
    return _university_form_page(request, _("Change participants"), form)


@role_required("dialogue_committee", hide=True)
def participant_remove(request, pk):
    """GET asks to confirm; POST removes."""
    p = _participant_or_404(pk)
    return _confirm_remove(
        request,
        remove=lambda: services.remove_participant(p, actor=request.user),
        done=_("“%(name)s” is removed from the participants.") % {"name": p.name},
        section="participants",
        title=_("Remove participants"),
        intro=f"{p.get_category_display()}: {p.name}",
    )


@role_required("dialogue_committee", hide=True)
def university_questions(request):
    """Select and unselect the consolidated items for the dialogue; the selection on top."""
    from ..models import Question, Topic

    plan = _plan_or_404()
    session = _university_or_404(plan)
    if request.method == "POST":
        q = get_object_or_404(Question, pk=request.POST.get("question") or 0, plan=plan)
        selected = request.POST.get("selected") == "1"
        try:
            services.select_for_session(q, actor=request.user, session=session, selected=selected)
            if selected:
                messages.success(request, _("Item no. %(no)s is selected.") % {"no": q.pk})
            else:
                messages.success(
                    request, _("Item no. %(no)s is no longer selected.") % {"no": q.pk}
                )
        except TransitionError as exc:
            messages.error(request, exc.message)
        return redirect(request.get_full_path())
    query = request.GET.get("q", "").strip()[:200]
    topic_id = request.GET.get("topic") or ""
    topic_id = int(topic_id) if topic_id.isdigit() else None
    page = _paginate(request, selectors.selection_candidates(plan, query, topic_id), 20)
    return render(
        request,
        "dialogue/university_questions.html",
        {
            "plan": plan,
            "session": session,
            "selected": session.selected_questions.select_related("topic", "unit").order_by(
                "topic__position", "id"
            ),
            "page": page,
            "query": query,
            "topic_id": topic_id,
            "topics": Topic.objects.order_by("position", "name"),
            "merged": Question.Status.MERGED,
        },
    )
