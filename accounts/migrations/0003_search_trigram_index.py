"""The queue's search looks for words anywhere in `search_key` (LIKE '%word%'). On PostgreSQL a
trigram GIN index answers that without reading all 100,000 rows. Needs the pg_trgm extension;
where the database user may not create it, the search still works, only slower."""

import logging

from django.db import DatabaseError, migrations, transaction

log = logging.getLogger(__name__)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm", None)
            schema_editor.execute(
                "CREATE INDEX IF NOT EXISTS accounts_req_search_trgm ON accounts_accountrequest "
                "USING gin (search_key gin_trgm_ops)",
                None,
            )
    except DatabaseError as exc:
        log.warning("accounts: no trigram index for the queue search (%s)", exc)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS accounts_req_search_trgm", None)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_issuance_log_append_only")]

    operations = [migrations.RunPython(forwards, backwards)]
