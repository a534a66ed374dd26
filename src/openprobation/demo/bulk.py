"""Writing many rows fast: psycopg COPY on PostgreSQL, batched executemany on SQLite.

Rows are plain tuples with their primary keys already assigned, dates as ISO strings and datetimes in UTC as
strings (``BulkWriter.datetime_suffix`` says how the database wants the zone written), so the generator does not
care which database it writes to. Columns a model has but the generator does not know about (added by a later
migration) are filled with the field's default, or NULL; if a column has neither, loading stops with an error
naming it rather than guessing.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.core.management.color import no_style
from django.db import DatabaseError, connection, models, transaction
from django.db.models import Max

Row = tuple[Any, ...]


class DemoSchemaError(RuntimeError):
    """The database has a column the demo loader cannot fill."""


@dataclass(frozen=True)
class TableSpec:
    model: type[models.Model]
    fields: tuple[str, ...]
    table: str
    columns: tuple[str, ...]
    extra_values: tuple[Any, ...]


def table_spec(model: type[models.Model], fields: Sequence[str]) -> TableSpec:
    """Map the generator's field names to columns, and work out values for any columns it leaves out."""
    columns: list[str] = []
    for name in fields:
        column = model._meta.get_field(name).column  # type: ignore[union-attr]
        assert column is not None
        columns.append(column)
    extra_columns: list[str] = []
    extra_values: list[Any] = []
    for f in model._meta.concrete_fields:
        if f.column in columns:
            continue
        if f.has_default():
            value = f.get_db_prep_save(f.get_default(), connection)
        elif f.null:
            value = None
        else:
            raise DemoSchemaError(
                f"The demo loader does not fill {model._meta.db_table}.{f.column}: give the field a default or "
                "teach openprobation.demo.generate about it"
            )
        extra_columns.append(f.column)
        extra_values.append(value)
    return TableSpec(model=model, fields=tuple(fields), table=model._meta.db_table,
                     columns=tuple(columns + extra_columns), extra_values=tuple(extra_values))


class BulkWriter:
    """Writes rows for one table at a time through Django's connection (so inside its transaction)."""

    def __init__(self) -> None:
        connection.ensure_connection()
        self.vendor = connection.vendor
        if self.vendor not in ("postgresql", "sqlite"):
            raise DemoSchemaError(f"The demo loader supports PostgreSQL and SQLite, not {self.vendor}")
        # SQLite keeps Django's naive-UTC text; PostgreSQL is told the zone explicitly.
        self.datetime_suffix = "+00" if self.vendor == "postgresql" else ""
        self.rows_written = 0

    def write(self, spec: TableSpec, rows: list[Row]) -> None:
        if not rows:
            return
        if spec.extra_values:
            extra = spec.extra_values
            rows = [row + extra for row in rows]
        cols = ", ".join(connection.ops.quote_name(c) for c in spec.columns)
        table = connection.ops.quote_name(spec.table)
        if self.vendor == "postgresql":
            with connection.cursor() as cursor:
                raw = cursor.cursor  # the psycopg cursor under Django's wrapper
                with raw.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
        else:
            placeholders = ", ".join("?" * len(spec.columns))
            raw_connection = connection.connection
            assert raw_connection is not None
            raw_connection.executemany(f"INSERT INTO {table} ({cols}) VALUES ({placeholders})", rows)  # noqa: S608
        self.rows_written += len(rows)


def next_id(model: type[models.Model]) -> int:
    """The first free primary key: the demo assigns keys itself, after any rows already there."""
    return (model._default_manager.aggregate(m=Max("pk"))["m"] or 0) + 1


def reset_sequences(model_list: Sequence[type[models.Model]]) -> None:
    """After inserting explicit keys, move PostgreSQL's sequences past them (SQLite's AUTOINCREMENT follows)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(model_list))
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


@contextmanager
def foreign_keys_checked_once(model_list: Sequence[type[models.Model]]) -> Iterator[None]:
    """On PostgreSQL, check the loaded tables' foreign keys once at the end instead of row by row.

    Django's foreign keys are deferred, so PostgreSQL queues a check per row and runs millions of them at commit.
    Dropping the constraints for the load and adding them back (same names, same definitions) checks each
    whole table in one join instead, several times faster. It is all inside the load's transaction, so on any
    failure the constraints are back as they were; adding them back fails the load if any row is wrong.
    """
    if connection.vendor != "postgresql":
        yield
        return
    tables = [m._meta.db_table for m in model_list]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s) ORDER BY 1, 2",
            [tables],
        )
        constraints = cursor.fetchall()
        # ALTER TABLE refuses while deferred checks are queued (the organisation rows just written): run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table, name, _definition in constraints:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {connection.ops.quote_name(name)}")
    yield
    with connection.cursor() as cursor:
        for table, name, definition in constraints:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def with_dependents(model_list: Sequence[type[models.Model]]) -> list[type[models.Model]]:
    """These models and every model that refers to them, directly or through others (work items, enquiries…)."""
    found: list[type[models.Model]] = list(model_list)
    index = 0
    while index < len(found):
        for relation in found[index]._meta.related_objects:
            related = relation.related_model
            if isinstance(related, type) and issubclass(related, models.Model) and related not in found:
                found.append(related)
        index += 1
    return found


def delete_all(model_list: Sequence[type[models.Model]]) -> None:
    """Empty these tables (children first). On PostgreSQL one TRUNCATE of them and every table that refers to them."""
    if connection.vendor == "postgresql":
        names = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in with_dependents(model_list))
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"TRUNCATE {names}")
            return
        except DatabaseError:
            pass  # another table refers to one of these: delete through the ORM, which follows every relation
    for model in model_list:
        model._default_manager.all().delete()
