import unicodedata

import pytest
from django.core.management import call_command

from accounts.naming import address_rule, local_part, split_full_name


def test_the_documents_example_gives_a_nguyenvan():
    assert address_rule("Nguyễn Văn", "A", "staff") == "a.nguyenvan@hust.edu.vn"
    assert address_rule("Nguyễn Văn", "A", "student") == "a.nguyenvan@sis.hust.edu.vn"


def test_d_with_stroke_becomes_d_in_both_cases():
    assert local_part("Đặng Đình", "Đạt") == "dat.dangdinh"
    assert local_part("đỗ", "đức") == "duc.do"


def test_nfc_and_nfd_input_give_the_same_address():
    nfc = unicodedata.normalize("NFC", "Nguyễn Thị Thanh")
    nfd = unicodedata.normalize("NFD", "Nguyễn Thị Thanh")
    assert nfc != nfd
    assert local_part(nfd, unicodedata.normalize("NFD", "Hương")) == local_part(nfc, "Hương")
    assert local_part(nfc, "Hương") == "huong.nguyenthithanh"


def test_extra_spaces_and_upper_case_do_not_change_the_address():
    assert local_part("  NGUYỄN   văn ", " AN ") == "an.nguyenvan"


def test_an_issued_address_is_never_suggested_twice():
    taken = {"an.nguyenvan@hust.edu.vn", "an.nguyenvan2@hust.edu.vn"}
    assert address_rule("Nguyễn Văn", "An", "staff", taken=taken) == "an.nguyenvan3@hust.edu.vn"


def test_a_reserved_name_is_skipped(settings):
    settings.ACCOUNTS_ADDRESS_PATTERN = "{given}"
    settings.ACCOUNTS_RESERVED_NAMES = ["admin"]
    assert address_rule("X", "Admin", "staff") == "admin2@hust.edu.vn"


def test_the_domains_come_from_settings(settings):
    settings.ACCOUNTS_STUDENT_DOMAIN = "student.example.edu.vn"
    assert address_rule("Lê", "Bình", "student") == "binh.le@student.example.edu.vn"


@pytest.mark.parametrize(
    ("full", "expected"),
    [
        ("Nguyễn Văn An", ("Nguyễn Văn", "An")),
        ("  Trần   Thị Thu   Hà ", ("Trần Thị Thu", "Hà")),
        ("Lý", ("", "Lý")),
    ],
)
def test_a_full_name_splits_into_family_and_middle_names_and_the_given_name(full, expected):
    assert split_full_name(full) == expected


def test_suggest_address_prints_the_rules_address_for_a_name_it_has_never_seen(db, capsys):
    call_command("suggest_address", "--kind", "student", "Phùng Thị Ngọc Ánh")
    assert capsys.readouterr().out.strip() == "anh.phungthingoc@sis.hust.edu.vn"


def test_suggest_address_skips_an_address_already_in_the_log(db, issued, manager, capsys):
    req = issued()  # Nguyễn Văn An, student
    assert req.issued_address == "an.nguyenvan@sis.hust.edu.vn"
    call_command("suggest_address", "--kind", "student", "Nguyễn Văn An")
    assert capsys.readouterr().out.strip() == "an.nguyenvan2@sis.hust.edu.vn"
