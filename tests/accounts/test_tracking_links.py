"""Finding 7: tracking links expire after the request closed; a correction cannot move the
applicant's mail to another address without a confirmation from the old one or the office."""

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.utils import timezone

from accounts import services
from accounts.models import AccountRequest, RequestEvent, Status
from office.models import Unit
from portal.models import Notification
from portal.notifications import build_email

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def units(db):
    hust = Unit.objects.create(code="hust", kind="university", name="Đại học Bách khoa Hà Nội")
    Unit.objects.create(code="hust-seee", kind="school", name="Trường Điện – Điện tử", parent=hust)
    cache.delete("accounts:unit-choices")
    yield
    cache.delete("accounts:unit-choices")


def correction(**overrides):
    data = {
        "request_kind": "new_account",
        "family_and_middle_names": "Nguyễn Văn",
        "given_name": "An",
        "date_of_birth": "16/03/2005",
        "person_id": "20231234",
        "unit": "hust-seee",
        "student_class": "ĐTVT-01",
        "cohort": "K68",
        "mobile_phone": "0912345678",
        "contact_email": "an.nguyen@example.com",
    }
    data.update(overrides)
    return data


@pytest.fixture
def returned(submit, office, now):
    req = submit()
    services.reject_request(req.pk, office, "Sai ngày sinh", now=now)
    return req


def test_a_tracking_link_works_until_the_configured_days_after_the_result(
    client, issued, manager, office, settings
):
    settings.ACCOUNTS_TRACKING_LINK_DAYS = 30
    req = issued()
    services.record_issuance(req.pk, manager)
    services.notify_result(req.pk, office)
    path = f"/accounts/track/{req.tracking_token}/"
    assert client.get(path).status_code == 200
    AccountRequest.objects.filter(pk=req.pk).update(
        notified_at=timezone.now() - dt.timedelta(days=31)
    )
    gone = client.get(path)
    assert gone.status_code == 410
    assert "đã hết hạn" in gone.content.decode()
    assert req.full_name not in gone.content.decode()
    assert client.get(f"{path}print/").status_code == 410


def test_an_open_request_keeps_its_link_however_old(client, submit):
    req = submit(at=timezone.now() - dt.timedelta(days=400))
    assert client.get(f"/accounts/track/{req.tracking_token}/").status_code == 200


def test_a_correction_does_not_move_the_mail_to_a_new_address_by_itself(client, returned):
    response = client.post(
        f"/accounts/track/{returned.tracking_token}/correct/",
        correction(contact_email="attacker@evil.example"),
        follow=True,
    )
    returned.refresh_from_db()
    assert returned.status == Status.SUBMITTED  # the rest of the correction is taken
    assert returned.contact_email == "an.nguyen@example.com"
    assert returned.pending_contact_email == "attacker@evil.example"
    assert "attacker@evil.example" in response.content.decode()  # the person is told
    # The old address is asked, and the request's next mail still goes there.
    ask = Notification.objects.get(template="accounts/contact_change")
    assert ask.email == "an.nguyen@example.com"
    assert not Notification.objects.filter(email="attacker@evil.example").exists()
    assert RequestEvent.objects.filter(request=returned, action="contact_change_requested").exists()


def test_the_old_address_confirms_the_new_one_and_it_is_logged(client, returned):
    client.post(
        f"/accounts/track/{returned.tracking_token}/correct/",
        correction(contact_email="an.moi@example.com"),
    )
    mail = build_email(Notification.objects.get(template="accounts/contact_change"))
    path = re.search(r"https?://[^/]+(/accounts/contact/[^/\s]+/)", mail.body).group(1)
    assert path not in Notification.objects.get(template="accounts/contact_change").body
    assert "an.moi@example.com" in client.get(path).content.decode()
    returned.refresh_from_db()
    assert returned.contact_email == "an.nguyen@example.com"  # a GET changes nothing
    assert 'data-testid="contact-changed"' in client.post(path).content.decode()
    returned.refresh_from_db()
    assert returned.contact_email == "an.moi@example.com" and not returned.pending_contact_email
    event = RequestEvent.objects.get(request=returned, action="contact_changed")
    assert "an.nguyen@example.com → an.moi@example.com" in event.note
    assert client.post(path).status_code == 410  # used once


def test_the_office_can_confirm_the_new_address(client_for, returned):
    services.resubmit_request(
        returned.tracking_token,
        {"contact_email": "an.moi@example.com", "date_of_birth": returned.date_of_birth},
    )
    client = client_for("mtt_office")
    page = client.get(f"/accounts/requests/{returned.pk}/").content.decode()
    assert 'data-testid="contact-pending"' in page
    client.post(f"/accounts/requests/{returned.pk}/contact/")
    returned.refresh_from_db()
    assert returned.contact_email == "an.moi@example.com"
    event = RequestEvent.objects.get(request=returned, action="contact_changed")
    assert event.actor == client.user


def test_other_roles_cannot_confirm_it(client_for, returned):
    services.resubmit_request(
        returned.tracking_token,
        {"contact_email": "an.moi@example.com", "date_of_birth": returned.date_of_birth},
    )
    for role in ("applicant", "mtt_technician", "dialogue_committee"):
        response = client_for(role).post(f"/accounts/requests/{returned.pk}/contact/")
        assert response.status_code == 403
    returned.refresh_from_db()
    assert returned.contact_email == "an.nguyen@example.com"
