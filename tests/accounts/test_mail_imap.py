"""Issue 18 against a real IMAP server (Dovecot started by the test run): each message is read
once, flagged so a restart does not take it again, and bad mail never stops the run."""

import shutil
import tempfile
from pathlib import Path

import pytest
from imap_tools import AND, MailBoxUnencrypted

from accounts.intake.mailbox import read_configured, read_imap
from accounts.models import AccountRequest, IntakeMessage, Status
from tests.accounts.mail.build import DOCX, bm_docx, message
from tests.accounts.mail.dovecot import Dovecot, install_dovecot


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(scope="session")
def dovecot():
    install_dovecot()
    # Not under pytest's tmp dir: that is mode 0700, and Dovecot's auth process is not root.
    root = Path(tempfile.mkdtemp(prefix="portal-dovecot-"))
    server = Dovecot(root).start()
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def mailbox(dovecot):
    """An empty INBOX for each test."""
    with MailBoxUnencrypted("127.0.0.1", dovecot.port).login(dovecot.user, dovecot.password) as box:
        box.delete([m.uid for m in box.fetch(mark_seen=False, headers_only=True)])
    return dovecot


def _unseen(server) -> int:
    with MailBoxUnencrypted("127.0.0.1", server.port).login(server.user, server.password) as box:
        return len(list(box.fetch(AND(seen=False), mark_seen=False, headers_only=True)))


def test_messages_in_the_mailbox_become_drafts_once(db, mailbox, settings, tmp_path):
    mailbox.deliver(
        message(
            subject="Đơn đề nghị cấp TKĐT – sinh viên Trần Thị Bình",
            attachments=[("Đơn BM02 – Trần Thị Bình.docx", bm_docx(), DOCX)],
        )
    )
    mailbox.deliver(
        message(
            client="outlook",
            sender="auto@hust.edu.vn",
            subject="Vắng mặt",
            headers={"Auto-Submitted": "auto-replied"},
        )
    )
    mailbox.deliver(b"this is not\r\nan e-mail at all")
    settings.ACCOUNTS_INTAKE_IMAP_URL = mailbox.url
    settings.ACCOUNTS_INTAKE_DIR = tmp_path / "none"

    assert read_configured() == 3
    draft = AccountRequest.objects.get()
    assert draft.status == Status.DRAFT and draft.given_name == "Bình"
    intake = draft.intake_messages.get()
    assert intake.subject == "Đơn đề nghị cấp TKĐT – sinh viên Trần Thị Bình"  # RFC 2047
    assert intake.attachments.get().file_name == "Đơn BM02 – Trần Thị Bình.docx"  # RFC 2231
    assert sorted(IntakeMessage.objects.values_list("outcome", flat=True)) == [
        "auto_reply",
        "draft",
        "empty",
    ]
    assert _unseen(mailbox) == 0

    # A restart reading the mailbox again (even with the flags lost) takes nothing twice.
    assert read_configured() == 0
    with MailBoxUnencrypted("127.0.0.1", mailbox.port).login(mailbox.user, mailbox.password) as box:
        box.flag([m.uid for m in box.fetch(headers_only=True, mark_seen=False)], "\\Seen", False)
    assert len(read_imap(mailbox.url)) == 3
    assert AccountRequest.objects.count() == 1 and IntakeMessage.objects.count() == 3


def test_a_mailbox_that_is_down_does_not_crash_the_task(db, settings, tmp_path):
    settings.ACCOUNTS_INTAKE_IMAP_URL = "imap://mtt:wrong@127.0.0.1:9/"
    settings.ACCOUNTS_INTAKE_DIR = tmp_path
    (tmp_path / "a.eml").write_bytes(message(attachments=[("bm02.docx", bm_docx(), DOCX)]))
    assert read_configured() == 1


def test_a_message_too_large_is_logged_from_its_headers_and_not_downloaded(
    db, mailbox, settings, tmp_path
):
    big = message(
        subject="Đơn kèm ảnh chụp",
        attachments=[("anh.jpg", b"\xff\xd8" + b"x" * 60_000, ("image", "jpeg"))],
    )
    mailbox.deliver(big)
    settings.ACCOUNTS_INTAKE_MAX_BYTES = 30_000
    settings.ACCOUNTS_INTAKE_DIR = tmp_path
    settings.ACCOUNTS_INTAKE_IMAP_URL = mailbox.url
    assert read_configured() == 1
    row = IntakeMessage.objects.get()
    assert row.outcome == "too_large" and row.subject == "Đơn kèm ảnh chụp"
    assert row.size >= 60_000 and not row.original
    assert "giới hạn là 29 kB" in row.detail_text and not AccountRequest.objects.exists()
    assert _unseen(mailbox) == 0
