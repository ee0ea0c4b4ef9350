"""Many new rows of one model in one go, without a model instance per row (issue 15).

    ids = insert_many(RequestEvent, {"action": "submitted", "at": now}, [{"request_id": 7}, ...])

Every row is `common` updated by its own values (attribute names: `request_id`, not `request`);
the other columns get what save() would give them (defaults, auto_now). On PostgreSQL the ids
are taken from the table's sequence first (one query) and the rows are sent with COPY, which
psycopg writes in C: no per-row Django field preparation, no parameters quoted in Python. The
per-row values must therefore be plain values (str, int, None, date, aware datetime), as a
database driver takes them. Elsewhere (SQLite: `make run`) it is bulk_create.
"""

from django.db import connections, router


def insert_many(model, common: dict, rows: list[dict], *, batch_size: int = 1000) -> list[int]:
    """Insert the rows; their ids, in order."""
    if not rows:
        return []
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql":
        objs = [model(**common, **row) for row in rows]
        model.objects.using(connection.alias).bulk_create(objs, batch_size=batch_size)
        return [obj.pk for obj in objs]
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    proto = model(**common)
    # What save() would write for the values every row shares (auto_now included).
    base = [f.get_db_prep_save(f.pre_save(proto, True), connection) for f in fields]
    attnames = [f.attname for f in fields]
    quote = connection.ops.quote_name
    pk = model._meta.pk.column
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [quote(table), pk, len(rows)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        columns = ", ".join(quote(c) for c in [pk, *(f.column for f in fields)])
        with cursor.cursor.copy(f"COPY {quote(table)} ({columns}) FROM STDIN") as copy:
            for pk_value, row in zip(ids, rows, strict=True):
                copy.write_row(
                    [
                        pk_value,
                        *[row.get(name, value) for name, value in zip(attnames, base, strict=True)],
                    ]
                )
    return ids
