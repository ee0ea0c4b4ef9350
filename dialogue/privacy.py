"""What the dialogue holds about a learner, for portal.privacy (Decree 13/2023/NĐ-CP).

A question's link to its learner (the log-in, the name, the class) is personal data; its text is
the public record of the dialogue and stays. Feedback answers carry no name: only the receipt
that a learner answered a form points at them. A question still being answered is left alone.
"""

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.privacy import PersonalData, register

from .models import FeedbackReceipt, Question

CLOSED = (Question.Status.PUBLISHED, Question.Status.MERGED)


def _users(term: str):
    term = term.strip()
    if not term:
        return get_user_model().objects.none()
    return get_user_model().objects.filter(Q(email__iexact=term) | Q(username=term))


def _questions(term):
    return Question.objects.filter(asked_by__in=_users(term))


def _anonymise(qs) -> int:
    done = 0
    for q in qs.select_related("topic", "unit"):
        q.asked_by = None
        q.asker_name = ""
        q.student_class = ""
        q.refresh_search_key()
        q.save(update_fields=["asked_by", "asker_name", "student_class", "search_key"])
        done += 1
    return done


def count(term: str) -> int:
    return _questions(term).count() + FeedbackReceipt.objects.filter(user__in=_users(term)).count()


def export(term: str) -> list[dict]:
    rows = [
        {
            "type": "question",
            "number": q.pk,
            "asked_at": q.created_at,
            "kind": q.kind,
            "topic": q.topic.name,
            "text": q.text,
            "unit": q.unit.name,
            "class": q.student_class,
            "anonymous": q.anonymous,
            "status": q.status,
            "answer": q.answer_text,
        }
        for q in _questions(term).select_related("topic", "unit").order_by("created_at")
    ]
    rows += [
        {"type": "feedback_answered", "form": r.form.title}
        for r in FeedbackReceipt.objects.filter(user__in=_users(term)).select_related("form")
    ]
    return rows


def anonymise(term: str) -> int:
    return _anonymise(_questions(term).filter(status__in=CLOSED))


def retain(before) -> int:
    return _anonymise(
        Question.objects.filter(status__in=CLOSED, created_at__lt=before).exclude(
            asked_by=None, asker_name="", student_class=""
        )
    )


def register_source():
    register(
        PersonalData(
            key="dialogue",
            label=_("Dialogue questions and feedback (plan 4402/KH-ĐHM)"),
            count=count,
            export=export,
            anonymise=anonymise,
            retain=retain,
        )
    )
