import unicodedata

import pytest

from portal.text import fold, fold_words


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("thanh", "Lê Xuân Thành"),
        ("giao vu", "Giáo vụ"),
        ("Đảng uỷ", "Đảng ủy"),
        ("dang uy", "ĐẢNG UỶ"),
        ("truyen thong", "Truyền thông"),
        ("nguyet", "Nguyễn Thanh Nguyệt"),
    ],
)
def test_what_a_person_types_finds_the_accented_name(typed, stored):
    assert fold(typed) in fold(stored)


def test_decomposed_and_composed_input_fold_the_same():
    name = "Nguyễn Thị Thanh Nga"
    assert fold(unicodedata.normalize("NFD", name)) == fold(name) == "nguyen thi thanh nga"


def test_extra_spaces_are_collapsed():
    assert fold("  Trịnh   Thành\tTrung ") == "trinh thanh trung"


def test_fold_words_splits_on_punctuation():
    assert fold_words("Hành chính – Tổng hợp") == ["hanh", "chinh", "tong", "hop"]


def test_a_doubled_word_is_shown_once_and_names_are_left_alone():
    from portal.text import without_repeated_words

    assert (
        without_repeated_words("Phòng Công tác Công tác chính trị và sinh viên")
        == "Phòng Công tác chính trị và sinh viên"
    )
    for text in ("Khoa Công nghệ Thông tin", "Đảng ủy", "Ban Giám hiệu", ""):
        assert without_repeated_words(text) == text
