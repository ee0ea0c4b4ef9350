"""Class and unit dialogue sessions and their minutes."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.access import role_required

from .. import selectors, services
from ..rows import ROW_FIELDS, question_rows
from ..scope import is_committee
from ..services import TransitionError
from ._common import _deadline_steps, _form_page, _plan_or_404

# --- sessions and minutes --------------------------------------------------------------------


def _sessions_visible_to(user):
    from django.db.models import Q

    from ..models import DialogueSession, Level
    from ..scope import can_read_all, unit_ids_of

    qs = DialogueSession.objects.select_related("unit", "plan", "submitted_by", "approved_by")
    if can_read_all(user):
        return qs
    # The university-level dialogue is public; class and unit sessions belong to their unit.
    cond = Q(level=Level.UNIVERSITY)
    if user.is_authenticated and user.has_role("dialogue_unit"):
        cond |= Q(unit_id__in=unit_ids_of(user))
    return qs.filter(cond)


def _get_session_for_user(request, pk):
    return get_object_or_404(_sessions_visible_to(request.user), pk=pk)


def _session_levels(user):
    from ..models import Level

    if is_committee(user):
        return Level.choices
    return [(v, label) for v, label in Level.choices if v != Level.UNIVERSITY]


def _writable_units(user):
    from office.models import Unit

    from ..scope import training_units, unit_ids_of

    units = training_units()
    if is_committee(user):
        return units
    return units.filter(pk__in=unit_ids_of(user)) if units is not None else Unit.objects.none()


@role_required("dialogue_unit", "dialogue_committee", hide=True)
def unit_home(request):
    """A unit's dialogues: its sessions and minutes, and the questions at the unit."""
    from ..models import Question
    from ..scope import unit_ids_of

    plan = _plan_or_404()
    units = unit_ids_of(request.user)
    sessions = _sessions_visible_to(request.user).filter(plan=plan).exclude(level="university")
    questions = selectors.questions_visible_to(request.user).filter(plan=plan)
    if not is_committee(request.user):
        sessions = sessions.filter(unit_id__in=units)
        questions = questions.filter(unit_id__in=units)
    return render(
        request,
        "dialogue/unit_home.html",
        {
            "plan": plan,
            "sessions": sessions.order_by("-held_on"),
            "to_handle": question_rows(
                questions.filter(status=Question.Status.SUBMITTED)
                .order_by("created_at")
                .values(*ROW_FIELDS),
                compact=True,
            ),
            "answered": question_rows(
                questions.filter(status=Question.Status.ANSWERED, department__isnull=True)
                .order_by("-answered_at")
                .values(*ROW_FIELDS),
                compact=True,
            ),
            "others": question_rows(
                questions.exclude(status__in=[Question.Status.SUBMITTED, Question.Status.MERGED])
                .order_by("-created_at", "-id")
                .values(*ROW_FIELDS)[:50]
            ),
            "units": _writable_units(request.user),
        },
    )


@role_required("dialogue_unit", "dialogue_committee", hide=True)
def session_create(request):
    from ..forms import SessionForm

    plan = _plan_or_404()
    form = SessionForm(
        request.POST or None,
        units=_writable_units(request.user),
        levels=_session_levels(request.user),
        initial={"level": "class"},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        level, unit = data.pop("level"), data.pop("unit")
        data = {k: v for k, v in data.items() if v not in (None,)}
        try:
            session = services.create_session(
                plan=plan, actor=request.user, level=level, unit=unit, **data
            )
            messages.success(request, _("The session is planned. Write its minutes after it."))
            return redirect("dialogue:session", pk=session.pk)
        except TransitionError as exc:
            form.add_error(None, exc.message)
    return _form_page(request, form, _("Plan a dialogue session"), _("Save"))


def session_detail(request, pk):
    from ..forms import MinutesForm, MinutesQuestionForm
    from ..models import DialogueSession, Level
    from ..scope import is_unit_leader, is_unit_staff

    session = _get_session_for_user(request, pk)
    user = request.user
    if session.level == Level.UNIVERSITY:
        return redirect("dialogue:university")
    S = DialogueSession.Status
    writer = user.is_authenticated and (is_committee(user) or is_unit_staff(user, session.unit_id))
    approver = user.is_authenticated and is_unit_leader(user, session.unit_id)
    context = {
        "session": session,
        "events": session.events.select_related("actor"),
        "questions": session.questions.select_related("topic", "unit").order_by("id"),
        "can_write": writer and session.status in (S.PLANNED, S.MINUTES_DRAFT, S.RETURNED),
        "can_submit": writer and session.status in (S.MINUTES_DRAFT, S.RETURNED),
        "can_decide": approver and session.status == S.SUBMITTED,
        "can_add_question": writer,
        "minutes_form": MinutesForm(
            initial={
                "minutes_text": session.minutes_text,
                "attendance": session.attendance,
                "attendee_count": session.attendee_count,
            }
        ),
        "question_form": MinutesQuestionForm(initial={"student_class": session.student_class}),
        "steps": _deadline_steps(session) if writer or approver else [],
    }
    return render(request, "dialogue/session.html", context)


@role_required("dialogue_unit", "dialogue_committee", hide=True)
def session_minutes(request, pk):
    from ..forms import MinutesForm

    session = _get_session_for_user(request, pk)
    form = MinutesForm(
        request.POST or None,
        request.FILES or None,
        has_file=bool(session.minutes_file),
        initial={
            "minutes_text": session.minutes_text,
            "attendance": session.attendance,
            "attendee_count": session.attendee_count,
        },
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.write_minutes(
                session,
                actor=request.user,
                minutes_text=d["minutes_text"],
                minutes_file=d["minutes_file"],
                attendance=d["attendance"],
                attendee_count=d["attendee_count"],
            )
            messages.success(request, _("The minutes are saved."))
            return redirect("dialogue:session", pk=session.pk)
        except TransitionError as exc:
            form.add_error(None, exc.message)
    return _form_page(
        request,
        form,
        _("Minutes of %(session)s") % {"session": session.display_title},
        _("Save the minutes"),
        back=session,
    )


@role_required("dialogue_unit", "dialogue_committee", hide=True)
@require_POST
def session_action(request, pk, action):
    session = _get_session_for_user(request, pk)
    note = request.POST.get("note", "")
    try:
        if action == "submit":
            services.submit_minutes(session, actor=request.user)
            messages.success(request, _("The minutes are submitted to the unit's leaders."))
        elif action == "approve":
            services.approve_minutes(session, actor=request.user, note=note)
            messages.success(request, _("The minutes are approved."))
        elif action == "return":
            services.return_minutes(session, actor=request.user, note=note)
            messages.success(request, _("The minutes went back for correction."))
        else:
            raise Http404
    except TransitionError as exc:
        messages.error(request, exc.message)
    return redirect("dialogue:session", pk=session.pk)


@role_required("dialogue_unit", "dialogue_committee", hide=True)
@require_POST
def session_add_question(request, pk):
    from ..forms import MinutesQuestionForm

    session = _get_session_for_user(request, pk)
    form = MinutesQuestionForm(request.POST)
    if form.is_valid():
        try:
            q = services.record_question_from_minutes(
                session=session, actor=request.user, **form.cleaned_data
            )
            messages.success(request, _("Question no. %(no)s recorded.") % {"no": q.pk})
        except TransitionError as exc:
            messages.error(request, exc.message)
    else:
        for errors in form.errors.values():
            messages.error(request, errors[0])
    return redirect("dialogue:session", pk=session.pk)
