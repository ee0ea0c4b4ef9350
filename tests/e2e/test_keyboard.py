"""Keyboard only (issue 13): BM02 is sent and worked through the review queue with Tab, Enter,
Space, arrow keys and typing — no click, no fill(). Every stop of the focus is visibly marked,
the skip link leads to the content, and a failed submit puts the focus on the error summary."""

import re

import pytest

from accounts.models import AccountRequest, Status
from tests.e2e.test_accounts import hust_units  # noqa: F401  (autouse: the units and the registry)
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

FOCUS = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const label = el.labels && el.labels.length ? el.labels[0].innerText : "";
  const box = el.getBoundingClientRect();
  return {
    tag: el.tagName.toLowerCase(), id: el.id || "",
    name: (el.getAttribute("aria-label") || label || el.innerText || el.value || "").trim(),
    outline: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth) || 0,
    shown: box.width > 0 && box.height > 0,
    summary: el.hasAttribute("data-error-summary"), field: el.getAttribute("data-field") || "",
  };
}"""


def focused(page) -> dict:
    return page.evaluate(FOCUS)


def assert_visible_focus(info):
    assert info["shown"], f"focus on an element nobody sees: {info}"
    assert info["outline"] != "none" and info["outlineWidth"] >= 2, f"no visible focus: {info}"


def tab_to(page, *, id=None, name=None, limit=120):
    """Press Tab until the focus is on the element with that id, or whose name matches."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        info = focused(page)
        if info["tag"] == "body":
            continue
        assert_visible_focus(info)
        if (id and info["id"] == id) or (name and re.search(name, info["name"])):
            return info
    raise AssertionError(f"Tab never reached id={id} name={name}")


def type_into(page, field_id, text):
    tab_to(page, id=field_id)
    page.keyboard.type(text)


def choose(page, field_id, label):
    """A <select> by arrow keys, as a keyboard user picks an option."""
    tab_to(page, id=field_id)
    for _ in range(50):
        if (
            page.evaluate(
                "id => { const s = document.getElementById(id); "
                "return s.options[s.selectedIndex].text; }",
                field_id,
            )
            == label
        ):
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"no option {label} in {field_id}")


def submit(page):
    """Enter on the focused button or field, then wait for the page the form leads to."""
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_bm02_and_the_review_queue_by_keyboard_alone(
    page, browser, live_server, make_user, screenshot
):
    # The skip link is the first stop and takes the focus to the content.
    page.goto("/accounts/")
    page.keyboard.press("Tab")
    info = focused(page)
    assert_visible_focus(info)
    assert info["name"] == "Chuyển đến nội dung chính"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    tab_to(page, name=r"Cấp TKĐT mới \(BM02\)")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/accounts/apply/student/"))

    # Sent empty: the focus lands on the summary of errors, whose links lead to the fields.
    tab_to(page, name=r"^Gửi đăng ký$")
    submit(page)
    assert page.title().startswith("Lỗi:")
    info = focused(page)
    assert info["summary"], info
    screenshot(page, "error-summary")
    page.keyboard.press("Tab")
    link = focused(page)
    assert_visible_focus(link)
    assert link["field"], link
    page.keyboard.press("Enter")
    assert focused(page)["id"] == link["field"]

    page.keyboard.press("Shift+Tab")  # back above the first field, the Tab walk starts again
    type_into(page, "id_family_and_middle_names", "Nguyễn Thị Thanh")
    type_into(page, "id_given_name", "Hương")
    type_into(page, "id_date_of_birth", "15/03/2005")
    type_into(page, "id_person_id", "20231234")
    choose(page, "id_unit", "Trường Điện – Điện tử")
    type_into(page, "id_student_class", "ĐTVT-01")
    type_into(page, "id_cohort", "K68")
    type_into(page, "id_mobile_phone", "0912 345 678")
    type_into(page, "id_contact_email", "huong.nguyen@example.com")
    tab_to(page, id="id_privacy_consent")
    page.keyboard.press("Space")
    tab_to(page, name=r"^Gửi đăng ký$")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/accounts/track/"))
    reference = page.get_by_test_id("reference").inner_text()
    assert AccountRequest.objects.get(reference=reference).status == Status.SUBMITTED

    # The reviewer logs in, claims it from the queue, verifies it, hands it to the technician.
    office = make_user("mtt_office", full_name="Phạm Thu Hà")
    context = browser.new_context(
        base_url=live_server.url, locale="vi-VN", viewport={"width": 1280, "height": 860}
    )
    context.set_default_timeout(10_000)
    desk = context.new_page()
    desk.goto("/login/?next=/accounts/queue/")
    type_into(desk, "id_username", office.username)
    type_into(desk, "id_password", TEST_PASSWORD)
    submit(desk)
    assert desk.url.endswith("/accounts/queue/"), desk.url
    tab_to(desk, name=re.escape(reference))
    desk.keyboard.press("Enter")
    desk.wait_for_url(re.compile(r"/accounts/requests/\d+/"))
    tab_to(desk, name=r"^Nhận xử lý$")
    submit(desk)
    tab_to(desk, name=r"^Đúng: chuyển bộ phận kỹ thuật$")
    submit(desk)
    assert "Đã kiểm tra và chuyển bộ phận kỹ thuật" in desk.content()
    assert AccountRequest.objects.get(reference=reference).status == Status.VERIFIED
    context.close()
