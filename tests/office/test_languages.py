"""The directory in the reader's language (issue 13): names fall back to Vietnamese, never to
an empty string, and the change log names what changed in the reader's language."""

import pytest
from django.utils import translation

from office import services
from office.models import AuditEvent, UnitKind, unit_name_in_language

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _back_to_vietnamese():
    """A page read in English leaves the test thread in English: the next test starts in the
    portal's default language again."""
    yield
    translation.deactivate()


def _unit(**kwargs):
    defaults = {"kind": UnitKind.FACULTY, "code": "fit", "name": "Khoa Công nghệ Thông tin"}
    return services.create_unit(actor=None, parent=None, **{**defaults, **kwargs})


def test_a_unit_is_named_in_the_readers_language_and_in_vietnamese_without_english():
    named = _unit(name_en="Faculty of Information Technology")
    unnamed = _unit(code="lib", name="Thư viện")
    with translation.override("en"):
        assert named.display_name == "Faculty of Information Technology"
        assert unnamed.display_name == "Thư viện"
        assert unit_name_in_language("Khoa Công nghệ Thông tin") == named.name_en
        assert unit_name_in_language("Thư viện", unnamed.pk) == "Thư viện"
        assert unit_name_in_language("Đơn vị đã giải thể") == "Đơn vị đã giải thể"
    with translation.override("vi"):
        assert named.display_name == "Khoa Công nghệ Thông tin"
        assert unit_name_in_language("Khoa Công nghệ Thông tin", named.pk) == named.name


def test_a_renamed_unit_is_named_by_its_id(client):
    unit = _unit(name_en="Faculty of IT")
    services.update_unit(actor=None, unit=unit, name="Khoa Công nghệ Thông tin và Truyền thông")
    with translation.override("en"):
        # The request kept the old name; the directory knows the unit by its id.
        assert unit_name_in_language("Khoa Công nghệ Thông tin", unit.pk) == "Faculty of IT"


def test_the_change_log_names_the_unit_in_the_readers_language(client_for):
    _unit(name_en="Faculty of Information Technology")
    event = AuditEvent.objects.get(action="unit.create")
    with translation.override("en"):
        assert event.shown_label == "Faculty of Information Technology"
    with translation.override("vi"):
        assert event.shown_label == "Khoa Công nghệ Thông tin"
    client = client_for("directory_admin")
    client.cookies["django_language"] = "en"
    page = client.get("/directory/manage/changes/").content.decode()
    assert "Faculty of Information Technology" in page


def test_the_soict_office_is_described_in_english(client, seeded):
    client.cookies["django_language"] = "en"
    page = client.get("/directory/units/soict-office/").content.decode()
    assert "The School Office is tasked with advising and assisting the Leadership Board" in page
    assert "Văn phòng Trường có nhiệm vụ tham mưu" not in page
