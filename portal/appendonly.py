"""Append-only tables: the database itself refuses UPDATE and DELETE on their rows.

The audit trails (dialogue events, directory changes, notification events) and
the issuance log are records the procedures call permanent: neither the admin, a bug, nor any SQL
the application runs may rewrite them; a correction is a new row. A migration adds the guard:

    operations = [append_only("office_auditevent")]

PostgreSQL: one trigger function for every table, a BEFORE UPDATE OR DELETE trigger per table.
SQLite (the embedded default): two triggers per table. TRUNCATE, the schema owner's tool, is not
guarded (test databases are flushed with it; a restore starts from an empty database).
"""

from django.db import migrations

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION portal_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % is not allowed, add a correction row',
        TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def _statements(table: str, vendor: str, up: bool) -> list[str]:
    if vendor == "postgresql":
        if up:
            return [
                PG_FUNCTION,
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION portal_append_only();",
            ]
        return [f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};"]
    if vendor == "sqlite":
        if up:
            return [
                f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} BEGIN SELECT "
                f"RAISE(ABORT, '{table} is append-only: {op} is not allowed'); END;"
                for op in ("UPDATE", "DELETE")
            ]
        return [f"DROP TRIGGER IF EXISTS {table}_no_{op};" for op in ("update", "delete")]
    raise RuntimeError(f"No append-only trigger for {vendor}: add one in portal/appendonly.py.")


def append_only(table: str) -> migrations.RunPython:
    def run(up):
        def apply(apps, schema_editor):
            for sql in _statements(table, schema_editor.connection.vendor, up):
                schema_editor.execute(sql, None)  # no params: "%" is PL/pgSQL, not a placeholder

        return apply

    return migrations.RunPython(run(True), run(False))


# Every append-only table, for the test that tries to change each one and for the docs.
APPEND_ONLY_TABLES = [
    "accounts_issuancelogentry",  # accounts 0002 (its own trigger function)
    # accounts_requestevent is not guarded yet: verify_request writes event.details after
    # creating the event (accounts/services/review.py); make that one INSERT first.
    "dialogue_event",
    "office_auditevent",
    "portal_notificationevent",
]
