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
    "bad",
    [
        "",
        "12345",
        "0241234567",
        "+1 650 555 0100",
        "09123456789",
        "abc",
        "024 3868 1234",  # a Hanoi landline: BM01/BM02 require a mobile
        "0912 345 678 ext. 5",
        "0112 345 678",  # no network has this prefix
    ],
)
def test_what_is_not_a_vietnamese_mobile_number_is_refused(bad):
    assert normalise_mobile(bad) is None


@pytest.mark.parametrize("prefix", ["032", "056", "070", "081", "086", "099"])
def test_every_mobile_network_since_the_2018_renumbering_is_accepted(prefix):
    assert normalise_mobile(f"{prefix}4 567 890") == f"+84{prefix[1:]}4567890"


def test_a_number_is_shown_as_people_write_it():
    assert display_mobile("+84912345678") == "0912 345 678"
    assert display_mobile("+84383456789") == "0383 456 789"
