"""`loaddemo` for the dialogue: plan 4402/KH-ĐHM verbatim (milestones, section IV duties),
then demo sessions, questions in every state and answers. Running it twice changes nothing."""

from . import plan4402 as doc
from .models import DutyItem, Milestone, Plan, Topic, UnitDuty


def load_plan() -> tuple[Plan, bool]:
    plan, created = Plan.objects.get_or_create(
        number=doc.NUMBER,
        defaults={
            "issued_on": doc.ISSUED_ON,
            "academic_year": doc.ACADEMIC_YEAR,
            "title": doc.TITLE,
            "title_en": doc.TITLE_EN,
            "preamble": doc.PREAMBLE,
            "purposes": "\n".join(doc.PURPOSES),
            "organisation": doc.ORGANISATION,
            "requirements": doc.REQUIREMENTS,
            **doc.plan_english(),
            "grassroots_starts_on": doc.GRASSROOTS[0],
            "grassroots_ends_on": doc.GRASSROOTS[1],
            "recipients": "\n".join(doc.RECIPIENTS),
            "signer_title": doc.SIGNER_TITLE,
            "signer_name": doc.SIGNER_NAME,
            "status": Plan.Status.PUBLISHED,
        },
    )
    for position, content, content_en, time_text, start, end, body, body_en in doc.MILESTONES:
        Milestone.objects.get_or_create(
            plan=plan,
            position=position,
            defaults={
                "content": content,
                "content_en": content_en,
                "time_text": time_text,
                "starts_on": start,
                "ends_on": end,
                "responsible_body": body,
                "responsible_body_en": body_en,
            },
        )
    for position, name, name_en, note, unit_codes, duties in doc.UNIT_DUTIES:
        duty, _ = UnitDuty.objects.get_or_create(
            plan=plan,
            position=position,
            defaults={
                "unit_name": name,
                "unit_name_en": name_en,
                "unit_note": note,
                "unit_note_en": doc.TRAINING_UNITS_NOTE_EN if note else "",
            },
        )
        link_duty_units(duty, unit_codes)
        english = doc.DUTIES_EN.get(position, [])
        for i, text in enumerate(duties, start=1):
            text_en = english[i - 1] if i <= len(english) else ""
            item, _ = DutyItem.objects.get_or_create(
                duty=duty, position=i, defaults={"text": text, "text_en": text_en}
            )
            if not item.text_en and item.text == text and text_en:
                # Loaded before the English existed: filled, never over an edit.
                DutyItem.objects.filter(pk=item.pk).update(text_en=text_en)
    return plan, created


def link_duty_units(duty, unit_codes):
    """Link a section IV entry to the office units it names (once office has them)."""
    if not hasattr(duty, "units") or not unit_codes:
        return
    from office.models import Unit

    duty.units.add(*Unit.objects.filter(code__in=unit_codes))


def load_topics():
    """The routing table, pre-filled from section IV (the committee edits it later)."""
    from office.models import Unit

    units = {u.code: u for u in Unit.objects.filter(code__in=[t[3] for t in doc.TOPICS if t[3]])}
    for position, (code, name, name_en, unit_code, duty_no) in enumerate(doc.TOPICS, start=1):
        Topic.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "department": units.get(unit_code),
                "duty_position": duty_no or None,
                "position": position,
            },
        )


def load(stdout=None):
    from .demo_activity import load_activity

    plan, _created = load_plan()
    load_topics()
    if stdout:
        stdout.write(f"  plan {plan.number}: {plan.milestones.count()} milestones")
    load_activity(plan, stdout=stdout)
