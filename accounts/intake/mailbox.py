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
        heads = box.fetch(AND(seen=False), mark_seen=False, limit=limit, headers_only=True)
        for head in list(heads):
            try:
                if head.size_rfc822 > settings.ACCOUNTS_INTAKE_MAX_BYTES:
                    # Too large: logged from its headers, the body is never downloaded.
                    row, _created = ingest(
                        head.obj.as_bytes(), source="imap", size=head.size_rfc822
                    )
                else:
                    msg = next(box.fetch(AND(uid=head.uid), mark_seen=False), None)
                    if msg is None:  # deleted meanwhile
                        continue
                    row, _created = ingest(msg.obj.as_bytes(), source="imap")
            except Exception:  # a database error: leave the message unseen for the next run
                log.exception("intake: message uid %s left for the next run", head.uid)
                continue
            box.flag([head.uid], "\\Seen", True)
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


DEMO_MAIL = Path(__file__).resolve().parent.parent / "demo_mail"


def load_demo_mail(now, stdout=None) -> int:
    """The demo's two e-mailed requests: put in the intake folder (received an hour or two ago,
    so their clocks run) and read the same way the beat task reads it."""
    import email
    import email.policy
    from datetime import timedelta
    from email.utils import format_datetime

    from ..models import IntakeMessage

    folder = Path(settings.ACCOUNTS_INTAKE_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    for n, path in enumerate(sorted(DEMO_MAIL.glob("*.eml"))):
        msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if IntakeMessage.objects.filter(message_id=str(msg["Message-ID"]).strip()).exists():
            continue
        when = format_datetime(now - timedelta(hours=3 - n))
        del msg["Date"], msg["Received"]
        msg["Date"] = when
        msg["Received"] = f"from mx.hust.edu.vn by imap.hust.edu.vn; {when}"
        (folder / path.name).write_bytes(msg.as_bytes())
    rows = read_folder(folder)
    if stdout:
        stdout.write(f"  accounts: {len(rows)} requests read from the demo intake folder")
    return len(rows)
