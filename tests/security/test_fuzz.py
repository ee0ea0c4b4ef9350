"""Property-based tests: every public form and every upload parser, fed generated input, never
answers 500 and never saves anything invalid (tests/security/fuzz_targets.py)."""

import os

import pytest
from django.core.cache import cache
from django.core.management import call_command
from hypothesis import given

from tests.security import fuzz_targets as fz

pytestmark = pytest.mark.django_db


@pytest.fixture
def units(db):
    from office.models import Unit

    cache.delete("accounts:unit-choices")
    hust = Unit.objects.create(code="hust", kind="university", name="Đại học Bách khoa Hà Nội")
    Unit.objects.create(code="hust-seee", kind="school", name="Trường Điện – Điện tử", parent=hust)
    Unit.objects.create(code="hust-sme", kind="school", name="Trường Cơ khí", parent=hust)
    yield
    cache.delete("accounts:unit-choices")


@pytest.fixture
def demo(db):
    call_command("loaddemo", force=True, stdout=open(os.devnull, "w"))  # noqa: SIM115


def test_bm01_and_bm02_never_fail_and_save_only_valid_requests(client, units, fuzz_settings):
    seen = set()

    @given(fz.request_forms)
    def run(data):
        seen.add(fz.probe_request_form(client, data))

    run()
    assert seen == {fz.ACCEPTED, fz.REJECTED}  # the generator reaches both sides


def test_the_learner_question_form_never_fails(client, make_user, demo, fuzz_settings):
    from dialogue.models import Topic
    from dialogue.scope import training_units

    client.force_login(make_user("learner"))
    topic_id, unit_id = Topic.objects.first().pk, training_units().first().pk
    seen = set()

    @given(fz.question_forms)
    def run(data):
        seen.add(fz.probe_question_form(client, data, topic_id=topic_id, unit_id=unit_id))

    run()
    assert seen == {fz.ACCEPTED, fz.REJECTED}


def test_the_feedback_form_never_fails(client, demo, fuzz_settings):
    from dialogue.models import FeedbackForm

    form = FeedbackForm.objects.filter(status=FeedbackForm.Status.OPEN).first()

    @given(fz.feedback_answers, fz.consent_values)
    def run(answers, consent):
        fz.probe_feedback_form(client, answers, consent, form=form)

    run()


@given(data=fz.login_forms)
def test_the_log_in_form_never_fails(client, fuzz_settings, data):
    assert fz.probe_login(client, data) == fz.REJECTED


@given(token=fz.tracking_tokens, lookup=fz.lookup_forms)
def test_a_made_up_tracking_link_opens_nothing_and_the_lookup_never_fails(
    client, fuzz_settings, token, lookup
):
    fz.probe_tracking(client, token, lookup)


@given(upload=fz.bulk_uploads)
def test_the_bulk_intake_parser_refuses_or_reads_but_never_fails(db, upload):
    fz.probe_bulk_intake(*upload)


@given(upload=fz.registry_uploads)
def test_the_registry_import_refuses_or_reads_but_never_fails(db, upload):
    fz.probe_registry_import(*upload)


@given(upload=fz.minutes_files, text=fz.junk)
def test_the_minutes_upload_takes_only_real_documents(upload, text):
    fz.probe_minutes_upload(*upload, text)


def test_a_nul_byte_in_the_link_lookup_gets_the_usual_answer_not_a_500(client, fuzz_settings):
    """Found by the fuzzing above: the raw e-mail went to PostgreSQL, which refuses NUL."""
    response = client.post("/accounts/track/", {"reference": "TK-1", "email": "a\x00@b.vn"})
    assert response.status_code == 200
    assert "đã được gửi tới địa chỉ đó" in response.content.decode()


def test_a_5000_character_user_name_is_refused_not_a_500(client, fuzz_settings):
    """Found by bench/fuzz.py: nothing bounded the name, and django-axes failed to store it."""
    response = client.post("/login/", {"username": "x" * 5000, "password": "a"})
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.content.decode()


def test_a_registry_row_with_a_too_long_id_is_refused_with_a_reason(db):
    """Found by bench/fuzz.py: a 30-character ID reached a 20-character column."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from accounts.models import RegistryRecord
    from accounts.registry import import_registry

    csv = "person_id,full_name\n" + "9" * 30 + ",Nguyễn Văn An\n20231234,Trần Thị Bình\n"
    summary = import_registry("student", SimpleUploadedFile("r.csv", csv.encode()))
    assert list(RegistryRecord.objects.values_list("person_id", flat=True)) == ["20231234"]
    assert "Quá dài" in str(summary.rejections)


def test_a_csv_with_a_line_break_in_an_unquoted_field_is_refused_not_a_500(db):
    """Found by bench/fuzz.py: the csv module's own error escaped the upload views."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from accounts.bulk import parse_upload
    from accounts.tabular import FileError

    with pytest.raises(FileError):
        parse_upload(SimpleUploadedFile("b.csv", b'person_id,given_name\n1,"a"b\rc\n'))
