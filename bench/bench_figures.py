"""Benchmark management information at national scale: every figure for the whole service, a region and a PDU,
and each figure alone, on the demo caseload on PostgreSQL; the league table; and the risk quality report for
comparison.

Loads the demo caseload into a throwaway PostgreSQL cluster (``harness.demo_database``), vacuums and analyses it
(as autovacuum would have done to a database in use: a table just loaded has no visibility map, so no index-only
scan, and no statistics); the demo load has taken the week's workload snapshot (as the daily
``weekly_workload_snapshot`` job does): the bench deletes it to time the workload figure without it, then takes it
again. Then it requests each page and API endpoint through Django's test client (routing, sign-in or token, access
rules, queries and rendering included): the median and 90th percentile of repeated requests after a warm-up, the
query count, and the slowest query's plan. The workload figure is also timed before the week's snapshot is taken
(worked out from the record). Target: under one second per request.

    .venv/bin/python bench/bench_figures.py                        # 250,000 people
    .venv/bin/python bench/bench_figures.py --people 20000 --no-write
    .venv/bin/python bench/bench_figures.py --database-url postgres://...  # a database the demo is loaded in
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import ROOT, actor_for, measure, measure_main, request

RESULTS = ROOT / "bench" / "results" / "figures.md"
TARGET_MS = 1000.0
FIGURES = ("timescales", "safeguarding", "workload", "rosh", "enforcement", "signals")


def prepare() -> None:
    """Vacuum and analyse the loaded database, as autovacuum would have done to one in use."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")


def run_measurements(repeats: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    from django.db.models import Count
    from django.test import Client

    from openprobation.core import clock
    from openprobation.core.tokens import token_create
    from openprobation.organisation.models import Pdu, Staff
    from openprobation.people.models import Person
    from openprobation.rules.workload.overload import week_of
    from openprobation.workitems.models import WorkItem
    from openprobation.workload.models import WorkloadSnapshot
    from openprobation.workload.services import workload_snapshot

    admin = Staff.objects.filter(role="administrator").first()
    assert admin is not None
    pdu = Pdu.objects.annotate(n=Count("teams__people")).order_by("-n").select_related("region").first()
    assert pdu is not None
    head = Staff.objects.filter(role="head_of_service", team__pdu=pdu).first() or admin
    admin_user, head_user = actor_for(admin), actor_for(head)
    page = Client()
    page.force_login(admin_user)
    api = Client(headers={"Authorization": f"Bearer {token_create(username=admin_user.username)}"})
    head_api = Client(headers={"Authorization": f"Bearer {token_create(username=head_user.username)}"})
    # The workload figure before the week's snapshot is taken (worked out from the record), then the snapshot.
    WorkloadSnapshot.objects.filter(week=week_of(clock.today())).delete()
    results = [measure("API: workload alone, whole service, before the week's snapshot (fallback)", request(
        api, "/api/v1/figures/workload"), repeats)]  # fmt: skip
    workload_snapshot()
    checks = [
        ("figures page, whole service (every figure)", request(page, "/figures/")),
        ("API: every figure, whole service", request(api, "/api/v1/figures")),
        (f"API: every figure, region {pdu.region.code}", request(api, f"/api/v1/figures?region={pdu.region.code}")),
        (f"API: every figure, PDU {pdu.code} (head of service)", request(head_api, f"/api/v1/figures?pdu={pdu.code}")),
        ("CSV export, whole service", request(page, "/figures.csv")),
        *((f"API: {key} alone, whole service", request(api, f"/api/v1/figures/{key}")) for key in FIGURES),
        ("league table page, PDUs (with trends)", request(page, "/quality/league-table/?level=pdu")),
        ("API: league table, PDUs", request(api, "/api/v1/league-table?level=pdu")),
        ("risk quality report page, whole service (for comparison)", request(page, "/quality/risk/")),
    ]
    results += [measure(name, run, repeats) for name, run in checks]
    context = {
        "people": Person.objects.count(),
        "work_items": WorkItem.objects.count(),
        "practitioners": Staff.objects.filter(role="practitioner").count(),
        "pdu": f"{pdu.code} ({pdu.name})",
    }
    return results, context


def write(results: list[dict[str, Any]], context: dict[str, Any], people: int, loaded: float, pg: str) -> None:
    lines = [
        "# Management information at national scale: timings",
        "",
        f"Measured {dt.date.today().isoformat()} with `python bench/bench_figures.py --people {people}`.",
        f"Machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, {pg} (throwaway cluster, fsync off).",
        "",
        f"Data: the demo caseload of {context['people']:,} people (loaded in {loaded:.0f} s; the database then "
        "vacuumed and analysed, as autovacuum would have done to one in use, and the week's workload snapshot taken, "
        f"as the daily job does), {context['work_items']:,} work items, {context['practitioners']:,} practitioners; "
        f"the biggest PDU {context['pdu']}. Each figure is the "
        "median of repeated requests after a warm-up through Django's test client; target under "
        f"{TARGET_MS:.0f} ms per request.",
        "",
        "| request | median ms | p90 ms | queries | indexes used (slowest query) | within target |",
        "| --- | ---: | ---: | ---: | --- | --- |",
    ]
    for r in results:
        lines.append(
            f"| {r['name']} | {r['median_ms']:.1f} | {r['p90_ms']:.1f} | {r['queries']} | "
            f"{', '.join(r['indexes']) or '(none)'} | {'yes' if r['median_ms'] < TARGET_MS else 'NO'} |"
        )
    lines.append("")
    for r in results:
        lines += [f"## EXPLAIN ANALYZE: {r['name']}", "", "```", r["plan"], "```", ""]
    RESULTS.write_text("\n".join(lines))


def main() -> int:
    return measure_main(__doc__ or "", run_measurements, write, results_file=RESULTS, target_ms=TARGET_MS, repeats=7,
                        prepare=prepare, judged=lambda r: "comparison" not in r["name"] and "fallback" not in r["name"])


if __name__ == "__main__":
    raise SystemExit(main())
