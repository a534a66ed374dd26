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


COMPLIANCE_COLUMNS = ("Work", "Done on time", "Done late", "Open past due", "Counted", "On time (%)")


def _compliance_rows(kinds: list[mi.KindCompliance]) -> tuple[tuple[Cell, ...], ...]:
    return tuple((k.label, k.on_time, k.late, k.overdue, k.counted, k.percent_on_time) for k in kinds)


def _period(scope: mi.Scope) -> str:
    return f"due {_day(scope.start)} to {_day(scope.end)}"


def _timescales(scope: mi.Scope) -> tuple[Table, ...]:
    return (
        Table(
            "timescales", f"Timescale compliance, work {_period(scope)}", COMPLIANCE_COLUMNS,
            _compliance_rows(mi.timescale_compliance(scope)), "Work not yet due and cancelled work are not counted.",
        ),
    )  # fmt: skip


def _safeguarding(scope: mi.Scope) -> tuple[Table, ...]:
    found = mi.safeguarding_outstanding(scope)
    return (
        Table(
            "safeguarding", "Safeguarding enquiries outstanding, by working days since requested",
            ("Agency", *(label for label, _, _ in mi.AGE_BANDS), "All open", "Past the reply date"),
            tuple((a.label, *(n for _, n in a.bands), a.total, a.past_due) for a in found),
        ),
    )  # fmt: skip


def _workload(scope: mi.Scope) -> tuple[Table, ...]:
    found = mi.workload_distribution(scope)
    rows = (*found.bands, ("Grade not measured", found.not_measured), ("Median capacity (%)", found.median_percent))
    note = "Capacity is workload points as a share of the points a practitioner's hours allow (docs/workload.md)."
    when = f"as at the weekly snapshot of {_day(found.week)}" if found.week else "today (no snapshot yet this week)"
    return (Table("workload", f"Practitioners by capacity, {when}", ("Capacity", "Practitioners"), rows, note),)


def _mix(scope: mi.Scope) -> tuple[Table, ...]:
    found = mi.risk_mix(scope)
    return (
        Table("rosh", "Cases by RoSH level", ("RoSH", "Cases"), found.rosh),
        Table("tiers", "Cases by tier", ("Tier", "Cases"), found.tiers),
    )


def _enforcement(scope: mi.Scope) -> tuple[Table, ...]:
    found = mi.enforcement_timeliness(scope)
    counts = (
        ("Failures to comply awaiting a decision", found.decisions_awaiting),
        ("Decisions past due", found.decisions_overdue),
        ("Breaches in progress", found.breaches_in_progress),
    )
    return (
        Table("enforcement", "Enforcement", ("Measure", "Cases"), counts),
        Table("enforcement_timescales", f"Enforcement timescales, work {_period(scope)}", COMPLIANCE_COLUMNS,
              _compliance_rows(found.compliance)),
    )  # fmt: skip


def _signals(scope: mi.Scope) -> tuple[Table, ...]:
    found = mi.signal_reviews(scope)
    rows = (("Open", found.open), ("Past due", found.overdue), ("Oldest due date", _day(found.oldest_due)))
    return (Table("signals", "Warning-sign reviews", ("Measure", "Value"), rows),)


# Each builder and the tables it makes, in the page's order.
BUILDERS = (
    (("timescales",), _timescales),
    (("safeguarding",), _safeguarding),
    (("workload",), _workload),
    (("rosh", "tiers"), _mix),
    (("enforcement", "enforcement_timescales"), _enforcement),
    (("signals",), _signals),
)
KEYS = tuple(key for keys, _ in BUILDERS for key in keys)


def figures(scope: mi.Scope, only: str | None = None) -> Figures:
    """Every figure for the scope as tables, or only the table ``only`` (one of :data:`KEYS`)."""
    found: list[Table] = []
    for keys, build in BUILDERS:
        if only is None or only in keys:
            found.extend(t for t in build(scope) if only is None or t.key == only)
    return Figures(scope, tuple(found))


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
