"""Append-only tables: the database itself refuses UPDATE and DELETE on their rows.

The audit trails (dialogue events, directory changes, notification events) and
the issuance log are records the procedures call permanent: neither the admin, a bug, nor any SQL
the application runs may rewrite them; a correction is a new row. A migration adds the guard:

    operations = [append_only("office_auditevent")]

PostgreSQL: one trigger function for every table, a BEFORE UPDATE OR DELETE trigger per table.
SQLite (the embedded default): two triggers per table. TRUNCATE, the schema owner's tool, is not
guarded (test databases are flushed with it; a restore starts from an empty database).

Erasure: a table whose free text may hold personal data names those columns,

    operations = [append_only("accounts_requestevent", erasable=["note"])]

and the one UPDATE the database then lets through is the erasure the retention rules ask for
(Decree 13/2023/NĐ-CP, portal.privacy): those columns set to '', at least one of them holding
text before, and every other column as it was. Anything else (another value, another column,
an UPDATE that changes nothing, DELETE) is refused as before.
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


# The variant for tables with erasable columns (the trigger's arguments): an UPDATE that only
# empties those columns passes; any other UPDATE, and every DELETE, is refused.
PG_ERASABLE_FUNCTION = """
CREATE OR REPLACE FUNCTION portal_append_only_erasable() RETURNS trigger AS $$
DECLARE
    before jsonb;
    after jsonb;
    erasable text;
    erased boolean := false;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        before := to_jsonb(OLD);
        after := to_jsonb(NEW);
        FOREACH erasable IN ARRAY TG_ARGV LOOP
            IF after ->> erasable <> '' THEN
                after := NULL;  -- a new value, not an erasure
                EXIT;
            END IF;
            erased := erased OR before ->> erasable <> '';
            before := before - erasable;
            after := after - erasable;
        END LOOP;
        IF erased AND after IS NOT NULL AND before = after THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION '% is append-only: % is not allowed, add a correction row',
        TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def _statements(table: str, vendor: str, up: bool, erasable=(), columns=()) -> list[str]:
    if vendor == "postgresql":
        if up and erasable:
            arguments = ", ".join(f"'{column}'" for column in erasable)
            return [
                PG_ERASABLE_FUNCTION,
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION portal_append_only_erasable({arguments});",
            ]
        if up:
            return [
                PG_FUNCTION,
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION portal_append_only();",
            ]
        return [f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};"]
    if vendor == "sqlite":
        if up:
            unless = {"UPDATE": "", "DELETE": ""}
            if erasable:
                kept = [f'OLD."{c}" IS NEW."{c}"' for c in columns if c not in erasable]
                emptied = [f"NEW.\"{c}\" = ''" for c in erasable]
                erased = " OR ".join(f"OLD.\"{c}\" <> ''" for c in erasable)
                unless["UPDATE"] = f" WHEN NOT ({' AND '.join([*emptied, *kept, f'({erased})'])})"
            return [
                f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table}{unless[op]} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {op} is not allowed'); END;"
                for op in ("UPDATE", "DELETE")
            ]
        return [f"DROP TRIGGER IF EXISTS {table}_no_{op};" for op in ("update", "delete")]
    raise RuntimeError(f"No append-only trigger for {vendor}: add one in portal/appendonly.py.")


def append_only(table: str, *, erasable=()) -> migrations.RunPython:
    def run(up):
        def apply(apps, schema_editor):
            connection = schema_editor.connection
            columns = ()
            if erasable and connection.vendor == "sqlite":
                with connection.cursor() as cursor:
                    description = connection.introspection.get_table_description(cursor, table)
                columns = [column.name for column in description]
            for sql in _statements(table, connection.vendor, up, erasable, columns):
                schema_editor.execute(sql, None)  # no params: "%" is PL/pgSQL, not a placeholder

        return apply

    return migrations.RunPython(run(True), run(False))


# Every append-only table, for the test that tries to change each one and for the docs.
APPEND_ONLY_TABLES = [
    "accounts_issuancelogentry",  # accounts 0002 (its own trigger function)
    "accounts_requestevent",  # accounts 0011; its note may be erased (retention)
    "dialogue_event",
    "office_auditevent",
    "portal_consent",  # portal 0011
    "portal_notificationevent",
    "portal_privacylogentry",  # portal 0011
]
# Columns the retention may empty (and nothing else), per table.
ERASABLE = {"accounts_requestevent": ["note"]}
