"""One name rule wherever a person's name is typed (issue 12 §9)."""

import unicodedata

import pytest
from django.core.exceptions import ValidationError

from accounts.bulk import _check_row
from accounts.forms import StudentRequestForm
from dialogue.forms import MinutesQuestionForm
from office.forms import PersonForm
from portal.models import User
from portal.validators import clean_person_name

ACCEPTED = ["Nguyễn Văn A", "Lê-Anh Thư", "Đỗ Thị Hương Giang", "H'Hen Niê"]
REFUSED = ["🙂", "=1+2", "Nguyễn 2", "@admin", "Anh 🙂", "-Lan", ""]


@pytest.mark.parametrize("name", ACCEPTED)
def test_a_vietnamese_name_is_accepted_in_either_unicode_form(name):
    assert clean_person_name(unicodedata.normalize("NFD", name)) == name
    assert clean_person_name(f"  {name}  ") == name


@pytest.mark.parametrize("name", REFUSED)
def test_an_emoji_a_formula_or_a_digit_is_not_a_name(name):
    with pytest.raises(ValidationError):
        clean_person_name(name)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["🙂", "=1+2"])
def test_every_place_that_takes_a_name_refuses_the_same_names(name):
    form = StudentRequestForm({"family_and_middle_names": name, "given_name": name})
    assert "family_and_middle_names" in form.errors and "given_name" in form.errors

    _data, errors = _check_row(
        {"family_and_middle_names": name, "given_name": "An"}, "staff", "new_account", {}
    )
    assert "family_and_middle_names" in {column for column, _m in errors}

    person = PersonForm({"full_name": name})
    assert "full_name" in person.errors

    user = User(username="someone", full_name=name)
    with pytest.raises(ValidationError) as caught:
        user.full_clean()
    assert "full_name" in caught.value.message_dict

    question = MinutesQuestionForm({"asker_name": name})
    assert "asker_name" in question.errors


@pytest.mark.django_db
def test_the_directory_admin_sees_the_error_next_to_the_name_and_keeps_the_rest(client_for):
    client = client_for("directory_admin")
    response = client.post(
        "/directory/manage/people/new/",
        {"title": "TS.", "full_name": "=1+2", "email": "x@example.com", "phone": "", "note": ""},
    )
    assert response.status_code == 200
    assert "full_name" in response.context["form"].errors
    assert 'value="x@example.com"' in response.content.decode()
