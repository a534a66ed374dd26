"""Querysets compiled to SQL once per process and run again with a new value: for the few reads made on every API
request (the token and its user, the case and its lists), where turning the queryset into SQL cost more than running
it.

``Prepared(build)`` takes a function that makes the queryset from one string (a digest, a CRN). The first use on a
database compiles ``build`` applied to a marker value, remembers the SQL, where the marker sits among its parameters,
the columns' converters and how each row becomes model instances (``select_related`` included); each later use
runs that SQL with the value in the marker's place and builds the instances as Django's own iteration does. The query
is the ORM's: the same SQL, the same converters, the same instances, only not compiled again.

On PostgreSQL the statement is also prepared on the server, once per connection, so the database does not plan it
again either (planning a join of four tables took ten times as long as running it). That takes a cursor that binds
its parameters on the server: Django's own cursors bind them in the client and are never prepared, whatever
``prepare_threshold`` says. ``settings.DB_PREPARED_STATEMENTS`` (``OPENPROBATION_DB_PREPARED=false``) turns it off,
for a connection pooler that cannot keep prepared statements.

``ShapedSql(build)`` does the same for raw statements of several values that the ORM builds for reports (the risk
quality report's counts and rows, decision 0035): compiled once per *shape* (what decides the text: the reader's
scope, the filters chosen) and run with each request's values. Those run as Django's cursors do (not prepared on
the server: measured, it gained nothing there).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import psycopg
from django.conf import settings
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]  # select_related's own

M = TypeVar("M", bound=Model)

# A value no caller passes (NUL is refused by every text check before a query is made): it marks the parameter.
_MARKER = "\x00prepared\x00"


@dataclass(frozen=True)
class _Plan:
    sql: str
    params: tuple[Any, ...]
    position: int
    converters: tuple[tuple[int, tuple[Callable[..., Any], ...], Any], ...]
    model: type[Model]
    fields_start: int
    fields_end: int
    init_list: tuple[str, ...]
    populators: tuple[Any, ...]
    annotations: tuple[tuple[str, int], ...]


class Prepared(Generic[M]):
    """A queryset of one string parameter, compiled once per database alias (see the module's docstring)."""

    def __init__(self, build: Callable[[str], QuerySet[M]]) -> None:
        self._build = build
        self._alias: str | None = None  # the database the queryset reads from, found on first use
        self._plans: dict[tuple[str, str], _Plan] = {}
        self._lock = threading.Lock()

    def _plan(self) -> tuple[_Plan, str]:
        alias = self._alias
        plan = self._plans.get((alias, connections[alias].vendor)) if alias is not None else None
        if plan is None or alias is None:
            with self._lock:
                queryset = self._build(_MARKER)
                alias = self._alias = queryset.db
                key = (alias, connections[alias].vendor)
                plan = self._plans.get(key) or self._compile(queryset, alias)
                self._plans[key] = plan
        return plan, alias

    @staticmethod
    def _compile(queryset: QuerySet[M], alias: str) -> _Plan:
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        positions = [i for i, value in enumerate(params) if value == _MARKER]
        if len(positions) != 1:
            raise ValueError(f"A prepared query takes its value exactly once, not {len(positions)} times")
        select, klass_info = compiler.select, compiler.klass_info
        if klass_info is None:
            raise ValueError("A prepared query returns model instances")
        fields = [column[0] for column in select[: compiler.col_count]]
        converters = tuple(
            (index, tuple(functions), expression)
            for index, (functions, expression) in sorted(compiler.get_converters(fields).items())
        )
        select_fields = klass_info["select_fields"]
        start, end = select_fields[0], select_fields[-1] + 1
        return _Plan(
            sql=sql,
            params=tuple(params),
            position=positions[0],
            converters=converters,
            model=klass_info["model"],
            fields_start=start,
            fields_end=end,
            init_list=tuple(column[0].target.attname for column in select[start:end]),
            populators=tuple(get_related_populators(klass_info, select, alias)),
            annotations=tuple((compiler.annotation_col_map or {}).items()),
        )

    def all(self, value: str) -> list[M]:
        """The rows for ``value`` as model instances, as ``list(build(value))`` gives them."""
        plan, alias = self._plan()
        params = list(plan.params)
        params[plan.position] = value
        connection = connections[alias]
        with _cursor(connection) as cursor:
            cursor.execute(plan.sql, params)
            rows = cursor.fetchall()
        instances: list[M] = []
        for fetched in rows:
            row = list(fetched)
            for index, functions, expression in plan.converters:
                for function in functions:
                    row[index] = function(row[index], expression, connection)
            instance = plan.model.from_db(alias, list(plan.init_list), row[plan.fields_start : plan.fields_end])
            for populator in plan.populators:
                populator.populate(row, instance)
            for name, index in plan.annotations:
                setattr(instance, name, row[index])
            instances.append(instance)  # type: ignore[arg-type]
        return instances

    def first(self, value: str) -> M | None:
        found = self.all(value)
        return found[0] if found else None


def _cursor(connection: BaseDatabaseWrapper) -> CursorWrapper:
    """Django's cursor, or on PostgreSQL (unless turned off) Django's wrapper, query log included, around a cursor
    that binds on the server, whose statements psycopg prepares (``prepare_threshold``, set in settings)."""
    if connection.vendor != "postgresql" or not settings.DB_PREPARED_STATEMENTS:
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    server_bound: Any = psycopg.Cursor(connection.connection)  # the stubs expect a wrapper; Django passes the cursor
    if connection.queries_logged:
        return connection.make_debug_cursor(server_bound)
    return connection.make_cursor(server_bound)


# ---- raw statements built by the ORM, compiled once per shape ----

_INT_MARKERS = (2_000_000_011, 2_000_000_013)  # past any real id, within every integer column's range
_STR_MARKERS = ("\x00shaped-a\x00", "\x00shaped-b\x00")


def _markers(values: Sequence[Any], which: int) -> list[Any]:
    """Stand-ins for ``values``, each distinct from the others and from any value a query holds of itself."""
    found: list[Any] = []
    for i, value in enumerate(values):
        if isinstance(value, bool) or value is None:
            raise TypeError("a shaped statement's values are ids, codes or lists of ids: booleans and None belong "
                            "to its shape")  # fmt: skip
        if isinstance(value, int):
            found.append(_INT_MARKERS[which] + 1000 * i)
        elif isinstance(value, str):
            found.append(f"{_STR_MARKERS[which]}{i}")
        elif isinstance(value, list):
            found.append([_INT_MARKERS[which] + 1000 * i])
        else:
            raise TypeError(f"a shaped statement cannot take a {type(value).__name__}")
    return found


@dataclass(frozen=True)
class _Shaped:
    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[int, int], ...]  # (position among the params, index among the values)


class ShapedSql:
    """A raw statement that a function builds (usually through the ORM: ``query.get_compiler().as_sql()``) from a
    few values, compiled once per shape and database and run again with new values.

    ``build(shape, values)`` returns ``(sql, params)``; the caller names the ``shape``: everything besides the values
    that decides the statement's text (which conditions apply, which filters are chosen). Each value must reach the
    parameters as it is given (an id, a code, a list of ids as one array parameter), never the text. The first use of
    a shape builds the statement twice, with two sets of stand-in values, and keeps the text and where each value
    sits among the parameters; it refuses a build whose text changes with the values (a value that decides the
    shape, which the caller must name in ``shape`` instead). Later uses put the values in their places."""

    def __init__(self, build: Callable[[Any, Sequence[Any]], tuple[str, Sequence[Any]]]) -> None:
        self._build = build
        self._shapes: dict[tuple[Any, ...], _Shaped] = {}
        self._lock = threading.Lock()

    def __call__(self, shape: Hashable, values: Sequence[Any], *, using: str = "default") -> tuple[str, list[Any]]:
        connection = connections[using]
        key = (using, connection.vendor, shape, tuple(type(v) for v in values))
        shaped = self._shapes.get(key)
        if shaped is None:
            with self._lock:
                shaped = self._shapes.get(key) or self._compile(shape, values)
                self._shapes[key] = shaped
        params = list(shaped.params)
        for position, index in shaped.slots:
            params[position] = values[index]
        return shaped.sql, params

    def _compile(self, shape: Any, values: Sequence[Any]) -> _Shaped:
        first, second = _markers(values, 0), _markers(values, 1)
        sql, params = self._build(shape, first)
        sql_b, params_b = self._build(shape, second)
        if sql != sql_b or len(params) != len(params_b):
            raise ValueError("a shaped statement's text changed with its values: name what decides it in the shape")
        slots = []
        for position, (a, b) in enumerate(zip(params, params_b, strict=True)):
            if a == b:
                continue
            index = next((i for i, marker in enumerate(first) if marker == a), None)
            if index is None or second[index] != b:
                raise ValueError(f"a shaped statement's parameter {position} is not one of its values as given")
            slots.append((position, index))
        return _Shaped(sql, tuple(params), tuple(slots))

    def shapes(self) -> int:
        """How many shapes have been compiled (for tests)."""
        return len(self._shapes)
