"""Dialogue user stories in Chromium, on the demo data of plan 4402/KH-ĐHM (loaddemo), as the
demo people would do them: typing, choosing, clicking and reading the Vietnamese pages."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from dialogue.models import Milestone
from portal.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

QUESTION = "Học phí học kỳ 2 năm nay có được đóng thành hai đợt không ạ?"
ANSWER = "Từ học kỳ 2, người học được đóng học phí thành hai đợt; đợt 2 trước kỳ thi."
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def demo(db):
    call_command("loaddemo", force=True, stdout=open("/dev/null", "w"))  # noqa: SIM115


def log_in(page, username):
    page.context.clear_cookies()
    page.goto("/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Xin chào")


def test_the_committee_marks_a_milestone_done_and_the_timeline_shows_it(page, demo, screenshot):
    page.goto("/dialogue/")
    expect(page.get_by_test_id("plan-number")).to_have_text("4402/KH-ĐHM")
    expect(page.get_by_test_id("timeline-row-12")).to_have_attribute("data-state", "late")
    screenshot(page, "dialogue-plan")

    log_in(page, "committee")
    page.get_by_test_id("nav-public").get_by_role("link", name="Đối thoại với người học").click()
    page.get_by_test_id("milestones").get_by_role(
        "link", name=re.compile("Rà soát, hoàn thiện")
    ).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Mốc 12")
    page.get_by_role("link", name="Đánh dấu hoàn thành").click()
    page.get_by_label("Hoàn thành ngày").fill("17/04/2024")
    page.get_by_label("Minh chứng (ghi chú)").fill(
        "Đã kiểm tra hội trường, âm thanh, máy chiếu và kịch bản."
    )
    page.get_by_role("button", name="Đánh dấu hoàn thành").click()

    expect(page.get_by_text("Mốc 12 đã hoàn thành.")).to_be_visible()
    expect(page.get_by_test_id("timeline-row-12")).to_have_attribute("data-state", "done")
    expect(page.get_by_test_id("milestone-12")).to_contain_text("Hoàn thành ngày 17/04/2024")
    screenshot(page, "dialogue-timeline-done")
    page.get_by_role("link", name="Bảng điều hành Ban tổ chức").first.click()
    expect(page.get_by_test_id("late-count")).to_have_text("2")
    screenshot(page, "dialogue-dashboard")


def test_a_tuition_question_goes_from_a_learner_to_the_finance_department_and_to_the_public(
    page, demo, screenshot
):
    # A learner asks about tuition.
    log_in(page, "learner")
    page.get_by_test_id("nav-work").get_by_role("link", name="Gửi câu hỏi").click()
    page.get_by_label("Chủ đề").select_option(label="Học phí, lệ phí")
    page.get_by_label("Câu hỏi hoặc ý kiến của bạn").fill(QUESTION)
    expect(page.get_by_label("Khoa, viện hoặc trung tâm của bạn")).to_have_value(re.compile(r"\d+"))
    page.get_by_label("Lớp của bạn").fill("K28-CNTT1")
    page.get_by_label("Tôi đã đọc thông báo về dữ liệu cá nhân ở trên và đồng ý.").check()
    page.get_by_role("button", name="Gửi câu hỏi").click()
    expect(page.get_by_text("đã được gửi tới Khoa Công nghệ Thông tin")).to_be_visible()
    expect(page.get_by_test_id("my-questions")).to_contain_text(QUESTION[:40])
    screenshot(page, "dialogue-ask")

    # The faculty finds it outside its authority and sends it to the standing office.
    log_in(page, "unit_leader")
    page.get_by_test_id("nav-work").get_by_role("link", name="Đối thoại của đơn vị").click()
    screenshot(page, "dialogue-unit")
    page.get_by_test_id("unit-questions").get_by_role(
        "link", name=re.compile("Học phí học kỳ 2")
    ).click()
    page.get_by_role("button", name="Chuyển Thường trực BTC").click()
    expect(page.get_by_test_id("question-status")).to_have_text("Đã chuyển Thường trực BTC")

    # The committee routes it to Phòng Kế hoạch - Tài chính with a due date.
    log_in(page, "committee")
    page.get_by_test_id("nav-work").get_by_role("link", name="Bảng điều hành Ban tổ chức").click()
    page.get_by_test_id("to-route").get_by_role("link", name=re.compile("Học phí học kỳ 2")).click()
    department = page.get_by_test_id("route-form").locator("select[name=department]")
    expect(department.locator("option:checked")).to_have_text("Phòng Kế hoạch - Tài chính")
    page.get_by_role("button", name="Chuyển để trả lời bằng văn bản").click()
    expect(page.get_by_text("Đã chuyển Phòng Kế hoạch - Tài chính.")).to_be_visible()
    expect(page.get_by_test_id("question-status")).to_have_text("Đang chờ đơn vị trả lời")
    screenshot(page, "dialogue-question")

    # A responder of that department answers, with the official letter.
    log_in(page, "responder")
    page.get_by_test_id("nav-work").get_by_role("link", name="Câu hỏi cần trả lời").click()
    screenshot(page, "dialogue-responder")
    page.get_by_test_id("to-answer").get_by_role(
        "link", name=re.compile("Học phí học kỳ 2")
    ).click()
    page.get_by_label("Trả lời bằng văn bản").fill(ANSWER)
    page.get_by_label("Số công văn").fill("301/ĐHM-KHTC")
    page.get_by_label("Công văn", exact=True).set_input_files(
        {"name": "cong-van-301.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="Gửi câu trả lời").click()
    expect(page.get_by_test_id("question-status")).to_have_text("Đã trả lời")
    expect(page.get_by_test_id("answer-text")).to_have_text(ANSWER)

    # The committee publishes it.
    log_in(page, "committee")
    page.get_by_test_id("nav-work").get_by_role("link", name="Bảng điều hành Ban tổ chức").click()
    page.get_by_test_id("to-publish").get_by_role(
        "link", name=re.compile("Học phí học kỳ 2")
    ).click()
    page.get_by_role("button", name="Công khai câu trả lời").click()
    expect(page.get_by_test_id("question-status")).to_have_text("Đã công khai")

    # A visitor finds it by typing without accents — and sees no learner's name.
    page.context.clear_cookies()
    page.goto("/dialogue/")
    page.get_by_role("link", name="Câu trả lời đã công khai").click()
    page.get_by_label("Tìm kiếm").fill("hoc phi")
    page.get_by_role("button", name="Tìm kiếm").click()
    found = page.get_by_test_id("answer").filter(has_text=QUESTION)
    expect(found).to_contain_text(ANSWER)
    expect(found).to_contain_text("Phòng Kế hoạch - Tài chính")
    expect(page.locator("main")).not_to_contain_text("Đặng Thị Mai")
    screenshot(page, "dialogue-answers")


def test_the_main_dialogue_pages_read_well(page, demo, screenshot):
    page.goto("/dialogue/university/")
    expect(page.get_by_test_id("uni-venue")).to_contain_text(
        "Trung tâm Thể thao – Văn hoá Quận Hai Bà Trưng"
    )
    expect(page.get_by_test_id("uni-time")).to_contain_text("08:00 – 11:30, 24/04/2024")
    screenshot(page, "dialogue-university")

    log_in(page, "unit_leader")
    page.goto("/dialogue/unit/")
    page.get_by_test_id("sessions").get_by_role("link", name="Đối thoại lớp K29-CNTT2").click()
    expect(page.get_by_test_id("session-status")).to_have_text("Biên bản đã trình duyệt")
    page.get_by_role("button", name="Duyệt biên bản").click()
    expect(page.get_by_test_id("session-status")).to_have_text("Biên bản đã được duyệt")
    screenshot(page, "dialogue-session")

    log_in(page, "learner")
    page.goto("/dialogue/feedback/")
    page.get_by_role("link", name="Trả lời phiếu").click()
    for group in (
        page.locator("fieldset, .mb-3").filter(has=page.locator("input[type=radio]")).all()
    ):
        group.locator("input[value='4']").check()
    page.get_by_label("Ý kiến, đề xuất khác").fill("Mong Nhà trường mở thêm phòng tự học.")
    page.get_by_label("Tôi đã đọc thông báo về dữ liệu cá nhân ở trên và đồng ý.").check()
    screenshot(page, "dialogue-feedback-answer")
    page.get_by_role("button", name="Gửi phiếu trả lời").click()
    expect(page.get_by_text("Câu trả lời của bạn được ghi nhận không kèm tên")).to_be_visible()

    log_in(page, "leader")
    page.get_by_test_id("nav-work").get_by_role("link", name="Báo cáo đối thoại").click()
    expect(page.get_by_role("heading", name="BÁO CÁO TỔNG HỢP", exact=True)).to_be_visible()
    screenshot(page, "dialogue-report")
    page.goto("/dialogue/feedback/")
    page.get_by_role("link", name="Kết quả").click()
    expect(page.get_by_test_id("responses")).to_have_text("6 phiếu trả lời")
    screenshot(page, "dialogue-feedback-results")

    log_in(page, "committee")
    page.goto("/dialogue/topics/")
    expect(page.get_by_test_id("topics")).to_contain_text("Học phí, lệ phí")
    screenshot(page, "dialogue-topics")


def test_the_plan_page_works_on_a_phone(page, demo, screenshot):
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto("/dialogue/")
    expect(page.get_by_test_id("milestone-13")).to_contain_text("24/4/2024")
    screenshot(page, "dialogue-plan-phone")


def test_a_reopened_milestone_starts_a_new_round_and_keeps_the_old_evidence(page, demo):
    log_in(page, "committee")
    milestone = Milestone.objects.get(plan__number="4402/KH-ĐHM", position=12)
    page.goto(f"/dialogue/milestones/{milestone.pk}/")
    page.get_by_role("link", name="Đánh dấu hoàn thành").click()
    page.get_by_label("Hoàn thành ngày").fill("17/04/2024")
    page.get_by_label("Minh chứng (ghi chú)").fill("Biên bản kiểm tra hội trường lần 1.")
    round_one = PDF + b"% round 1"
    page.get_by_label("Minh chứng (tệp)").set_input_files(
        {"name": "bien-ban-lan-1.pdf", "mimeType": "application/pdf", "buffer": round_one}
    )
    page.get_by_role("button", name="Đánh dấu hoàn thành").click()

    page.goto(f"/dialogue/milestones/{milestone.pk}/")
    page.get_by_role("link", name="Mở lại").click()
    page.get_by_label("Ghi chú").fill("Máy chiếu hỏng sau khi kiểm tra: làm lại.")
    page.get_by_role("button", name="Mở lại").click()
    # The old evidence is history now, not the current round's.
    expect(page.get_by_test_id("milestone-round")).to_contain_text("2")
    details = page.locator("dl").first.inner_text()
    assert "lần 1" not in details and "Hoàn thành ngày" not in details
    earlier = page.get_by_test_id("earlier-rounds")
    expect(earlier).to_contain_text("Biên bản kiểm tra hội trường lần 1.")
    expect(earlier).to_contain_text("Máy chiếu hỏng")
    # The first round's file stays downloadable from the history, through /files/ (issue 12 §6).
    link = earlier.get_by_test_id("round-evidence")
    assert link.get_attribute("href").startswith("/files/")
    downloaded = page.request.get(link.get_attribute("href"))
    assert downloaded.status == 200 and downloaded.body() == round_one
    assert "Tệp minh chứng" not in page.locator("dl").first.inner_text()  # not current any more

    page.get_by_role("link", name="Đánh dấu hoàn thành").click()
    page.get_by_label("Hoàn thành ngày").fill("20/04/2024")
    page.get_by_label("Minh chứng (ghi chú)").fill("Đã thay máy chiếu, kiểm tra lại đạt.")
    page.get_by_role("button", name="Đánh dấu hoàn thành").click()
    page.goto(f"/dialogue/milestones/{milestone.pk}/")
    expect(page.locator("dl").first).to_contain_text("Đã thay máy chiếu")
    expect(page.get_by_test_id("earlier-rounds")).to_contain_text("lần 1")
