"""Learners' questions: asking, the public answers, the question page and its actions, routing
to departments, the responders' queue, the topic → department table."""

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.access import role_required
from portal.privacy import record_consent
from portal.ratelimits import limit_posts
from portal.text import fold

from .. import selectors, services
from ..rows import ANSWER_FIELDS, ROW_FIELDS, answer_cards, options, question_rows
from ..scope import is_committee
from ..services import TransitionError
from ._common import _deadline_steps, _end_of_day, _paginate, _plan_or_404

# --- public answers ------------------------------------------------------------------------


def answers(request):
    """Public: published answers, searchable without accents, by topic and unit; no names."""
    query = request.GET.get("q", "").strip()[:200]
    topic_id = request.GET.get("topic") or None
    unit_id = request.GET.get("unit") or None
    topic_id = int(topic_id) if topic_id and topic_id.isdigit() else None
    unit_id = int(unit_id) if unit_id and unit_id.isdigit() else None
    qs = selectors.public_answers(query, topic_id, unit_id)
    key = hashlib.sha256(f"{fold(query)}|{topic_id}|{unit_id}".encode()).hexdigest()[:32]
    # The cards are written once in Python from values() dicts (dialogue/rows.py, issue 15);
    # the page is sliced first, so the count reads no join.
    page = _paginate(request, qs, 20, count_key=f"dialogue:answers-count:{key}")
    page.object_list = answer_cards(page.object_list.values(*ANSWER_FIELDS))
    topics, units = selectors.answer_filter_rows()
    return render(
        request,
        "dialogue/answers.html",
        {
            "page": page,
            "query": query,
            "topic_id": topic_id,
            "unit_id": unit_id,
            "topics": options(topics),
            "units": options(units),
            "total": page.paginator.count,
        },
    )


# --- learners ------------------------------------------------------------------------------


@role_required("learner", "dialogue_committee", hide=True)
@limit_posts("dialogue-ask", target="user")
def ask(request):
    from ..forms import AskQuestionForm
    from ..scope import training_units, unit_ids_of

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
    from ..models import Question
    from ..scope import is_responder_for, is_unit_staff

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
        "select": committee and (q.status in q.SELECTABLE or q.selected_for_id is not None),
    }


def _departments(plan):
    """The units section IV names (the departments that answer), for routing."""
    from office.models import Unit

    ids = plan.unit_duties.values("units")
    return Unit.objects.filter(pk__in=ids).order_by("sort_path")


def _shows_name(user, q) -> bool:
    """Names are for the committee, the learner's unit and the learner; responders see them
    only when the learner did not ask to stay anonymous; public pages never."""
    from ..scope import is_unit_staff

    if is_committee(user) or q.asked_by_id == user.pk or is_unit_staff(user, q.unit_id):
        return True
    return not q.anonymous and user.has_role("dialogue_responder", "leadership")


def _question_context(request, q, **overrides):
    from ..forms import AnswerForm, DepartmentAnswerForm, ReturnAnswerForm, RouteForm
    from ..models import DialogueSession, Level, Topic

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
    from ..models import Question

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
    from ..forms import AnswerForm, DepartmentAnswerForm, ReturnAnswerForm, RouteForm
    from ..models import DialogueSession, Question, Topic

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


@role_required("leadership", "dialogue_committee", hide=True)
def question_list(request):
    """The committee's (and the leadership's) list of all items, filterable."""
    from ..models import Question, Topic
    from ..scope import training_units

    plan = _plan_or_404()
    # Read as values() for the rows (dialogue/rows.py): the joins are named there.
    qs = plan.questions.order_by("-created_at", "-id")
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
    page = _paginate(request, qs, 30)
    page.object_list = question_rows(page.object_list.values(*ROW_FIELDS))
    return render(
        request,
        "dialogue/question_list.html",
        {
            "page": page,
            "statuses": Question.Status.choices,
            "status": status,
            "topics": Topic.objects.order_by("position"),
            "units": training_units(),
            "departments": _departments(plan),
            "filters": request.GET,
            "query": query,
        },
    )


@role_required("dialogue_responder", "dialogue_committee", hide=True)
def responder_queue(request):
    """Questions sent to the responder's department(s) — and no other department's."""
    from ..models import Question

    qs = selectors.questions_visible_to(request.user).filter(department__isnull=False)
    if not is_committee(request.user):
        from ..scope import unit_ids_of

        qs = qs.filter(department_id__in=unit_ids_of(request.user))
    # A page at a time: a department may have thousands waiting, and the page must not grow
    # with them (issue 15). Rows are values() dicts written once in Python (dialogue/rows.py).
    # The number waiting is counted each time (one index-only count): a cached one would cut
    # the page short when questions arrive.
    routed = qs.filter(status=Question.Status.ROUTED).order_by("due_at", "id")
    open_items = _paginate(request, routed)  # counted without the rows' joins
    open_items.object_list = question_rows(open_items.object_list.values(*ROW_FIELDS))
    done_items = question_rows(
        qs.filter(status__in=[Question.Status.ANSWERED, Question.Status.PUBLISHED])
        .order_by("-answered_at")
        .values(*ROW_FIELDS)[:50]
    )
    return render(
        request,
        "dialogue/responder_queue.html",
        {"open_items": open_items, "page": open_items, "done_items": done_items},
    )


# --- topics → departments --------------------------------------------------------------------


@role_required("leadership", "dialogue_committee", hide=True)
def topics(request):
    from office.models import Unit

    from ..models import Topic

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
