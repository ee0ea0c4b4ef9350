"""The feedback form: build, open, close, answer."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from ..models import (
    FeedbackAnswer,
    FeedbackForm,
    FeedbackItem,
    FeedbackReceipt,
    FeedbackResponse,
)
from ._common import TransitionError, _event, _require_committee

# --- the feedback form ---------------------------------------------------------------------

FS = FeedbackForm.Status


@transaction.atomic
def create_feedback_form(*, plan, actor, title, intro="") -> FeedbackForm:
    _require_committee(actor)
    if not title.strip():
        raise TransitionError(_("Give the form a title."))
    return FeedbackForm.objects.create(
        plan=plan, title=title.strip(), intro=intro.strip(), created_by=actor
    )


@transaction.atomic
def add_feedback_item(form, *, actor, kind, text, required=True) -> FeedbackItem:
    _require_committee(actor)
    form = FeedbackForm.objects.select_for_update().get(pk=form.pk)
    if form.status != FS.DRAFT:
        raise TransitionError(_("The form is open: its questions can no longer change."))
    last = form.items.order_by("-position").values_list("position", flat=True).first() or 0
    return FeedbackItem.objects.create(
        form=form, kind=kind, text=text.strip(), required=required, position=last + 1
    )


@transaction.atomic
def remove_feedback_item(item, *, actor):
    _require_committee(actor)
    if item.form.status != FS.DRAFT:
        raise TransitionError(_("The form is open: its questions can no longer change."))
    item.delete()


def _move_form(form, *, actor, allowed_from, to, action, refusal) -> FeedbackForm:
    _require_committee(actor)
    form = FeedbackForm.objects.select_for_update().get(pk=form.pk)
    if form.status != allowed_from:
        raise TransitionError(refusal)
    if to == FS.OPEN and not form.items.exists():
        raise TransitionError(_("Add at least one question first."))
    form.status = to
    form.save(update_fields=["status"])
    _event(form.plan, action, actor=actor, from_status=allowed_from, to_status=to, note=form.title)
    return form


@transaction.atomic
def open_feedback_form(form, *, actor) -> FeedbackForm:
    return _move_form(
        form,
        actor=actor,
        allowed_from=FS.DRAFT,
        to=FS.OPEN,
        action="feedback_opened",
        refusal=_("Only a form being built can be opened."),
    )


@transaction.atomic
def close_feedback_form(form, *, actor) -> FeedbackForm:
    return _move_form(
        form,
        actor=actor,
        allowed_from=FS.OPEN,
        to=FS.CLOSED,
        action="feedback_closed",
        refusal=_("Only an open form can be closed."),
    )


@transaction.atomic
def submit_feedback(form, *, learner, answers: dict) -> FeedbackResponse:
    """A learner answers once; the answers carry no trace of who gave them.

    `answers` maps item id → rating (1–5) or text."""
    if not (learner.is_authenticated and learner.has_role("learner")):
        raise TransitionError(_("Only learners answer the feedback form."))
    form = FeedbackForm.objects.select_for_update().get(pk=form.pk)
    if form.status != FS.OPEN:
        raise TransitionError(_("This form is not open for answers."))
    # The receipt row is the claim: a second submission (even at the same moment) fails here.
    _receipt, created = FeedbackReceipt.objects.get_or_create(form=form, user=learner)
    if not created:
        raise TransitionError(_("You have already answered this form. Thank you!"))
    response = FeedbackResponse.objects.create(form=form)
    rows = []
    for item in form.items.all():
        value = answers.get(item.pk)
        if item.kind == FeedbackItem.Kind.RATING:
            rating = int(value) if value not in (None, "") else None
            if rating is not None and not 1 <= rating <= 5:
                raise TransitionError(_("A rating is from 1 to 5."))
            if rating is None and item.required:
                raise TransitionError(_("Answer every required question."))
            if rating is not None:
                rows.append(FeedbackAnswer(response=response, item=item, rating=rating))
        else:
            text = (value or "").strip()
            if not text and item.required:
                raise TransitionError(_("Answer every required question."))
            if text:
                rows.append(FeedbackAnswer(response=response, item=item, text=text))
    FeedbackAnswer.objects.bulk_create(rows)
    return response
