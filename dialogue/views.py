"""Thin views: fetch what the person may see (404 otherwise), call one service, redirect."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.privacy import record_consent

from . import selectors, services
from .forms import CopyPlanForm, MilestoneDoneForm, MilestoneEditForm, NoteForm, PublishPlanForm
from .models import DutyItem, Milestone, Plan
from .scope import is_committee
from .services import TransitionError


def committee_required(view):
    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not is_committee(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


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


def _deadline_steps(obj):
    try:
        from portal.models import DeadlineStep
    except ImportError:  # pragma: no cover — the engine is part of portal
        return []
    return list(DeadlineStep.objects.for_object(obj))


@committee_required
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


@committee_required
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


@committee_required
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
    return render(
        request,
        "dialogue/confirm.html",
        {
            "form": form,
            "title": _("Reopen milestone %(no)s") % {"no": milestone.position},
            "back": milestone,
            "button": _("Reopen"),
        },
    )


@committee_required
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
    return render(
        request,
        "dialogue/confirm.html",
        {
            "form": form,
            "title": _("Edit milestone %(no)s") % {"no": milestone.position},
            "back": milestone.plan,
            "button": _("Save"),
        },
    )


@committee_required
@require_POST
def duty_toggle(request, pk):
    item = get_object_or_404(DutyItem.objects.select_related("duty__plan"), pk=pk)
    try:
        services.set_duty_item_done(item, actor=request.user, done=request.POST.get("done") == "1")
    except TransitionError as exc:
        messages.error(request, exc.message)
    return redirect(f"{item.duty.plan.get_absolute_url()}#duty-{item.duty_id}")


@committee_required
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


@committee_required
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
    return render(
        request,
        "dialogue/confirm.html",
        {"form": form, "title": _("Publish the plan"), "back": plan, "button": _("Publish")},
    )


# --- shared helpers ------------------------------------------------------------------------


def role_required(*roles):
    """Log-in with one of `roles` (or the committee, or a superuser); 404 otherwise."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not (user.is_superuser or is_committee(user) or user.has_role(*roles)):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def _end_of_day(d):
    import datetime as dt

    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(d, dt.time(23, 59)))


def _plan_or_404():
    plan = selectors.current_plan()
    if plan is None:
        raise Http404
    return plan


def _paginate(request, qs, per_page=25):
    from django.core.paginator import Paginator

    return Paginator(qs, per_page).get_page(request.GET.get("page"))


# --- public answers ------------------------------------------------------------------------


def answers(request):
    """Public: published answers, searchable without accents, by topic and unit; no names."""
    from .models import Topic

    query = request.GET.get("q", "").strip()[:200]
    topic_id = request.GET.get("topic") or None
    unit_id = request.GET.get("unit") or None
    topic_id = int(topic_id) if topic_id and topic_id.isdigit() else None
    unit_id = int(unit_id) if unit_id and unit_id.isdigit() else None
    qs = selectors.public_answers(query, topic_id, unit_id)
    page = _paginate(request, qs, 20)
    from .scope import training_units

    return render(
        request,
        "dialogue/answers.html",
        {
            "page": page,
            "query": query,
            "topic_id": topic_id,
            "unit_id": unit_id,
            "topics": Topic.objects.order_by("position", "name"),
            "units": training_units(),
            "total": page.paginator.count,
        },
    )


# --- learners ------------------------------------------------------------------------------


@role_required("learner")
def ask(request):
    from .forms import AskQuestionForm
    from .scope import training_units, unit_ids_of

    plan = _plan_or_404()
    units = training_units()
    mine = [pk for pk in unit_ids_of(request.user) if units.filter(pk=pk).exists()]
    initial = {"unit": mine[0]} if mine else {}
    form = AskQuestionForm(request.POST or None, units=units, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            q = services.submit_question(
                plan=plan,
                learner=request.user,
                topic=data["topic"],
                text=data["text"],
                kind=data["kind"],
                unit=data["unit"],
                student_class=data["student_class"],
                anonymous=data["anonymous"],
            )
            record_consent(q, form="dialogue.question", language=request.LANGUAGE_CODE or "")
            messages.success(
                request,
                _("Your question no. %(no)s has been sent to %(unit)s.")
                % {"no": q.pk, "unit": q.unit.display_name},
            )
            return redirect("dialogue:ask")
        except TransitionError as exc:
            form.add_error(None, exc.message)
    mine_qs = (
        selectors.questions_visible_to(request.user)
        .filter(asked_by=request.user)
        .order_by("-created_at")
    )
    return render(request, "dialogue/ask.html", {"form": form, "questions": mine_qs})


# --- questions -----------------------------------------------------------------------------


def _get_question_for_user(request, pk):
    return get_object_or_404(
        selectors.questions_visible_to(request.user).select_related("asked_by", "plan"), pk=pk
    )


def _question_actions(user, q):
    from .models import Question
    from .scope import is_responder_for, is_unit_staff

    S = Question.Status
    committee = is_committee(user)
    unit_staff = is_unit_staff(user, q.unit_id)
    return {
        "answer_at_unit": q.status == S.SUBMITTED and (unit_staff or committee),
        "escalate": q.status == S.SUBMITTED and (unit_staff or committee),
        "route": q.status in (S.ESCALATED, S.ROUTED) and committee,
        "answer": q.status == S.ROUTED and is_responder_for(user, q.department_id),
        "return": q.status == S.ANSWERED and committee and q.department_id is not None,
        "publish": q.status == S.ANSWERED and services.can_publish(user, q),
        "merge": q.status in (S.ESCALATED, S.ROUTED, S.ANSWERED, S.PUBLISHED) and committee,
        "topic": committee and q.status != S.MERGED,
        "select": committee and (q.status in services.SELECTABLE or q.selected_for_id is not None),
    }


def _departments(plan):
    """The units section IV names (the departments that answer), for routing."""
    from office.models import Unit

    ids = plan.unit_duties.values("units")
    return Unit.objects.filter(pk__in=ids).order_by("sort_path")


def _shows_name(user, q) -> bool:
    """Names are for the committee, the learner's unit and the learner; responders see them
    only when the learner did not ask to stay anonymous; public pages never."""
    from .scope import is_unit_staff

    if is_committee(user) or q.asked_by_id == user.pk or is_unit_staff(user, q.unit_id):
        return True
    return not q.anonymous and user.has_role("dialogue_responder", "leadership")


def _question_context(request, q, **overrides):
    from .forms import AnswerForm, DepartmentAnswerForm, ReturnAnswerForm, RouteForm
    from .models import DialogueSession, Level, Topic

    user = request.user
    actions = _question_actions(user, q)
    committee = is_committee(user)
    staff = committee or user.has_role("dialogue_responder", "dialogue_unit", "leadership")
    due = _default_due(q.plan)
    context = {
        "q": q,
        "actions": actions,
        "show_name": _shows_name(user, q),
        "hide_actor_id": None if _shows_name(user, q) else q.asked_by_id,
        "events": q.events.select_related("actor") if staff else [],
        "steps": _deadline_steps(q) if staff else [],
        "sources": q.merged.select_related("unit", "session") if staff else [],
        "answer_form": AnswerForm() if actions["answer_at_unit"] else None,
        "dept_form": DepartmentAnswerForm() if actions["answer"] else None,
        "route_form": RouteForm(
            departments=_departments(q.plan),
            initial={"department": q.department_id or q.topic.department_id, "due_on": due},
        )
        if actions["route"]
        else None,
        "return_form": ReturnAnswerForm(initial={"due_on": due}) if actions["return"] else None,
        "topics": Topic.objects.order_by("position") if actions["topic"] else [],
        "merge_candidates": _merge_candidates(q) if actions["merge"] else [],
        "university_sessions": DialogueSession.objects.filter(plan=q.plan, level=Level.UNIVERSITY)
        if actions["select"]
        else [],
    }
    context.update(overrides)
    return context


@login_required
def question_detail(request, pk):
    q = _get_question_for_user(request, pk)
    return render(request, "dialogue/question.html", _question_context(request, q))


def _default_due(plan):
    """Step 9's last day when it is still ahead, else a week from today."""
    import datetime as dt

    from django.utils import timezone

    today = timezone.localdate()
    m9 = plan.milestones.filter(position=9).first()
    if m9 and m9.ends_on >= today:
        return m9.ends_on
    return today + dt.timedelta(days=7)


def _merge_candidates(q):
    from .models import Question

    return (
        Question.objects.filter(
            plan=q.plan,
            topic=q.topic,
            status__in=[Question.Status.ESCALATED, Question.Status.ROUTED],
        )
        .exclude(pk=q.pk)
        .select_related("unit")[:30]
    )


def _question_post(request, pk, action):
    """Every question action: POST only, one service each, back to the question."""
    from .forms import AnswerForm, DepartmentAnswerForm, ReturnAnswerForm, RouteForm
    from .models import DialogueSession, Question, Topic

    q = _get_question_for_user(request, pk)
    user = request.user
    try:
        if action == "answer-unit":
            form = AnswerForm(request.POST)
            if not form.is_valid():
                raise TransitionError(_("Write the answer."))
            services.answer_at_unit(q, actor=user, text=form.cleaned_data["text"])
            messages.success(request, _("The answer is saved. Publish it when it is final."))
        elif action == "escalate":
            services.escalate_question(q, actor=user, note=request.POST.get("note", ""))
            messages.success(request, _("Sent to the Organising Committee standing office."))
        elif action == "route":
            form = RouteForm(request.POST, departments=_departments(q.plan))
            if not form.is_valid():
                return _invalid(request, q, form, "route_form")
            d = form.cleaned_data
            services.route_question(
                q,
                actor=user,
                department=d["department"],
                due_at=_end_of_day(d["due_on"]),
                note=d["note"],
            )
            messages.success(
                request, _("Sent to %(dept)s.") % {"dept": d["department"].display_name}
            )
        elif action == "answer":
            form = DepartmentAnswerForm(request.POST, request.FILES)
            if not form.is_valid():
                return _invalid(request, q, form, "dept_form")
            d = form.cleaned_data
            services.answer_question(
                q,
                actor=user,
                text=d["text"],
                letter_number=d["letter_number"],
                letter_file=d["letter_file"],
            )
            messages.success(request, _("Your answer is sent to the standing office."))
        elif action == "return":
            form = ReturnAnswerForm(request.POST)
            if not form.is_valid():
                return _invalid(request, q, form, "return_form")
            services.return_answer(
                q,
                actor=user,
                note=form.cleaned_data["note"],
                due_at=_end_of_day(form.cleaned_data["due_on"]),
            )
            messages.success(request, _("The answer went back to the department."))
        elif action == "publish":
            services.publish_answer(q, actor=user)
            messages.success(request, _("The answer is published on the public answers page."))
        elif action == "merge":
            ids = [int(i) for i in request.POST.getlist("duplicates") if i.isdigit()]
            dups = list(Question.objects.filter(pk__in=ids, plan=q.plan))
            services.merge_questions(q, dups, actor=user)
            messages.success(
                request, _("%(n)s duplicates merged into this item.") % {"n": len(dups)}
            )
        elif action == "topic":
            topic = get_object_or_404(Topic, pk=request.POST.get("topic") or 0)
            services.change_topic(q, actor=user, topic=topic)
        elif action == "select":
            session = get_object_or_404(DialogueSession, pk=request.POST.get("session") or 0)
            services.select_for_session(
                q, actor=user, session=session, selected=request.POST.get("selected") == "1"
            )
        else:
            raise Http404
    except TransitionError as exc:
        messages.error(request, exc.message)
    return redirect("dialogue:question", pk=q.pk)


def _invalid(request, q, form, name):
    """A form with errors: the question again, the errors next to the fields, nothing lost."""
    context = _question_context(request, q, **{name: form})
    return render(request, "dialogue/question.html", context, status=400)


@login_required
@require_POST
def question_action(request, pk, action):
    return _question_post(request, pk, action)


@role_required("leadership")
def question_list(request):
    """The committee's (and the leadership's) list of all items, filterable."""
    from .models import Question, Topic
    from .scope import training_units

    plan = _plan_or_404()
    qs = plan.questions.select_related(*selectors.QUESTION_RELATED).order_by("-created_at", "-id")
    status = request.GET.get("status", "")
    if status in Question.Status.values:
        qs = qs.filter(status=status)
    else:
        qs = qs.exclude(status=Question.Status.MERGED)
    for key in ("topic", "unit", "department"):
        value = request.GET.get(key, "")
        if value.isdigit():
            qs = qs.filter(**{f"{key}_id": int(value)})
    query = request.GET.get("q", "").strip()
    from portal.text import fold_words

    for word in fold_words(query):
        qs = qs.filter(search_key__contains=word)
    return render(
        request,
        "dialogue/question_list.html",
        {
            "page": _paginate(request, qs, 30),
            "statuses": Question.Status.choices,
            "status": status,
            "topics": Topic.objects.order_by("position"),
            "units": training_units(),
            "departments": _departments(plan),
            "filters": request.GET,
            "query": query,
        },
    )


@role_required("dialogue_responder")
def responder_queue(request):
    """Questions sent to the responder's department(s) — and no other department's."""
    from .models import Question

    qs = selectors.questions_visible_to(request.user).filter(department__isnull=False)
    if not is_committee(request.user):
        from .scope import unit_ids_of

        qs = qs.filter(department_id__in=unit_ids_of(request.user))
    open_items = qs.filter(status=Question.Status.ROUTED).order_by("due_at")
    done_items = qs.filter(
        status__in=[Question.Status.ANSWERED, Question.Status.PUBLISHED]
    ).order_by("-answered_at")[:50]
    return render(
        request,
        "dialogue/responder_queue.html",
        {"open_items": open_items, "done_items": done_items},
    )


# --- topics → departments --------------------------------------------------------------------


@role_required("leadership")
def topics(request):
    from office.models import Unit

    from .models import Topic

    plan = _plan_or_404()
    departments = _departments(plan)
    if request.method == "POST":
        if not is_committee(request.user):
            raise Http404
        topic = get_object_or_404(Topic, pk=request.POST.get("topic") or 0)
        dept_id = request.POST.get("department") or ""
        department = get_object_or_404(Unit, pk=dept_id) if dept_id else None
        try:
            services.set_topic_department(topic, actor=request.user, department=department)
            messages.success(
                request, _("Routing saved: %(topic)s.") % {"topic": topic.display_name}
            )
        except TransitionError as exc:
            messages.error(request, exc.message)
        return redirect("dialogue:topics")
    return render(
        request,
        "dialogue/topics.html",
        {
            "topics": Topic.objects.select_related("department").order_by("position"),
            "departments": departments,
            "can_edit": is_committee(request.user),
            "events": plan.events.filter(topic__isnull=False).select_related("actor", "topic")[:20],
        },
    )


# --- sessions and minutes --------------------------------------------------------------------


def _sessions_visible_to(user):
    from django.db.models import Q

    from .models import DialogueSession, Level
    from .scope import can_read_all, unit_ids_of

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
    from .models import Level

    if is_committee(user):
        return Level.choices
    return [(v, label) for v, label in Level.choices if v != Level.UNIVERSITY]


def _writable_units(user):
    from office.models import Unit

    from .scope import training_units, unit_ids_of

    units = training_units()
    if is_committee(user):
        return units
    return units.filter(pk__in=unit_ids_of(user)) if units is not None else Unit.objects.none()


@role_required("dialogue_unit")
def unit_home(request):
    """A unit's dialogues: its sessions and minutes, and the questions at the unit."""
    from .models import Question
    from .scope import unit_ids_of

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
            "to_handle": questions.filter(status=Question.Status.SUBMITTED).order_by("created_at"),
            "answered": questions.filter(
                status=Question.Status.ANSWERED, department__isnull=True
            ).order_by("-answered_at"),
            "others": questions.exclude(
                status__in=[Question.Status.SUBMITTED, Question.Status.MERGED]
            ).order_by("-created_at")[:50],
            "units": _writable_units(request.user),
        },
    )


@role_required("dialogue_unit")
def session_create(request):
    from .forms import SessionForm

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
    return render(
        request,
        "dialogue/confirm.html",
        {"form": form, "title": _("Plan a dialogue session"), "button": _("Save")},
    )


def session_detail(request, pk):
    from .forms import MinutesForm, MinutesQuestionForm
    from .models import DialogueSession, Level
    from .scope import is_unit_leader, is_unit_staff

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


@role_required("dialogue_unit")
def session_minutes(request, pk):
    from .forms import MinutesForm

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
    return render(
        request,
        "dialogue/confirm.html",
        {
            "form": form,
            "title": _("Minutes of %(session)s") % {"session": session.display_title},
            "back": session,
            "button": _("Save the minutes"),
        },
    )


@role_required("dialogue_unit")
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


@role_required("dialogue_unit")
@require_POST
def session_add_question(request, pk):
    from .forms import MinutesQuestionForm

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


# --- the university-level dialogue (step 13) -------------------------------------------------


def university(request):
    """Public: date, time, venue, participants by category, guests and press, programme and
    the questions selected for it (no learners' names)."""
    from .models import DialogueSession, Level, Question

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
# service in services.py writing an Event on the session.


def _university_or_404(plan):
    session = selectors.university_session(plan)
    if session is None:
        raise Http404
    return session


def _university_manage_context(plan, session, **forms):
    from .forms import ParticipantForm, ProgrammeItemForm
    from .models import Question

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


@committee_required
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


@committee_required
def university_edit(request):
    """Date, time, venue and chair; the first save sets the dialogue up when there is none."""
    from .forms import UniversityDialogueForm
    from .models import Level

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


@committee_required
@require_POST
def programme_add(request):
    from .forms import ProgrammeItemForm

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
    from .models import Level, ProgrammeItem

    plan = _plan_or_404()
    return get_object_or_404(
        ProgrammeItem.objects.select_related("session"),
        pk=pk,
        session__plan=plan,
        session__level=Level.UNIVERSITY,
    )


@committee_required
def programme_edit(request, pk):
    from .forms import ProgrammeItemForm

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


@committee_required
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


@committee_required
def programme_remove(request, pk):
    """GET asks to confirm; POST removes."""
    item = _programme_item_or_404(pk)
    if request.method == "POST":
        services.remove_programme_item(item, actor=request.user)
        messages.success(
            request, _("“%(item)s” is removed from the programme.") % {"item": item.title}
        )
        return redirect(_anchor("dialogue:university-manage", "programme"))
    return _university_form_page(
        request,
        _("Remove a programme item"),
        button=_("Remove"),
        intro=f"{item.starts_at:%H:%M} {item.title}",
    )


def _participant_or_404(pk):
    from .models import Level, Participant

    plan = _plan_or_404()
    return get_object_or_404(
        Participant.objects.select_related("session"),
        pk=pk,
        session__plan=plan,
        session__level=Level.UNIVERSITY,
    )


@committee_required
@require_POST
def participant_add(request):
    from .forms import ParticipantForm

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


@committee_required
def participant_edit(request, pk):
    from .forms import ParticipantForm

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


@committee_required
def participant_remove(request, pk):
    """GET asks to confirm; POST removes."""
    p = _participant_or_404(pk)
    if request.method == "POST":
        services.remove_participant(p, actor=request.user)
        messages.success(
            request, _("“%(name)s” is removed from the participants.") % {"name": p.name}
        )
        return redirect(_anchor("dialogue:university-manage", "participants"))
    return _university_form_page(
        request,
        _("Remove participants"),
        button=_("Remove"),
        intro=f"{p.get_category_display()}: {p.name}",
    )


@committee_required
def university_questions(request):
    """Select and unselect the consolidated items for the dialogue; the selection on top."""
    from .models import Question, Topic

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


# --- dashboard and reports -------------------------------------------------------------------


@committee_required
def dashboard(request):
    """Milestones on time and late, questions by status, departments with overdue answers —
    a fixed number of queries whatever the number of questions."""
    from .models import Question

    plan = _plan_or_404()
    milestones = list(plan.milestones.all())
    counts = selectors.status_counts(plan)
    status_rows = [(value, label, counts.get(value, 0)) for value, label in Question.Status.choices]
    biggest = max((n for _v, _l, n in status_rows), default=0) or 1
    return render(
        request,
        "dialogue/dashboard.html",
        {
            "plan": plan,
            "timeline": selectors.timeline(milestones),
            "mcounts": selectors.milestone_counts(milestones),
            "late_milestones": [
                m for m in milestones if m.status == m.Status.LATE or m.is_overdue()
            ],
            "status_rows": status_rows,
            "biggest": biggest,
            "total": sum(n for _v, _l, n in status_rows if _v != Question.Status.MERGED),
            "overdue": selectors.overdue_by_department(plan),
            "open_by_dept": selectors.open_by_department(plan),
            "to_route": plan.questions.filter(status=Question.Status.ESCALATED)
            .select_related("topic", "unit", "topic__department")
            .order_by("escalated_at")[:15],
            "to_publish": plan.questions.filter(
                status=Question.Status.ANSWERED, department__isnull=False
            )
            .select_related("topic", "department")
            .order_by("answered_at")[:15],
        },
    )


@role_required("leadership")
def report(request):
    """Step 11: the consolidated report for the Party Committee and the Leadership Board."""
    from django.utils import timezone

    plan = _plan_or_404()
    data = selectors.report(plan)
    return render(
        request,
        "dialogue/report.html",
        {
            "plan": plan,
            "r": data,
            "generated_at": timezone.now(),
            "counts": selectors.status_counts(plan),
        },
    )


@role_required("leadership")
def report_xlsx(request):
    from django.http import HttpResponse

    from .reports import report_workbook

    plan = _plan_or_404()
    content = report_workbook(plan, selectors.report(plan))
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="bao-cao-tong-hop-doi-thoai.xlsx"'
    return response


# --- the feedback form (phiếu phản hồi) ------------------------------------------------------


def _feedback_or_404(pk):
    from .models import FeedbackForm

    return get_object_or_404(FeedbackForm.objects.select_related("plan"), pk=pk)


@login_required
def feedback_list(request):
    from .models import FeedbackForm, FeedbackReceipt

    plan = _plan_or_404()
    forms = plan.feedback_forms.all()
    if not is_committee(request.user):
        if not request.user.has_role("learner", "leadership"):
            raise Http404
        forms = forms.exclude(status=FeedbackForm.Status.DRAFT)
    answered = set(
        FeedbackReceipt.objects.filter(user=request.user).values_list("form_id", flat=True)
    )
    from .forms import FeedbackFormForm

    new_form = FeedbackFormForm(request.POST or None) if is_committee(request.user) else None
    if request.method == "POST":
        if new_form is None:
            raise Http404
        if new_form.is_valid():
            try:
                form = services.create_feedback_form(
                    plan=plan, actor=request.user, **new_form.cleaned_data
                )
                return redirect("dialogue:feedback-edit", pk=form.pk)
            except TransitionError as exc:
                new_form.add_error(None, exc.message)
    return render(
        request,
        "dialogue/feedback_list.html",
        {"forms": forms, "answered": answered, "new_form": new_form},
    )


@committee_required
def feedback_edit(request, pk):
    from .forms import FeedbackItemForm

    form = _feedback_or_404(pk)
    item_form = FeedbackItemForm(request.POST or None)
    if request.method == "POST":
        action = request.POST.get("action", "add")
        try:
            if action == "add":
                if item_form.is_valid():
                    services.add_feedback_item(form, actor=request.user, **item_form.cleaned_data)
                    return redirect("dialogue:feedback-edit", pk=form.pk)
            elif action == "remove":
                item = get_object_or_404(form.items, pk=request.POST.get("item") or 0)
                services.remove_feedback_item(item, actor=request.user)
                return redirect("dialogue:feedback-edit", pk=form.pk)
            elif action == "open":
                services.open_feedback_form(form, actor=request.user)
                messages.success(request, _("The form is open: learners can answer it now."))
                return redirect("dialogue:feedback-edit", pk=form.pk)
            elif action == "close":
                services.close_feedback_form(form, actor=request.user)
                return redirect("dialogue:feedback-results", pk=form.pk)
        except TransitionError as exc:
            messages.error(request, exc.message)
    return render(
        request,
        "dialogue/feedback_edit.html",
        {"fb": form, "items": form.items.all(), "item_form": item_form},
    )


@role_required("learner")
def feedback_answer(request, pk):
    from .forms import FeedbackAnswerForm
    from .models import FeedbackForm, FeedbackReceipt

    fb = _feedback_or_404(pk)
    if fb.status != FeedbackForm.Status.OPEN:
        raise Http404
    if FeedbackReceipt.objects.filter(form=fb, user=request.user).exists():
        messages.info(request, _("You have already answered this form. Thank you!"))
        return redirect("dialogue:feedback-list")
    form = FeedbackAnswerForm(request.POST or None, items=fb.items.all())
    if request.method == "POST" and form.is_valid():
        try:
            response = services.submit_feedback(fb, learner=request.user, answers=form.answers())
            record_consent(response, form="dialogue.feedback", language=request.LANGUAGE_CODE or "")
            messages.success(request, _("Thank you! Your answers are recorded without your name."))
            return redirect("dialogue:feedback-list")
        except TransitionError as exc:
            form.add_error(None, exc.message)
    return render(request, "dialogue/feedback_answer.html", {"fb": fb, "form": form})


@role_required("leadership")
def feedback_results(request, pk):
    from django.db.models import Avg, Count

    from .models import FeedbackAnswer

    fb = _feedback_or_404(pk)
    items = list(fb.items.all())
    counts = {}
    for row in (
        FeedbackAnswer.objects.filter(item__form=fb, rating__isnull=False)
        .values("item_id", "rating")
        .annotate(n=Count("id"))
    ):
        counts[(row["item_id"], row["rating"])] = row["n"]
    averages = dict(
        FeedbackAnswer.objects.filter(item__form=fb, rating__isnull=False)
        .values("item_id")
        .annotate(a=Avg("rating"))
        .values_list("item_id", "a")
    )
    texts = {}
    for a in FeedbackAnswer.objects.filter(item__form=fb).exclude(text="").order_by("?")[:500]:
        texts.setdefault(a.item_id, []).append(a.text)
    rows = []
    for item in items:
        if item.kind == "rating":
            bars = [(r, counts.get((item.pk, r), 0)) for r in range(1, 6)]
            total = sum(n for _r, n in bars)
            peak = max((n for _r, n in bars), default=0) or 1
            rows.append(
                {
                    "item": item,
                    "bars": [(r, n, round(n * 100 / peak)) for r, n in bars],
                    "total": total,
                    "average": averages.get(item.pk),
                }
            )
        else:
            rows.append({"item": item, "texts": texts.get(item.pk, [])})
    return render(
        request,
        "dialogue/feedback_results.html",
        {"fb": fb, "rows": rows, "responses": fb.responses.count()},
    )
