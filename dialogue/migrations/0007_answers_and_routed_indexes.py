"""The public answers page (newest first) and a department's questions to answer (by due time)
read partial indexes, whatever the number of questions; the answers search (LIKE '%word%' on
`search_key`) reads a trigram GIN index on PostgreSQL (needs pg_trgm; without it the search
still works, only slower, as accounts/migrations/0003)."""

import logging

from django.conf import settings
from django.db import DatabaseError, migrations, models, transaction

log = logging.getLogger(__name__)


def trigram_forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm", None)
            schema_editor.execute(
                "CREATE INDEX IF NOT EXISTS dialogue_q_search_trgm ON dialogue_question "
                "USING gin (search_key gin_trgm_ops)",
                None,
            )
    except DatabaseError as exc:
        log.warning("dialogue: no trigram index for the answers search (%s)", exc)


def trigram_backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS dialogue_q_search_trgm", None)


class Migration(migrations.Migration):
    dependencies = [
        ("dialogue", "0006_events_append_only"),
        ("office", "0004_audit_append_only"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="question",
            index=models.Index(
                condition=models.Q(("merged_into__isnull", True), ("status", "published")),
                fields=["-published_at", "-id"],
                name="dialogue_q_published",
            ),
        ),
        migrations.AddIndex(
            model_name="question",
            index=models.Index(
                condition=models.Q(("status", "routed")),
                fields=["department", "due_at", "id"],
                name="dialogue_q_routed_due",
            ),
        ),
        migrations.RunPython(trigram_forwards, trigram_backwards),
    ]
