"""The directory search looks for words anywhere in `search_key` (LIKE '%word%'). On PostgreSQL
a trigram GIN index answers that without reading every person (10,000 in the benchmark). Needs
pg_trgm; where the database user may not create it, the search still works, only slower (as
accounts/migrations/0003)."""

import logging

from django.db import DatabaseError, migrations, transaction

log = logging.getLogger(__name__)

INDEXES = {
    "office_person_search_trgm": "office_person",
    "office_unit_search_trgm": "office_unit",
}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm", None)
            for name, table in INDEXES.items():
                schema_editor.execute(
                    f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
                    "USING gin (search_key gin_trgm_ops)",
                    None,
                )
    except DatabaseError as exc:
        log.warning("office: no trigram indexes for the searches (%s)", exc)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}", None)


class Migration(migrations.Migration):
    dependencies = [("office", "0005_unit_effective_dates")]

    operations = [migrations.RunPython(forwards, backwards)]
