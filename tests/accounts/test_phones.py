import pytest

from accounts.phones import display_mobile, normalise_mobile


@pytest.mark.parametrize(
    "spelling",
    [
        "0912 345 678",
        "0912.345.678",
        "0912-345-678",
        "+84912345678",
        "+84 912 345 678",
        "84912345678",
        "0084912345678",
        "912345678",
        "(+84) 0912 345 678",
    ],
)
def test_every_spelling_of_a_mobile_number_is_the_same_number(spelling):
    assert normalise_mobile(spelling) == "+84912345678"


@pytest.mark.parametrize(
    "bad", ["", "12345", "0241234567", "+1 650 555 0100", "09123456789", "abc"]
)
def test_what_is_not_a_vietnamese_mobile_number_is_refused(bad):
    assert normalise_mobile(bad) is None


def test_a_number_is_shown_as_people_write_it():
    assert display_mobile("+84912345678") == "0912 345 678"
