"""The public BM02 form as a test posts it: one student's answers, and the form's own token."""

import re

BM02_URL = "/accounts/apply/student/"


def submission_token(client, **get_extra) -> str:
    """The token the form hands out (each GET a fresh one), as a browser would read it."""
    page = client.get(BM02_URL, **get_extra).content.decode()
    return re.search(r'name="submission_token" value="([^"]+)"', page).group(1)


def bm02_data(token: str, **overrides) -> dict:
    """A valid BM02 for student 20231234 of hust-seee, privacy notice accepted."""
    return {
        "request_kind": "new_account",
        "family_and_middle_names": "Nguyễn Văn",
        "given_name": "An",
        "date_of_birth": "15/03/2005",
        "person_id": "20231234",
        "unit": "hust-seee",
        "student_class": "ĐTVT-01",
        "cohort": "K68",
        "mobile_phone": "0912 345 678",
        "contact_email": "an.nguyen@example.com",
        "submission_token": token,
        "privacy_consent": "on",
        **overrides,
    }
