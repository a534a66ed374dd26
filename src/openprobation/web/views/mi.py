"""Management information: the figures page for a PDU, a region or the whole service, with CSV and spreadsheet
exports of exactly what the page shows (``mi.tables``)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from openprobation.core import clock
from openprobation.core.errors import FieldError, ValidationFailed
from openprobation.mi import selectors as mi
from openprobation.mi import tables
from openprobation.web.dates import parse_date_input
from openprobation.web.errors import staff_page
from openprobation.web.work_forms import FormField

BAR_WIDTH = 300  # the longest bar of a chart, in the SVG's units


def _period(request: HttpRequest) -> tuple[dt.date | None, dt.date | None]:
    """The period typed in the filter form (either end may be left empty); a bad date is a field error."""
    found: dict[str, dt.date | None] = {}
    errors = []
    for name, label in (("start", "the start of the period"), ("end", "the end of the period")):
        parts = (request.GET.get(f"{name}_{part}", "") for part in ("day", "month", "year"))
        found[name], message = parse_date_input(*parts, label=label, required=False)
        if message:
            errors.append(FieldError((name,), message))
    if errors:
        raise ValidationFailed(errors)
    return found["start"], found["end"]


def _figures(request: HttpRequest) -> tables.Figures:
    start, end = _period(request)
    scope = mi.mi_scope(
        actor=request.user,
        region=request.GET.get("region"),
        pdu=request.GET.get("pdu"),
        start=start,
        end=end,
        today=clock.today(),
    )
    return tables.figures(scope)


def _chart(table: tables.Table, column: int = 1) -> dict[str, Any] | None:
    """Bars for a table's rows (one number column), scaled to the largest; None when nothing to draw."""
    values = [row[column] for row in table.rows]
    numbers = [int(v) if isinstance(v, int) else 0 for v in values]
    top = max(numbers, default=0)
    if top <= 0:
        return None
    bars = [
        {"label": str(row[0]), "value": n, "width": max(1, round(BAR_WIDTH * n / top)) if n else 0, "y": 8 + 26 * i}
        for i, (row, n) in enumerate(zip(table.rows, numbers, strict=True))
        if isinstance(row[column], int)
    ]
    return {"bars": bars, "height": 16 + 26 * len(bars), "title": table.title}


CHARTED = {"rosh": 1, "tiers": 1, "workload": 1}
PERIOD_FIELDS = (
    FormField("start", "Work due from", "date", hint="For example, 1 9 2026. Leave empty for 12 weeks before the end"),
    FormField("end", "Work due up to", "date", hint="For example, 30 11 2026. Leave empty for today"),
)


@staff_page
def figures_page(request: HttpRequest) -> HttpResponse:
    choices = mi.scope_choices(actor=request.user)
    context: dict[str, Any] = {
        "choices": choices,
        "filters": request.GET,
        "nav": "mi",
        "period_fields": PERIOD_FIELDS,
        "form": {"data": request.GET, "errors": {}},
    }
    try:
        found = _figures(request)
    except ValidationFailed as exc:
        errors = [{"message": e.message, "anchor": e.dotted, "field": e.dotted} for e in exc.errors]
        field_errors = {e["field"]: e for e in errors}
        context.update(errors=errors, field_errors=field_errors, form={"data": request.GET, "errors": field_errors})
        return render(request, "web/mi.html", context, status=400)
    charts = {t.key: _chart(t, CHARTED[t.key]) for t in found.tables if t.key in CHARTED}
    sections = [{"table": t, "chart": charts.get(t.key)} for t in found.tables]
    context.update(found=found, sections=sections, export_query=request.GET.urlencode())
    return render(request, "web/mi.html", context)


def _export_error(exc: ValidationFailed) -> HttpResponse:
    return HttpResponse(
        "\n".join(f"{e.dotted}: {e.message}" for e in exc.errors), status=400, content_type="text/plain"
    )


def _filename(found: tables.Figures, extension: str) -> str:
    where = found.scope.pdu or found.scope.region or "service"
    return f"figures-{where}-{found.scope.start.isoformat()}-{found.scope.end.isoformat()}.{extension}"


@staff_page
def figures_csv(request: HttpRequest) -> HttpResponse:
    try:
        found = _figures(request)
    except ValidationFailed as exc:
        return _export_error(exc)
    out = io.StringIO()
    csv.writer(out).writerows(tables.csv_rows(found))
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(found, "csv")}"'
    return response


@staff_page
def figures_xlsx(request: HttpRequest) -> HttpResponse:
    try:
        found = _figures(request)
    except ValidationFailed as exc:
        return _export_error(exc)
    response = HttpResponse(
        tables.spreadsheet(found), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(found, "xlsx")}"'
    return response
