"""CreateEmailHUST-log is permanent (seed 004 §6): the database itself refuses UPDATE and DELETE
on its rows, so neither the admin nor any SQL the application runs can change history.
A correction is a new row. (TRUNCATE, a schema owner's tool, is not guarded: test databases
are flushed with it.)
"""

from django.db import migrations

PG_UP = """
CREATE OR REPLACE FUNCTION accounts_issuance_log_is_permanent() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'CreateEmailHUST-log is append-only: % is not allowed, add a correction row', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER accounts_issuancelogentry_append_only
    BEFORE UPDATE OR DELETE ON accounts_issuancelogentry
    FOR EACH ROW EXECUTE FUNCTION accounts_issuance_log_is_permanent();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS accounts_issuancelogentry_append_only ON accounts_issuancelogentry;
DROP FUNCTION IF EXISTS accounts_issuance_log_is_permanent();
"""
SQLITE_UP = [
    """CREATE TRIGGER accounts_issuancelogentry_no_update BEFORE UPDATE ON accounts_issuancelogentry
       BEGIN SELECT RAISE(ABORT, 'CreateEmailHUST-log is append-only: UPDATE is not allowed'); END;""",
    """CREATE TRIGGER accounts_issuancelogentry_no_delete BEFORE DELETE ON accounts_issuancelogentry
       BEGIN SELECT RAISE(ABORT, 'CreateEmailHUST-log is append-only: DELETE is not allowed'); END;""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS accounts_issuancelogentry_no_update;",
    "DROP TRIGGER IF EXISTS accounts_issuancelogentry_no_delete;",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise RuntimeError("No append-only trigger for this database: add one here.")
        for sql in [statements] if isinstance(statements, str) else statements:
            schema_editor.execute(sql, None)  # no params: "%" is PL/pgSQL, not a placeholder

    return run


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": PG_UP, "sqlite": SQLITE_UP}),
            _run({"postgresql": PG_DOWN, "sqlite": SQLITE_DOWN}),
        )
    ]
