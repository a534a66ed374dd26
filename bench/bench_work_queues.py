"""Benchmark the work queues at national scale: a team's queue and a PDU's overdue counts on PostgreSQL.

Starts a throwaway PostgreSQL cluster (as bench_demo_data.py does), migrates it, loads the demo caseload with
``openprobation demo-data --people N``, whose work items are made by replaying each case's record through the
work-item rules (``openprobation.demo.casework``), with its practitioners' own work drawn around it (a believable
backlog, not everything overdue).
Then each page and API endpoint is requested the way a user does, through Django's test client (URL routing, sign-in
or token, access rules, queries, JSON or template rendering included), as bench_case_record.py does: timed (median of
repeated runs, after a warm-up), its queries counted (no N+1: the count does not grow with the data) and the slowest
query EXPLAINed to show the index it uses.

    .venv/bin/python bench/bench_work_queues.py                       # 250,000 people (about 3 minutes)
    .venv/bin/python bench/bench_work_queues.py --people 10000 --no-write
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

RESULTS = ROOT / "bench" / "results" / "work_queues.md"
TARGET_MS = 100.0


def run_measurements(repeats: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    from django.db.models import Count
    from django.test import Client

    from openprobation.core.tokens import token_create
    from openprobation.organisation.models import Pdu, Staff, Team
    from openprobation.workitems.models import WorkItem

    # The busiest team and practitioner, and a PDU with a head of service: the worst cases, not the average.
    team = Team.objects.annotate(n=Count("work_items")).order_by("-n").first()
    assert team is not None
    spo = Staff.objects.filter(team=team, role="spo").first() or Staff.objects.filter(role="administrator").first()
    practitioner = (
        Staff.objects.filter(team=team, role="practitioner").annotate(n=Count("work_items")).order_by("-n").first()
    )
    pdu = Pdu.objects.get(pk=team.pdu_id)
    head = (
        Staff.objects.filter(role="head_of_service", team__pdu=pdu).first()
        or Staff.objects.filter(role="administrator").first()
    )
    assert practitioner is not None
    spo_user, po_user, head_user = actor_for(spo), actor_for(practitioner), actor_for(head)
    case = WorkItem.objects.filter(owner=practitioner, status="open").select_related("person").first()
    assert case is not None

    def signed_in(user: Any) -> Any:
        client = Client()
        client.force_login(user)
        return client

    def api(user: Any) -> Any:
        return Client(headers={"Authorization": f"Bearer {token_create(username=user.username)}"})

    spo_page, po_page = signed_in(spo_user), signed_in(po_user)
    spo_api, po_api, head_api = api(spo_user), api(po_user), api(head_user)
    checks = [
        (
            "team queue page (per-practitioner overdue / due soon / open)",
            request(spo_page, f"/team/{team.code}/queue/"),
        ),
        (
            "team queue page: one practitioner's overdue items",
            request(spo_page, f"/team/{team.code}/queue/?owner={practitioner.code}&count=overdue"),
        ),
        ("practitioner's What's due page", request(po_page, "/whats-due/")),
        ("SPO's What's due page (with escalated enquiries)", request(spo_page, "/whats-due/")),
        (
            "API: PDU overdue counts (per team)",
            request(head_api, f"/api/v1/work-items/overdue-counts?pdu={pdu.code}"),
        ),
        (
            "API: team's overdue items, 50 a page, with count",
            request(spo_api, f"/api/v1/work-items?team={team.code}&overdue=true&page_size=50"),
        ),
        (
            "API: a practitioner's open items, 200 a page, with count",
            request(spo_api, f"/api/v1/work-items?practitioner={practitioner.code}&page_size=200"),
        ),
        ("API: a case's work items", request(po_api, f"/api/v1/people/{case.person.crn}/work-items")),
    ]
    results = [measure(name, run, repeats) for name, run in checks]
    context = {
        "work_items": WorkItem.objects.count(),
        "open": WorkItem.objects.filter(status="open").count(),
        "team": f"{team.code} ({WorkItem.objects.filter(team=team).count():,} items)",
        "practitioner_items": WorkItem.objects.filter(owner=practitioner).count(),
        "pdu": f"{pdu.code} ({Team.objects.filter(pdu=pdu).count()} teams)",
    }
    return results, context


def write(results: list[dict[str, Any]], context: dict[str, Any], people: int, loaded: float, pg: str) -> None:
    lines = [
        "# Work queues at national scale: timings",
        "",
        f"Measured {dt.date.today().isoformat()} with `python bench/bench_work_queues.py --people {people}`.",
        f"Machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, {pg} (throwaway cluster, fsync off).",
        "",
        f"Data: the demo caseload of {people:,} people (loaded in {loaded:.0f} s); {context['work_items']:,} work "
        f"items made by replaying each case's record through the work-item rules ({context['open']:,} open). "
        "Measured on the "
        f"busiest team {context['team']}, its busiest practitioner ({context['practitioner_items']:,} items) and "
        f"its PDU {context['pdu']}. Each figure is the median of repeated requests after a warm-up, through "
        "Django's test client (routing, sign-in or API token, access rules, queries and rendering included); target "
        f"under {TARGET_MS:.0f} ms per request.",
        "",
        "| request | median ms | p90 ms | queries | indexes used (slowest query) | within target |",
        "| --- | ---: | ---: | ---: | --- | --- |",
    ]
    for r in results:
        lines.append(
            f"| {r['name']} | {r['median_ms']:.1f} | {r['p90_ms']:.1f} | {r['queries']} | "
            f"{', '.join(r['indexes']) or '(none)'} | {'yes' if r['median_ms'] < TARGET_MS else 'NO'} |"
        )
    lines += [
        "",
        "Query counts are fixed per request (no query per row): they include the session or token lookup, and the "
        "item lists read each item's case, owner and team in the same query "
        "(tests/workitems/test_work_items_api.py and tests/workitems/test_work_pages.py check that 1 and 20 items "
        "cost the same number of queries).",
        "",
    ]
    for r in results:
        lines += [f"## EXPLAIN ANALYZE: {r['name']}", "", "```", r["plan"], "```", ""]
    RESULTS.write_text("\n".join(lines))


def main() -> int:
    return measure_main(__doc__ or "", run_measurements, write, results_file=RESULTS, target_ms=TARGET_MS, repeats=21)


if __name__ == "__main__":
    raise SystemExit(main())
