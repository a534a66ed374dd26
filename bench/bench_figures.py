"""Benchmark management information at national scale: every figure for the whole service, a region and a PDU,
and each figure alone, on the demo caseload on PostgreSQL; and the risk quality report for comparison.

Loads the demo caseload into a throwaway PostgreSQL cluster as bench_work_queues.py does, then requests each page
and API endpoint through Django's test client (routing, sign-in or token, access rules, queries and rendering
included): the median and 90th percentile of repeated requests after a warm-up, the query count, and the slowest
query's plan. Target: under one second per request.

    .venv/bin/python bench/bench_figures.py                        # 250,000 people
    .venv/bin/python bench/bench_figures.py --people 20000 --no-write
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
RESULTS = ROOT / "bench" / "results" / "figures.md"
TARGET_MS = 1000.0
FIGURES = ("timescales", "safeguarding", "workload", "rosh", "enforcement", "signals")


def run_measurements(repeats: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    from bench_work_queues import actor_for, measure, request
    from django.db.models import Count
    from django.test import Client

    from openprobation.core.tokens import token_create
    from openprobation.organisation.models import Pdu, Staff
    from openprobation.people.models import Person
    from openprobation.workitems.models import WorkItem

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
    checks = [
        ("figures page, whole service (every figure)", request(page, "/figures/")),
        ("API: every figure, whole service", request(api, "/api/v1/figures")),
        (f"API: every figure, region {pdu.region.code}", request(api, f"/api/v1/figures?region={pdu.region.code}")),
        (f"API: every figure, PDU {pdu.code} (head of service)", request(head_api, f"/api/v1/figures?pdu={pdu.code}")),
        ("CSV export, whole service", request(page, "/figures.csv")),
        *((f"API: {key} alone, whole service", request(api, f"/api/v1/figures/{key}")) for key in FIGURES),
        ("risk quality report page, whole service (for comparison)", request(page, "/quality/risk/")),
    ]
    results = [measure(name, run, repeats) for name, run in checks]
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
        f"Data: the demo caseload of {people:,} people (loaded in {loaded:.0f} s), {context['work_items']:,} work "
        f"items, {context['practitioners']:,} practitioners; the biggest PDU {context['pdu']}. Each figure is the "
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
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=250_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()

    from bench_demo_data import _postgres_version
    from bench_work_queues import demo_database

    with demo_database(args.people, args.seed) as loaded:
        results, context = run_measurements(args.repeats)
    for r in results:
        print(f"{r['name']}: median {r['median_ms']:.1f} ms, p90 {r['p90_ms']:.1f} ms, {r['queries']} queries")
    if not args.no_write:
        write(results, context, args.people, loaded, _postgres_version())
        print(f"written {RESULTS.relative_to(ROOT)}")
    return 0 if all(r["median_ms"] < TARGET_MS for r in results if "comparison" not in r["name"]) else 1


if __name__ == "__main__":
    raise SystemExit(main())
