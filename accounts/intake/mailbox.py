"""Where intake messages come from: an IMAP mailbox (imap-tools) or a folder of .eml files.

Both mark what they took only after the intake log has it: a crash in between reads the message
again on the next run, and its Message-ID (unique in the intake log) makes that a no-op.
"""

import logging
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings

from .services import ingest

log = logging.getLogger(__name__)


def read_imap(url: str, folder: str = "INBOX", *, limit: int = 200) -> list:
    """Read the unseen messages of `folder`; each is flagged \\Seen once logged."""
    from imap_tools import AND, MailBox, MailBoxUnencrypted

    parts = urlsplit(url)
    box_class = MailBox if parts.scheme == "imaps" else MailBoxUnencrypted
    port = parts.port or (993 if parts.scheme == "imaps" else 143)
    rows = []
    with box_class(parts.hostname, port).login(
        unquote(parts.username or ""), unquote(parts.password or ""), initial_folder=folder
    ) as box:
        for msg in box.fetch(AND(seen=False), mark_seen=False, limit=limit, bulk=20):
            raw = msg.obj.as_bytes()
            try:
                row, _created = ingest(raw, source="imap")
            except Exception:  # a database error: leave the message unseen for the next run
                log.exception("intake: message uid %s left for the next run", msg.uid)
                continue
            box.flag([msg.uid], "\\Seen", True)
            rows.append(row)
    return rows


def read_folder(folder: Path) -> list:
    """Read every *.eml in `folder`; each moves to `folder`/done once logged."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    done = folder / "done"
    rows = []
    for path in sorted(folder.glob("*.eml")):
        try:
            row, _created = ingest(path.read_bytes(), source="folder")
        except Exception:
            log.exception("intake: %s left for the next run", path.name)
            continue
        done.mkdir(exist_ok=True)
        path.replace(done / path.name)
        rows.append(row)
    return rows


def read_configured() -> int:
    """The beat task's work: the configured mailbox, then the intake folder."""
    rows = []
    if settings.ACCOUNTS_INTAKE_IMAP_URL:
        try:
            rows += read_imap(
                settings.ACCOUNTS_INTAKE_IMAP_URL, settings.ACCOUNTS_INTAKE_IMAP_FOLDER
            )
        except Exception as exc:  # a server that is down: try again next minute
            log.warning("intake: the mailbox could not be read: %s", exc)
    rows += read_folder(settings.ACCOUNTS_INTAKE_DIR)
    return len(rows)
