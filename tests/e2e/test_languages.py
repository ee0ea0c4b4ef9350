"""The main pages in each language, as each main demo role (issue 13): an English page shows
no Vietnamese but proper names, and a Vietnamese page no English UI words.

Vietnamese is told by its letters (ă â đ ê ô ơ ư and the tone marks). Proper names are the
people of the data (the directory, the log-ins, the applicants) and those listed in
tests/e2e/proper_names.txt. What people wrote (questions, answers, notes, minutes) is shown
as written inside translate="no" and is not checked; neither are form fields being edited.
"""

import re
from pathlib import Path

import pytest
from django.core.management import call_command

from portal.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

ROLES = [
    None,  # a visitor who has not logged in
    "applicant",
    "mtt_office",
    "mtt_technician",
    "mtt_manager",
    "mtt_head",
    "committee",
    "unit_leader",
    "unit_staff",
    "responder",
    "leader",
    "learner",
    "directory_admin",
    "ops",
]
PAGES_PER_ROLE = 8
VIETNAMESE = re.compile(
    "[ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]", re.IGNORECASE
)
# Common words of the English UI that a Vietnamese page translates (whole words, as written).
ENGLISH_WORDS = re.compile(
    r"\b(Save|Cancel|Submit|Search|Edit|Delete|Remove|Status|Notifications?|Previous|Next|"
    r"Download|Upload|Requests?|Unit|Date|Due|Overdue|Dashboard|Queue|Answers?|Questions?|"
    r"Milestones?|Reminder|Settings|Log in|Log out|Welcome|Hello|Home|My work|Open|Closed|"
    r"Done|Late|Planned|Filter|Show|Change log|Directory|Report|Plan)\b"
)
# Links not followed: leaving, downloads, the admin, one-time links.
SKIP = re.compile(r"^/(logout|admin|static|media|i18n)|download|export|xlsx|csv|print|/track/")

# The text a person reads: text nodes and labelling attributes, but not scripts, styles, what is
# marked translate="no" (as written) and the values of the form fields being edited.
VISIBLE_TEXT = """() => {
  const skip = 'script, style, template, noscript, textarea, [translate="no"]';
  const out = [document.title];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement.closest(skip)) continue;
    const text = node.textContent.trim();
    if (text) out.push(text);
  }
  for (const el of document.querySelectorAll('[title], [aria-label], [placeholder], [alt]')) {
    if (el.closest('[translate="no"]')) continue;
    for (const a of ['title', 'aria-label', 'placeholder', 'alt']) {
      const v = el.getAttribute(a);
      if (v && v.trim()) out.push(v.trim());
    }
  }
  return out;
}"""
LINKS = """() => [...document.querySelectorAll('nav a[href], main a[href]')]
  .map(a => a.getAttribute('href')).filter(h => h && h.startsWith('/'))"""


def proper_names() -> list[str]:
    """The names that stay as they are: the file's and the people of the data."""
    from accounts.models import AccountRequest, IssuanceLogEntry
    from office.models import Person
    from portal.models import User

    path = Path(__file__).with_name("proper_names.txt")
    names = {n.strip() for n in path.read_text("utf-8").splitlines()}
    names = {n for n in names if n and not n.startswith("#")}
    for person in Person.objects.all():
        names |= {person.full_name, person.display_name}
    names |= set(User.objects.values_list("full_name", flat=True))
    for req in AccountRequest.objects.all():
        names |= {req.full_name, req.family_and_middle_names, req.given_name}
    for entry in IssuanceLogEntry.objects.all():
        names |= {entry.full_name, entry.issued_by_name, entry.recorded_by_name}
    return sorted((n for n in names if n), key=len, reverse=True)


def _without(text: str, names: list[str]) -> str:
    for name in names:
        if name in text:
            text = text.replace(name, " ")
    return text


def _walk(browser, base_url, username, language, names) -> tuple[int, dict]:
    """Visit a role's main pages in `language`; returns (pages, {page: [offending texts]})."""
    context = browser.new_context(
        base_url=base_url, locale="vi-VN", viewport={"width": 1280, "height": 860}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    found = {}
    try:
        if username:
            page.goto("/login/")
            page.fill("#id_username", username)
            page.fill("#id_password", DEMO_PASSWORD)
            page.click("form button[type=submit]")
            page.wait_for_load_state()
        else:
            page.goto("/")
        if page.locator("html").get_attribute("lang") != language:
            # The header's switch, as a person does: saved on the user when logged in.
            page.click(f"button[name=language][value={language}]")
            page.wait_for_load_state()
        queue, seen = ["/", "/work/"] if username else ["/"], []
        while queue and len(seen) < PAGES_PER_ROLE:
            url = queue.pop(0)
            if url in seen:
                continue
            response = page.goto(url)
            seen.append(url)
            if response is None or response.status != 200:
                continue
            assert page.locator("html").get_attribute("lang") == language, url
            bad = _offending(page.evaluate(VISIBLE_TEXT), language, names)
            if bad:
                found[f"{username or 'visitor'} {url}"] = bad[:8]
            queue += [
                h.split("#")[0]
                for h in page.evaluate(LINKS)
                if not SKIP.search(h) and h.split("#")[0] not in seen
            ]
    finally:
        context.close()
    return len(seen), found


def _offending(texts: list[str], language: str, names: list[str]) -> list[str]:
    if language == "en":
        return sorted({t for t in texts if VIETNAMESE.search(_without(t, names))})
    return sorted({t for t in texts if ENGLISH_WORDS.search(_without(t, names))})


@pytest.fixture
def demo(db):
    call_command("loaddemo", force=True, stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.mark.parametrize("language", ["en", "vi"])
def test_each_role_reads_its_main_pages_in_one_language(browser, live_server, demo, language):
    names = proper_names()
    pages, found = 0, {}
    for username in ROLES:
        seen, bad = _walk(browser, live_server.url, username, language, names)
        pages += seen
        found.update(bad)
    print(f"{pages} pages checked in {language} for {len(ROLES)} roles")
    assert pages >= 5 * len(ROLES)
    assert not found, f"{len(found)} pages in the wrong language: {found}"


def test_the_checks_find_the_other_language():
    assert _offending(["Khoa Công nghệ Thông tin", "Faculty of IT"], "en", ["Đà Nẵng"]) == [
        "Khoa Công nghệ Thông tin"
    ]
    assert _offending(["Open University Centre in Đà Nẵng"], "en", ["Đà Nẵng"]) == []
    assert _offending(["Lưu", "Save"], "vi", []) == ["Save"]
