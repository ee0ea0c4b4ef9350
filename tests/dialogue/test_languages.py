"""Plan 4402/KH-ĐHM in the reader's language (issue 13): the plan's text, its milestones and
the duties of its units from the seed's English rendering; topics, departments and the notes
the portal writes into the history translated when read; the responder's notification in their
language. Vietnamese when no English is kept, never an empty string."""

from html import unescape

import pytest
from django.utils import translation

from dialogue import services
from dialogue.models import DutyItem, Event
from office.models import Unit
from portal.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _back_to_vietnamese():
    """A page read in English leaves the test thread in English: the next test starts in the
    portal's default language again."""
    yield
    translation.deactivate()


KHTC_EN = "Department of Planning and Finance"


@pytest.fixture
def english_units(units):
    Unit.objects.filter(code="hou-khtc").update(name_en=KHTC_EN)
    Unit.objects.filter(code="hou-qtcsvc").update(name_en="Department of Facilities Management")
    return units


def test_the_plan_reads_in_english_from_the_seeds_english_rendering(client, plan):
    client.cookies["django_language"] = "en"
    page = unescape(client.get(f"/dialogue/plans/{plan.pk}/").content.decode())
    assert "To show the deep care of the university's leadership for learners." in page
    assert "Supervises the implementation of rules and regulations within the University;" in page
    assert "Hanoi Open University" in page and "KẾ HOẠCH" not in page
    assert "Giám sát việc thực hiện các quy chế" not in page
    client.cookies["django_language"] = "vi"
    page = unescape(client.get(f"/dialogue/plans/{plan.pk}/").content.decode())
    assert "Giám sát việc thực hiện các quy chế, quy định trong nhà trường;" in page
    assert "KẾ HOẠCH" in page and "ngày 04 tháng 12 năm 2023" in page


def test_every_duty_of_section_iv_has_its_english(plan):
    assert not DutyItem.objects.filter(duty__plan=plan, text_en="").exists()


def test_a_duty_without_english_is_shown_in_vietnamese(plan):
    item = DutyItem.objects.filter(duty__plan=plan).first()
    DutyItem.objects.filter(pk=item.pk).update(text_en="")
    item.refresh_from_db()
    with translation.override("en"):
        assert item.display_text == item.text != ""


def test_routing_is_written_once_and_read_in_each_language(
    routed, english_units, khtc_responder, client_for
):
    khtc_responder.language = "en"
    khtc_responder.save(update_fields=["language"])
    with translation.override("vi"):  # the committee works in Vietnamese
        q = routed("hoc-phi")
    event = Event.objects.get(question=q, action="question_routed")
    with translation.override("en"):
        assert event.shown_note.startswith(f"{KHTC_EN} · ")
    with translation.override("vi"):
        assert event.shown_note.startswith("Phòng Kế hoạch - Tài chính · ")
    mail = Notification.objects.get(user=khtc_responder)
    assert mail.language == "en"
    assert f"to {KHTC_EN} for a written answer" in mail.body
    assert "(Tuition and fees)" in mail.body
    with translation.override("vi"):
        assert "Phòng Kế hoạch - Tài chính" in mail.shown_body


def test_a_new_topic_is_noted_in_the_readers_language(ask, committee, topic):
    q = ask("hoc-phi")
    services.change_topic(q, actor=committee, topic=topic("co-so-vat-chat"))
    event = Event.objects.get(question=q, action="question_topic")
    with translation.override("en"):
        english = event.shown_note
    with translation.override("vi"):
        vietnamese = event.shown_note
    assert english.startswith("Tuition and fees → ")
    assert vietnamese.startswith("Học phí, lệ phí → ")
