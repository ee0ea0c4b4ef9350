"""The feedback form (phiếu phản hồi): edit, answer, results."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from portal.access import role_required
from portal.ratelimits import limit_posts

from .. import services
from ..scope import is_committee
from ..services import TransitionError
from ._common import _plan_or_404

# --- the feedback form (phiếu phản hồi) ------------------------------------------------------


def _feedback_or_404(pk):
    from ..models import FeedbackForm

    return get_object_or_404(FeedbackForm.objects.select_related("plan"), pk=pk)


@login_required
def feedback_list(request):
    from ..models import FeedbackForm, FeedbackReceipt

    plan = _plan_or_404()
    forms = plan.feedback_forms.all()
    if not is_committee(request.user):
        if not request.user.has_role("learner", "leadership"):
            raise Http404
        forms = forms.exclude(status=FeedbackForm.Status.DRAFT)
    answered = set(
        FeedbackReceipt.objects.filter(user=request.user).values_list("form_id", flat=True)
    )
    from ..forms import FeedbackFormForm

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


@role_required("dialogue_committee", hide=True)
def feedback_edit(request, pk):
    from ..forms import FeedbackItemForm

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


@role_required("learner", "dialogue_committee", hide=True)
@limit_posts("dialogue-feedback", target="user")
def feedback_answer(request, pk):
    from ..forms import FeedbackAnswerForm
    from ..models import FeedbackForm, FeedbackReceipt

    fb = _feedback_or_404(pk)
    if fb.status != FeedbackForm.Status.OPEN:
        raise Http404
    if FeedbackReceipt.objects.filter(form=fb, user=request.user).exists():
        messages.info(request, _("You have already answered this form. Thank you!"))
        return redirect("dialogue:feedback-list")
    form = FeedbackAnswerForm(request.POST or None, items=fb.items.all())
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_feedback(fb, learner=request.user, answers=form.answers())
            messages.success(request, _("Thank you! Your answers are recorded without your name."))
            return redirect("dialogue:feedback-list")
        except TransitionError as exc:
            form.add_error(None, exc.message)
    return render(request, "dialogue/feedback_answer.html", {"fb": fb, "form": form})


@role_required("leadership", "dialogue_committee", hide=True)
def feedback_results(request, pk):
    from django.db.models import Avg, Count

    from ..models import FeedbackAnswer

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
