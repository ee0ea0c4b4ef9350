"""Question rows and answer cards as plain strings, built in Python (issue 15).

The responders' queue prints 75 questions on every load, the public answers page 20 answers:
a template loop with an include, a `{% url %}`, translated labels and related-object lookups
per row cost several times the query that fetches them. Here each row is one `values()` dict
(no model instances), every label is translated once per language, every link is built from one
`reverse()`, and each value is escaped once — the same markup the templates' loops wrote.
"""

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.bilingual import in_language, reading_english
from portal.markup import esc

from .models import Question, answerer_label_of, public_asker_of, unit_label_of

# What a question row shows (the shared table of dialogue/_question_table.html).
ROW_FIELDS = (
    "id",
    "text",
    "source_count",
    "status",
    "due_at",
    "anonymous",
    "unit_id",
    "unit__name",
    "unit__name_en",
    "topic__name",
    "topic__name_en",
    "department_id",
    "department__name",
    "department__name_en",
)

# What a published answer's card shows (dialogue/answers.html).
ANSWER_FIELDS = (
    "id",
    "text",
    "answer_text",
    "kind",
    "source_count",
    "published_at",
    "anonymous",
    "student_class",
    "unit_id",
    "unit__name",
    "unit__name_en",
    "topic__name",
    "topic__name_en",
    "answered_by_unit_id",
    "answered_by_unit__name",
    "answered_by_unit__name_en",
)

_STATUS_BADGE = {
    Question.Status.PUBLISHED: "text-bg-success",
    Question.Status.ANSWERED: "text-bg-info",
    Question.Status.ROUTED: "text-bg-primary",
    Question.Status.ESCALATED: "text-bg-warning",
    Question.Status.MERGED: "text-bg-light border",
}


@lru_cache(maxsize=16)
def _labels(language: str) -> dict:
    with translation.override(language):
        status = {s.value: esc(str(s.label)) for s in Question.Status}
        return {
            "status": status,
            "badge": {
                value: (
                    f'<span class="badge {_STATUS_BADGE.get(value, "text-bg-secondary")} '
                    f'badge-status">{label}</span>'
                )
                for value, label in status.items()
            },
            "overdue": (
                '<span class="badge text-bg-danger badge-status"><i class="bi bi-alarm" '
                f'aria-hidden="true"></i> {esc(_("Overdue"))}</span>'
            ),
            "times_raised": esc(_("Times raised")),
            "kind": {k.value: esc(str(k.label)) for k in Question.Kind},
            "published": esc(_("Published")),
            "answer_of": _("Answer of %(unit)s"),
        }


def labels() -> dict:
    return _labels(translation.get_language() or "vi")


def _truncated(text: str, length: int = 90) -> str:
    """The template's `|truncatechars:90`; most questions are shorter and skip the scan."""
    text = unicodedata.normalize("NFC", text)
    return text if len(text) <= length else Truncator(text).chars(length)


def _date(value) -> str:
    """The template's `|date:"d/m/Y"`: the day in the current time zone."""
    return timezone.localtime(value).strftime("%d/%m/%Y")


@dataclass
class Option:
    """One <option> of a filter: its value and its label in the reader's language."""

    pk: int
    display_name: str


def options(rows) -> list[Option]:
    """A filter's options from (pk, name, name_en) rows (topics, units; no model instance per
    option), named in the reader's language."""
    en = reading_english()
    return [Option(pk, in_language(name, name_en, en)) for pk, name, name_en in rows]


@dataclass
class QuestionRow:
    pk: int
    status: str
    html: str


def question_rows(rows, compact: bool = False) -> list[QuestionRow]:
    """The table's rows from `values(*ROW_FIELDS)` dicts, each <tr> written once here."""
    names = labels()
    base = reverse("dialogue:question", args=[0])[:-2]  # "/dialogue/questions/"
    now = timezone.now()
    routed = Question.Status.ROUTED
    en = reading_english()
    out = []
    for q in rows:
        pk = q["id"]
        status = q["status"]
        overdue = status == routed and q["due_at"] is not None and q["due_at"] < now
        raised = (
            f' <span class="badge text-bg-warning" title="{names["times_raised"]}">'
            f"×{q['source_count']}</span>"
            if q["source_count"] > 1
            else ""
        )
        # portal.bilingual's rule: the English when reading English and it is filled in.
        topic = esc(in_language(q["topic__name"], q["topic__name_en"], en))
        unit = esc(
            unit_label_of(
                q["anonymous"],
                in_language(q["unit__name"], q["unit__name_en"], en) if q["unit_id"] else "",
            )
        )
        department = (
            esc(in_language(q["department__name"], q["department__name_en"], en))
            if q["department_id"]
            else ""
        )
        badge = names["overdue"] if overdue else names["badge"].get(status, "")
        cells = [
            f'<tr data-testid="question-row">\n      <td>{pk}</td>\n'
            f'      <td><a href="{base}{pk}/" translate="no">'
            f"{esc(_truncated(q['text']))}</a>{raised}</td>\n      "
        ]
        if compact:
            arrow = f" → {department}" if department else ""
            cells.append(
                f'<td class="small">{unit}<div class="text-muted">{topic}{arrow}</div></td>\n      '
            )
        else:
            due = _date(q["due_at"]) if q["due_at"] else "—"
            cells.append(
                f'<td class="small">{topic}</td>\n      <td class="small">{unit}</td>\n      '
                f'<td class="small">{department or "—"}</td>\n      '
                f'<td class="small text-nowrap {"deadline-overdue" if overdue else ""}">'
                f"{due}</td>\n      "
            )
        cells.append(f"<td>{badge}</td>\n    </tr>")
        out.append(QuestionRow(pk, status, mark_safe("".join(cells))))  # noqa: S308 — escaped
    return out


@dataclass
class AnswerCard:
    pk: int
    html: str


def answer_cards(rows) -> list[AnswerCard]:
    """The public answers' cards from `values(*ANSWER_FIELDS)` dicts: no learner's name, and
    for an anonymous question neither its class nor its unit (the rules of dialogue.models:
    public_asker_of, answerer_label_of)."""
    names = labels()
    en = reading_english()
    out = []
    for q in rows:
        pk = q["id"]
        n = q["source_count"]
        raised = (
            '<span class="badge text-bg-warning">'
            + ngettext("raised %(n)s time", "raised %(n)s times", n) % {"n": n}
            + "</span>"
            if n > 1
            else ""
        )
        unit_name = in_language(q["unit__name"], q["unit__name_en"], en)
        asker = esc(public_asker_of(q["anonymous"], q["student_class"], unit_name))
        answerer = answerer_label_of(
            q["anonymous"],
            q["unit_id"],
            q["answered_by_unit_id"],
            in_language(q["answered_by_unit__name"], q["answered_by_unit__name_en"], en),
        )
        published = _date(q["published_at"]) if q["published_at"] else ""
        card = (
            f'<article class="card mb-3" id="q{pk}" data-testid="answer">\n'
            '  <div class="card-body">\n'
            '    <div class="d-flex flex-wrap gap-2 small mb-2">\n'
            '      <span class="badge text-bg-light border">'
            f"{esc(in_language(q['topic__name'], q['topic__name_en'], en))}</span>\n"
            '      <span class="badge text-bg-light border">'
            f"{names['kind'].get(q['kind'], esc(q['kind']))}</span>\n"
            f"      {raised}\n"
            f'      <span class="text-muted ms-auto">{names["published"]} {published}</span>\n'
            "    </div>\n"
            f'    <h2 class="h6 mb-1 dlg-question-text" translate="no">{esc(q["text"])}</h2>\n'
            f'    <p class="small text-muted mb-2">{asker}</p>\n'
            '    <div class="border-start border-3 border-success ps-3">\n'
            '      <div class="small fw-semibold text-success mb-1">'
            f"{names['answer_of'] % {'unit': esc(answerer)}}</div>\n"
            '      <div class="dlg-question-text" translate="no">'
            f"{esc(q['answer_text'])}</div>\n"
            "    </div>\n"
            "  </div>\n"
            "</article>"
        )
        out.append(AnswerCard(pk, mark_safe(card)))  # noqa: S308 — every value escaped above
    return out
