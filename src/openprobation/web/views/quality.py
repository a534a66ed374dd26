"""The quality assurance report on risk scores: the page and its CSV export (the selector does the work)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any, cast

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode

from openprobation.core.errors import ValidationFailed
from openprobation.risk import quality
from openprobation.web.errors import staff_page

CSV_HEADER = [
    "crn", "name", "team", "team_name", "region", "region_name", "practitioner", "kind", "recorded", "calculated",
    "difference", "reason", "rule", "policy_version", "missing",
]  # fmt: skip


# The counts of every team are shown when the report covers at most this many teams (a team's or a PDU's reader, or
# a region chosen); a national reader sees the regions, each a link to its teams' counts, instead of some 650 rows.
TEAM_ROWS_SHOWN = 60


def _filters(request: HttpRequest) -> dict[str, str | None]:
    return {key: (request.GET.get(key) or None) for key in ("policy", "team", "region")}


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    # an absurd page number (past the last page, or too big for the database) shows the first page
    return int(raw) if raw.isdigit() and 1 <= len(raw) <= 7 and int(raw) >= 1 else 1


@staff_page
def risk_report(request: HttpRequest) -> HttpResponse:
    choices = quality.report_filter_choices(actor=request.user)
    filters = _filters(request)
    context: dict[str, Any] = {"choices": choices, "filters": filters, "nav": "quality"}
    try:
        report = quality.risk_disagreements(
            actor=request.user,
            policy=filters["policy"],
            team=filters["team"],
            region=filters["region"],
            page=_page_number(request),
        )
    except ValidationFailed as exc:
        errors = [{"message": e.message, "anchor": e.dotted, "field": e.dotted} for e in exc.errors]
        context["errors"] = errors
        context["field_errors"] = {e["field"]: e for e in errors}
        return render(request, "web/quality_risk.html", context, status=400)
    page = Paginator(range(report.count), report.page_size).get_page(report.page)
    region_link = f"{reverse('web:quality-risk')}?{urlencode({'policy': report.policy.name})}&region="
    context.update({
        "report": report, "page": page, "csv_query": request.GET.urlencode(), "region_link": region_link,
        "show_teams": bool(filters["region"] or filters["team"]) or len(report.counts.teams) <= TEAM_ROWS_SHOWN,
    })  # fmt: skip
    return render(request, "web/quality_risk.html", context)


def _text(value: str | None) -> str:
    """A free-text cell that a spreadsheet must not run as a formula."""
    value = value or ""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


class _Echo:
    def write(self, value: str) -> str:
        return value


@staff_page
def risk_report_csv(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    try:
        rows = quality.risk_disagreements_all(actor=request.user, **filters)
    except ValidationFailed as exc:
        return HttpResponse(
            "\n".join(f"{e.dotted}: {e.message}" for e in exc.errors), status=400, content_type="text/plain"
        )
    policy = quality.report_policy(filters["policy"])
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield writer.writerow(CSV_HEADER)
        for r in rows:
            yield writer.writerow([
                r.crn, _text(r.name), r.team_code or "", _text(r.team_name), r.region_code or "",
                _text(r.region_name), _text(r.practitioner), r.kind, r.recorded, r.calculated, r.difference,
                r.reason, r.rule, policy.policy_version, ";".join(r.missing),
            ])  # fmt: skip

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="risk-disagreements-{policy.name}.csv"'
    # staff_page is typed for HttpResponse; a streaming response is handled the same way by Django.
    return cast(HttpResponse, response)
