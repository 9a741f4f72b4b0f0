"""Set-based writes for large batches (the registry import).

Peewee builds the SQL text of every statement in Python; for hundreds of
thousands of rows that costs several times the database's own work. Here one
statement is prepared per table and the driver streams the rows: COPY on
PostgreSQL, executemany elsewhere, inside the caller's transaction. Values are
plain Python values the drivers adapt themselves (str, int, date, datetime,
None; ids for foreign keys) — what Peewee itself hands them for these fields.
"""

from ..db import flask_db, is_sqlite

CHUNK = 500


def _fields(model, names):
    return [model._meta.fields[n] for n in names]


def _cursor():
    return flask_db.database.cursor()


def insert(model, names, rows):
    """Inserts tuples of values for the fields `names`. Returns the count."""
    rows = list(rows)
    if not rows:
        return 0
    fields = _fields(model, names)
    columns = ", ".join(f.column_name for f in fields)
    table = model._meta.table_name
    cursor = _cursor()
    if is_sqlite():
        marks = ", ".join("?" * len(fields))
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)  # noqa: S608
    else:
        with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    return len(rows)


def update(model, names, rows):
    """Sets the fields `names` from tuples ending with the row's id."""
    rows = list(rows)
    if not rows:
        return 0
    fields = _fields(model, names)
    mark = flask_db.database.param
    assignments = ", ".join(f"{f.column_name} = {mark}" for f in fields)
    table = model._meta.table_name
    _cursor().executemany(f"UPDATE {table} SET {assignments} WHERE id = {mark}", rows)  # noqa: S608
    return len(rows)


def select_in(model, fields, key_field, keys):
    """Tuples of `fields` for the rows whose `key_field` is one of `keys`.

    PostgreSQL gets the keys as one array (`= ANY(%s)`): one statement, and a
    hashed probe even when the planner still thinks a table just filled in this
    transaction is empty. SQLite gets them in chunks of IN (...)."""
    keys = list(keys)
    if not keys:
        return
    columns = ", ".join(f.column_name for f in fields)
    table = model._meta.table_name
    if is_sqlite():
        for start in range(0, len(keys), CHUNK):
            chunk = keys[start:start + CHUNK]
            marks = ", ".join("?" * len(chunk))
            yield from _cursor().execute(
                f"SELECT {columns} FROM {table} WHERE {key_field.column_name} IN ({marks})", chunk)  # noqa: S608
    else:
        yield from _cursor().execute(
            f"SELECT {columns} FROM {table} WHERE {key_field.column_name} = ANY(%s)", (keys,))  # noqa: S608


def ids_by(model, key_field, keys):
    """{key: id} for the rows whose `key_field` is in `keys`."""
    return dict(select_in(model, (key_field, model.id), key_field, keys))
