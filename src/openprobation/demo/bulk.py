"""Writing many rows fast: psycopg COPY on PostgreSQL, batched executemany on SQLite.

Rows are plain tuples with their primary keys already assigned, dates as ISO strings and datetimes in UTC as
strings (``BulkWriter.datetime_suffix`` says how the database wants the zone written), so the generator does not
care which database it writes to. Columns a model has but the generator does not know about (added by a later
migration) are filled with the field's default, or NULL; if a column has neither, loading stops with an error
naming it rather than guessing.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.core.management.color import no_style
from django.db import DatabaseError, connection, models, transaction
from django.db.models import Max

Row = tuple[Any, ...]
# Writes waiting for the background COPY thread (``BulkWriter.in_background``): about one chunk of the cases' tables.
BACKGROUND_QUEUE = 12
# PostgreSQL's memory for building an index and for checking a foreign key over a whole table (it runs that check's
# query with this as its work memory), while the load builds and checks them once at the end. With the server's
# default (64 MB) the larger indexes are sorted on disk and the checks' joins spill; with more, each sort is done
# in memory and the server may give a build a parallel worker (it does when each process gets 32 MB or more).
MAINTENANCE_MEMORY = "1GB"


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
        self._pending: queue.Queue[tuple[str, list[Row]] | None] | None = None
        self._failure: BaseException | None = None

    def write(self, spec: TableSpec, rows: list[Row]) -> None:
        if not rows:
            return
        if spec.extra_values:
            extra = spec.extra_values
            rows = [row + extra for row in rows]
        self.rows_written += len(rows)
        if self._pending is not None:
            self._check_background()
            self._pending.put((copy_sql(spec), rows))
            return
        raw_connection = connection.connection
        assert raw_connection is not None
        if self.vendor == "postgresql":
            _copy(raw_connection, copy_sql(spec), rows)
        else:
            cols = ", ".join(connection.ops.quote_name(c) for c in spec.columns)
            table = connection.ops.quote_name(spec.table)
            placeholders = ", ".join("?" * len(spec.columns))
            raw_connection.executemany(f"INSERT INTO {table} ({cols}) VALUES ({placeholders})", rows)  # noqa: S608

    @contextmanager
    def in_background(self) -> Iterator[None]:
        """On PostgreSQL, let a second thread run the COPYs of what is written in this block, in order.

        The database then stores one chunk while this thread makes the next: the two overlap instead of taking
        turns. The rows and the transaction are the same (the thread uses the same connection); the block must not
        use the connection otherwise, and it ends when every row is written. A failed COPY stops the block at its
        next ``write`` (or at the end) with that error. On SQLite, writes happen in the block as before.
        """
        if self.vendor != "postgresql" or self._pending is not None:
            yield
            return
        raw_connection = connection.connection
        assert raw_connection is not None
        pending: queue.Queue[tuple[str, list[Row]] | None] = queue.Queue(maxsize=BACKGROUND_QUEUE)
        self._pending, self._failure = pending, None

        def run() -> None:
            while (item := pending.get()) is not None:
                if self._failure is None:  # after a failure, drain the queue so the block is never stuck
                    try:
                        _copy(raw_connection, *item)
                    except BaseException as error:  # handed to the block's thread, raised there
                        self._failure = error

        thread = threading.Thread(target=run, name="demo-copy", daemon=True)
        thread.start()
        try:
            yield
        except BaseException as error:
            self._failure = error  # the rest of the queue is dropped: the transaction is being abandoned
            raise
        finally:
            self._pending = None
            pending.put(None)
            thread.join()
        self._check_background()

    def _check_background(self) -> None:
        if self._failure is not None:
            failure, self._failure = self._failure, None
            raise failure


def copy_sql(spec: TableSpec) -> str:
    cols = ", ".join(connection.ops.quote_name(c) for c in spec.columns)
    return f"COPY {connection.ops.quote_name(spec.table)} ({cols}) FROM STDIN"


def _copy(raw_connection: Any, sql: str, rows: list[Row]) -> None:
    """One COPY of ``rows`` over the psycopg connection under Django's (so in its transaction)."""
    with raw_connection.cursor() as cursor, cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


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
    with connection.cursor() as cursor, maintenance_memory(cursor):
        for table, name, definition in constraints:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@contextmanager
def indexes_built_once(model_list: Sequence[type[models.Model]]) -> Iterator[None]:
    """On PostgreSQL, build these tables' indexes once, after the block, instead of entry by entry during it.

    For tables that nothing reads during the block except by primary key. Their other indexes are dropped and
    created again afterwards from their own definitions (``pg_get_indexdef``, so the same names and columns): a
    B-tree built from all the rows at once is a fraction of the work of inserting every row into it. Indexes behind
    a constraint (primary keys, unique constraints, any a foreign key uses) stay. It is all inside the load's
    transaction, so on any failure the indexes are back as they were; a unique index that the rows break fails
    the load when it is built.
    """
    if connection.vendor != "postgresql":
        yield
        return
    tables = [m._meta.db_table for m in model_list]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "WHERE i.indrelid::regclass::text = ANY(%s) "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY 1",
            [tables],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
    yield
    with connection.cursor() as cursor, maintenance_memory(cursor):
        # CREATE INDEX refuses while deferred checks are queued on the table: run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for _name, definition in indexes:
            cursor.execute(definition)
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@contextmanager
def maintenance_memory(cursor: Any) -> Iterator[None]:
    """On PostgreSQL, :data:`MAINTENANCE_MEMORY` for the index builds and key checks in the block, then the
    setting as it was (both local to the transaction)."""
    cursor.execute("SELECT current_setting('maintenance_work_mem')")
    (before,) = cursor.fetchone()
    cursor.execute("SELECT set_config('maintenance_work_mem', %s, true)", [MAINTENANCE_MEMORY])
    yield
    cursor.execute("SELECT set_config('maintenance_work_mem', %s, true)", [before])


def gather_statistics(model_list: Sequence[type[models.Model]] | None = None) -> None:
    """On PostgreSQL, ``ANALYZE`` these tables (None: every table), in the current transaction.

    Rows loaded in bulk leave the planner without statistics until autovacuum gets to the tables, after the load
    commits. Until then it guesses, and for a query by case it guesses thousands of rows (half a percent of the
    table) where there are a handful, and chooses to scan whole tables: the recompute and the services the load
    runs after the cases (the quality audits read each sampled case's record) would run on those guesses. ANALYZE
    reads a sample of each table (some 30,000 rows), so it costs about the same whatever the table's size.
    """
    if connection.vendor != "postgresql":
        return
    tables = "" if model_list is None else ", ".join(connection.ops.quote_name(m._meta.db_table) for m in model_list)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")


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
