"""Many new rows of one model in one go, without a model instance per row (issue 15).

    ids = insert_many(RequestEvent, {"action": "submitted", "at": now}, [{"request_id": 7}, ...])

Every row is `common` updated by its own values (attribute names: `request_id`, not `request`);
the other columns get what save() would give them (defaults, auto_now). On PostgreSQL the ids
are taken from the table's sequence first (one query) and the rows are sent with COPY, which
psycopg writes in C: no per-row Django field preparation, no parameters quoted in Python. The
per-row values must therefore be plain values (str, int, None, date, aware datetime), as a
database driver takes them. Elsewhere (SQLite: `make run`) it is bulk_create.
"""

from operator import itemgetter

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
    base = {f.attname: f.get_db_prep_save(f.pre_save(proto, True), connection) for f in fields}
    pk_name = model._meta.pk.attname
    unknown = set().union(*rows) - set(base)
    if unknown:  # a misspelt column would otherwise be left at its default without a word
        raise ValueError(f"{model.__name__} has no columns {sorted(unknown)}")
    values_of = itemgetter(pk_name, *base)  # the COPY's columns, in order
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, model._meta.pk.column, len(rows)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        columns = ", ".join(quote(c) for c in [model._meta.pk.column, *(f.column for f in fields)])
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for pk, row in zip(ids, rows, strict=True):
                copy.write_row(values_of({**base, **row, pk_name: pk}))
    return ids
