"""A backup (pg_dump + uploaded files) restored into a fresh, empty database holds the same
rows and the same CreateEmailHUST-log chain (issue 14)."""

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from accounts import services
from accounts.models import AccountRequest, IssuanceLogEntry, RequestEvent
from portal.backup import _connect

pytestmark = pytest.mark.django_db(transaction=True)

CHAIN = ("id", "reference", "address", "action", "corrects_id", "recorded_by_name")


class Fresh:
    """An empty database on the same server, read with its own psycopg connection."""

    def __init__(self):
        db = connection.settings_dict
        self.name = f"{db['NAME']}_restored"
        self.url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{self.name}"
        self.db = {**db, "NAME": self.name}

    def rows(self, sql, params=()):
        with _connect(self.db) as conn:
            return [tuple(row) for row in conn.execute(sql, params)]

    def count(self, model):
        return self.rows(f'SELECT count(*) FROM "{model._meta.db_table}"')[0][0]


@pytest.fixture
def fresh_database():
    fresh = Fresh()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{fresh.name}"')
        cursor.execute(f'CREATE DATABASE "{fresh.name}"')
    yield fresh
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{fresh.name}" WITH (FORCE)')


def test_a_backup_restores_into_an_empty_database_with_the_same_log_chain(
    issued, manager, now, settings, tmp_path, fresh_database
):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "dialogue").mkdir(parents=True)
    (settings.MEDIA_ROOT / "dialogue" / "minutes.pdf").write_bytes(b"%PDF-1.4 minutes")
    first = services.record_issuance(issued().pk, manager, now=now)
    services.record_issuance(
        issued(person_id="20239999", given_name="Bình", contact_email="b@example.com").pk,
        manager,
        now=now,
    )
    services.correct_log_entry(
        first.pk, manager, address="an.nguyenvan9@sis.hust.edu.vn", note="Gõ nhầm", now=now
    )
    chain = list(IssuanceLogEntry.objects.order_by("id").values_list(*CHAIN))
    archive = tmp_path / "backup.tar"

    call_command("backup", str(archive))

    settings.MEDIA_ROOT = tmp_path / "restored-media"
    call_command("restore", str(archive), "--database-url", fresh_database.url)
    columns = ", ".join(f'"{c}"' for c in CHAIN)
    restored_chain = fresh_database.rows(
        f"SELECT {columns} FROM accounts_issuancelogentry ORDER BY id"
    )
    assert restored_chain == chain
    for model in (AccountRequest, RequestEvent, IssuanceLogEntry):
        assert fresh_database.count(model) == model.objects.count() > 0
    assert (settings.MEDIA_ROOT / "dialogue" / "minutes.pdf").read_bytes() == b"%PDF-1.4 minutes"

    # The restored log is as permanent as the original: its trigger came back with it.
    with pytest.raises(psycopg.Error, match="append-only"):
        fresh_database.rows(
            "UPDATE accounts_issuancelogentry SET note = 'edited' WHERE id = %s", [first.pk]
        )

    # A second restore into the now full database is refused: restore never merges.
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(archive), "--database-url", fresh_database.url)
