"""Management information: ``GET /api/v1/figures`` (every figure) and ``GET /api/v1/figures/{key}`` (one).

The same figures, scope, filters and access as the page (``mi.selectors``, ``mi.tables``): quality assurance,
SPOs, heads of service and administrators; counts only the cases the reader may see. ``region`` and ``pdu`` are
codes; ``start`` and ``end`` (ISO dates) bound the period of work counted by due date (default: the 12 weeks to
today). An unknown code or a reversed period is a 422 with the field named; an unknown figure a 404.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from openprobation.core import clock
from openprobation.core.errors import NotFound
from openprobation.mi import selectors as mi
from openprobation.mi import tables

router = Router(tags=["management information"])


class FigureFilters(Schema):
    region: str | None = Field(None, description="Region code")
    pdu: str | None = Field(None, description="PDU code")
    start: dt.date | None = Field(None, description="First due date counted (default: 12 weeks before end)")
    end: dt.date | None = Field(None, description="Last due date counted (default: today)")


class TableOut(Schema):
    key: str = Field(description="timescales, safeguarding, workload, rosh, tiers, enforcement, "
                     "enforcement_timescales or signals")  # fmt: skip
    title: str
    columns: list[str] = Field(description="The first names the rows' labels")
    rows: list[list[str | int | float | None]] = Field(description="A label, then a value per further column")
    note: str


class FiguresOut(Schema):
    scope: str = Field(description="The whole service, a region's name or a PDU's name")
    region: str | None
    pdu: str | None
    start: dt.date
    end: dt.date
    figures: list[TableOut]


def _cell(value: Any) -> str | int | float | None:
    return float(value) if isinstance(value, Decimal) else value


def _table(table: tables.Table) -> dict[str, Any]:
    return {
        "key": table.key,
        "title": table.title,
        "columns": list(table.columns),
        "rows": [[_cell(v) for v in row] for row in table.rows],
        "note": table.note,
    }


def _figures(request: HttpRequest, filters: FigureFilters, only: str | None = None) -> tables.Figures:
    scope = mi.mi_scope(actor=request.user, today=clock.today(), **filters.dict())
    return tables.figures(scope, only)


def _out(found: tables.Figures, chosen: list[tables.Table]) -> dict[str, Any]:
    scope = found.scope
    return {
        "scope": scope.label,
        "region": scope.region,
        "pdu": scope.pdu,
        "start": scope.start,
        "end": scope.end,
        "figures": [_table(t) for t in chosen],
    }


@router.get("/figures", response=FiguresOut, summary="Every management-information figure for a scope and period")
def figures(request: HttpRequest, filters: Query[FigureFilters]) -> dict[str, Any]:
    found = _figures(request, filters)
    return _out(found, list(found.tables))


@router.get("/figures/{key}", response=FiguresOut, summary="One management-information figure")
def figure(request: HttpRequest, key: str, filters: Query[FigureFilters]) -> dict[str, Any]:
    if key not in tables.KEYS:
        raise NotFound(f"No figure called {key[:40]!r}: choose one of {', '.join(tables.KEYS)}")
    found = _figures(request, filters, key)
    return _out(found, list(found.tables))
