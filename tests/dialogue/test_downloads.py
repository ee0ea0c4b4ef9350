"""Finding 2: uploaded files are read only through the protected download view, behind the
rule of the page that owns them; they are checked by content and stored under random names."""

import io
import re
import zipfile

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal.downloads import download_url
from portal.uploads import validate_document

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n% the official letter\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PROTECTED_MEDIA_ACCEL_PREFIX = ""


@pytest.fixture
def letter(routed, khtc_responder):
    from dialogue import services

    q = routed("hoc-phi", "Học phí học kỳ 2 có tăng không?")
    return services.answer_question(
        q,
        actor=khtc_responder,
        text="Học phí giữ nguyên.",
        letter_number="215/ĐHM-KHTC",
        letter_file=SimpleUploadedFile("cong-van-215.pdf", PDF, "application/pdf"),
    )


def test_the_file_is_stored_under_a_random_name(letter):
    assert re.fullmatch(r"dialogue/letters/\d{4}/[0-9a-f]{32}\.pdf", letter.letter_file.name)


def test_the_owner_page_links_to_the_protected_view_not_to_media(client, committee, letter):
    client.force_login(committee)
    page = client.get(reverse("dialogue:question", args=[letter.pk])).content.decode()
    assert download_url(letter, "letter_file") in page
    assert "/media/" not in page


def test_who_may_open_the_question_downloads_the_letter_as_an_attachment(
    client, khtc_responder, letter
):
    client.force_login(khtc_responder)
    response = client.get(download_url(letter, "letter_file"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF


def test_another_department_and_visitors_get_a_404(client, csvc_responder, letter):
    url = download_url(letter, "letter_file")
    assert client.get(url).status_code == 404
    client.force_login(csvc_responder)
    assert client.get(url).status_code == 404


def test_a_forged_or_altered_link_is_a_404(client, committee, letter):
    client.force_login(committee)
    url = download_url(letter, "letter_file")
    token = url.rstrip("/").rsplit("/", 1)[1]
    assert client.get(reverse("portal:download", args=[token[:-2] + "xy"])).status_code == 404
    assert client.get(reverse("portal:download", args=["not-a-token"])).status_code == 404


def test_behind_nginx_the_view_hands_the_file_over_with_x_accel_redirect(
    client, committee, letter, settings
):
    settings.PROTECTED_MEDIA_ACCEL_PREFIX = "/protected-media"
    client.force_login(committee)
    response = client.get(download_url(letter, "letter_file"))
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected-media/{letter.letter_file.name}"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content == b""


def test_media_is_not_served_directly(client, committee, letter):
    client.force_login(committee)
    assert client.get(f"/media/{letter.letter_file.name}").status_code == 404


def _zip(**members) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, body in members.items():
            z.writestr(name.replace("__", "/"), body)
    return out.getvalue()


def test_a_zip_renamed_to_docx_is_refused_and_a_real_docx_accepted():
    fake = SimpleUploadedFile("bien-ban.docx", _zip(payload__evil_js="alert(1)"))
    with pytest.raises(forms.ValidationError):
        validate_document(fake)
    real = SimpleUploadedFile("bien-ban.docx", _zip(**{"word/document.xml": "<w:document/>"}))
    assert validate_document(real) is real


def test_an_html_file_named_pdf_is_refused():
    with pytest.raises(forms.ValidationError):
        validate_document(SimpleUploadedFile("cv.pdf", b"<html><script>alert(1)</script>"))
