"""The management information as tables: what the page shows, and exactly what the CSV and spreadsheet hold.

Each figure becomes a :class:`Table` (a title, column headings, rows of a label and numbers); the page renders the
tables, the CSV writes one line per cell, and the spreadsheet one sheet per table, all from the same tables, so an
export always equals the page.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import xlsxwriter

from openprobation.mi import selectors as mi

Cell = int | Decimal | str | None


@dataclass(frozen=True)
class Table:
    key: str  # stable id: the page's table id, the CSV's first column, the spreadsheet's sheet name
    title: str
    columns: tuple[str, ...]  # the first heads the row labels
    rows: tuple[tuple[Cell, ...], ...]
    note: str = ""

    def cell_id(self, row: int, column: int) -> str:
        return f"{self.key}-{row}-{column}"


@dataclass(frozen=True)
class Figures:
    scope: mi.Scope
    tables: tuple[Table, ...]


def _day(value: dt.date | None) -> str:
    return f"{value.day} {value:%b %Y}" if value else ""


def figures(scope: mi.Scope) -> Figures:
    """Every figure for the scope, as tables."""
    compliance = mi.timescale_compliance(scope)
    safeguarding = mi.safeguarding_outstanding(scope)
    workload = mi.workload_distribution(scope)
    mix = mi.risk_mix(scope)
    enforcement = mi.enforcement_timeliness(scope)
    signals = mi.signal_reviews(scope)
    period = f"due {_day(scope.start)} to {_day(scope.end)}"
    compliance_columns = ("Work", "Done on time", "Done late", "Open past due", "Counted", "On time (%)")

    def compliance_rows(kinds: list[mi.KindCompliance]) -> tuple[tuple[Cell, ...], ...]:
        return tuple((k.label, k.on_time, k.late, k.overdue, k.counted, k.percent_on_time) for k in kinds)

    tables = (
        Table(
            "timescales", f"Timescale compliance, work {period}", compliance_columns, compliance_rows(compliance),
            "Work not yet due and cancelled work are not counted.",
        ),
        Table(
            "safeguarding", "Safeguarding enquiries outstanding, by working days since requested",
            ("Agency", *(label for label, _, _ in mi.AGE_BANDS), "All open", "Past the reply date"),
            tuple((a.label, *(n for _, n in a.bands), a.total, a.past_due) for a in safeguarding),
        ),
        Table(
            "workload", "Practitioners by capacity", ("Capacity", "Practitioners"),
            (
                *workload.bands,
                ("Grade not measured", workload.not_measured),
                ("Median capacity (%)", workload.median_percent),
            ),
            "Capacity is workload points as a share of the points a practitioner's hours allow (docs/workload.md).",
        ),
        Table("rosh", "Cases by RoSH level", ("RoSH", "Cases"), mix.rosh),
        Table("tiers", "Cases by tier", ("Tier", "Cases"), mix.tiers),
        Table(
            "enforcement", "Enforcement", ("Measure", "Cases"),
            (
                ("Failures to comply awaiting a decision", enforcement.decisions_awaiting),
                ("Decisions past due", enforcement.decisions_overdue),
                ("Breaches in progress", enforcement.breaches_in_progress),
            ),
        ),
        Table("enforcement_timescales", f"Enforcement timescales, work {period}", compliance_columns,
              compliance_rows(enforcement.compliance)),
        Table(
            "signals", "Warning-sign reviews", ("Measure", "Value"),
            (("Open", signals.open), ("Past due", signals.overdue), ("Oldest due date", _day(signals.oldest_due))),
        ),
    )  # fmt: skip
    return Figures(scope, tables)


def text(value: Cell) -> str:
    return "" if value is None else str(value)


def csv_rows(found: Figures) -> Iterator[list[str]]:
    """``table, row, column, value`` for every cell, after a line naming the scope and period."""
    scope = found.scope
    yield ["scope", scope.label, "period", f"{scope.start.isoformat()} to {scope.end.isoformat()}"]
    yield ["table", "row", "column", "value"]
    for table in found.tables:
        for row in table.rows:
            for heading, value in zip(table.columns[1:], row[1:], strict=True):
                yield [table.key, _safe(text(row[0])), heading, text(value)]


def _safe(value: str) -> str:
    """A label a spreadsheet must not run as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def spreadsheet(found: Figures) -> bytes:
    """An .xlsx workbook: a sheet per table (numbers as numbers), headed by the scope and period."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    bold = book.add_format({"bold": True})
    for table in found.tables:
        sheet = book.add_worksheet(table.key[:31])
        sheet.write_string(0, 0, table.title, bold)
        scope = found.scope
        sheet.write_string(1, 0, f"{scope.label}, {scope.start.isoformat()} to {scope.end.isoformat()}")
        for column, heading in enumerate(table.columns):
            sheet.write_string(3, column, heading, bold)
        for r, row in enumerate(table.rows, start=4):
            for column, value in enumerate(row):
                if isinstance(value, int | Decimal):
                    sheet.write_number(r, column, float(value))
                elif value is not None:
                    sheet.write_string(r, column, str(value))
        sheet.set_column(0, 0, 42)
        sheet.set_column(1, len(table.columns), 16)
    book.close()
    return out.getvalue()
