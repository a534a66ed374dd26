"""Benchmark the work queues at national scale: a team's queue and a PDU's overdue counts on PostgreSQL.

Starts a throwaway PostgreSQL cluster (as bench_demo_data.py does), migrates it, loads the demo caseload with
``openprobation demo-data --people N``, then makes the work items the timescale rules give every active event
(sentence or release), in bulk, with the demo's generator (``openprobation.demo.extras.generate_items``): the rules
are the service's own (``rules.timescales.items_due``), the rows go in by COPY. Items due more than 60 days ago
are mostly done (a believable backlog, not everything overdue).
Then each selector the pages and the API use is timed (median of repeated runs, after a warm-up), its queries
counted (no N+1: the count does not grow with the data) and the main query EXPLAINed to show the index it uses.

    .venv/bin/python bench/bench_work_queues.py                       # 250,000 people (about 3 minutes)
    .venv/bin/python bench/bench_work_queues.py --people 10000 --no-write
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
CLI = [sys.executable, "-m", "openprobation.cli"]
RESULTS = ROOT / "bench" / "results" / "work_queues.md"
TARGET_MS = 100.0


def load(env: dict[str, str], people: int, seed: int) -> None:
    subprocess.run([*CLI, "migrate", "-v", "0"], env=env, check=True, cwd=ROOT)
    subprocess.run(
        [*CLI, "demo-data", "--people", str(people), "--seed", str(seed), "--quiet", "--no-migrate"],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
    )


def generate_items(seed: int) -> int:
    """Every active event's work items under the default preset (``openprobation.demo.extras.generate_items``, as
    of today), bulk-inserted; returns the rows written. demo-data makes them too: they are replaced here."""
    from django.db import connection, transaction

    from openprobation.core import clock
    from openprobation.demo.extras import generate_items as generate_work_items
    from openprobation.workitems.models import WorkItem

    with transaction.atomic():
        WorkItem.objects.all().delete()
        written = generate_work_items(seed, clock.today())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return written


def actor_for(staff: Any) -> Any:
    """The staff member's sign-in account (made for the bench when the demo gave them none)."""
    from django.contrib.auth import get_user_model

    if staff.user_id is None:
        staff.user = get_user_model().objects.create(username=f"bench-{staff.code}".lower())
        staff.save(update_fields=["user"])
    return staff.user


def measure(name: str, run: Callable[[], Any], repeats: int) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    run()  # warm-up: connection, caches, plans
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as ctx:
        run()
    slowest = max(ctx.captured_queries, key=lambda q: float(q["time"]))["sql"]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + slowest)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    indexes = sorted(set(re.findall(r"(?:Index|Bitmap Index) (?:Only )?Scan (?:Backward )?(?:using|on) (\w+)", plan)))
    return {
        "name": name,
        "median_ms": statistics.median(times),
        "p90_ms": sorted(times)[int(0.9 * len(times)) - 1],
        "queries": len(ctx.captured_queries),
        "indexes": indexes,
        "plan": plan,
    }


def run_measurements(repeats: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    from django.db.models import Count

    from openprobation.organisation.models import Pdu, Staff, Team
    from openprobation.workitems import selectors
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
    spo_user, po_user, head_user = actor_for(spo), actor_for(practitioner), actor_for(head)
    results = [
        measure(
            "team queue (per-practitioner overdue / due soon / open)",
            lambda: selectors.team_queue(actor=spo_user, team=team),
            repeats,
        ),
        measure(
            "PDU overdue counts (per team)",
            lambda: selectors.pdu_overdue_counts(actor=head_user, pdu_code=pdu.code),
            repeats,
        ),
        measure("practitioner's What's due", lambda: selectors.work_items_for_practitioner(actor=po_user), repeats),
        measure(
            "API page: team's overdue items, 50 a page, with count",
            lambda: (
                list(selectors.work_item_list(actor=spo_user, team=team.code, overdue=True)[:50]),
                selectors.work_item_list(actor=spo_user, team=team.code, overdue=True).count(),
            ),
            repeats,
        ),
    ]
    context = {
        "work_items": WorkItem.objects.count(),
        "open": WorkItem.objects.filter(status="open").count(),
        "team": f"{team.code} ({WorkItem.objects.filter(team=team).count():,} items)",
        "practitioner_items": WorkItem.objects.filter(owner=practitioner).count(),
        "pdu": f"{pdu.code} ({Team.objects.filter(pdu=pdu).count()} teams)",
    }
    return results, context


def write(results: list[dict[str, Any]], context: dict[str, Any], people: int, generated: float, pg: str) -> None:
    lines = [
        "# Work queues at national scale: timings",
        "",
        f"Measured {dt.date.today().isoformat()} with `python bench/bench_work_queues.py --people {people}`.",
        f"Machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, {pg} (throwaway cluster, fsync off).",
        "",
        f"Data: the demo caseload of {people:,} people; {context['work_items']:,} work items made by the timescale "
        f"rules for every active event ({context['open']:,} open), generated in {generated:.0f} s. Measured on the "
        f"busiest team {context['team']}, its busiest practitioner ({context['practitioner_items']:,} items) and "
        f"its PDU {context['pdu']}. Each figure is the median of repeated runs after a warm-up, through the "
        "selectors the pages and the API call (access rules included); target under "
        f"{TARGET_MS:.0f} ms per page query.",
        "",
        "| query | median ms | p90 ms | queries | indexes used (slowest query) | within target |",
        "| --- | ---: | ---: | ---: | --- | --- |",
    ]
    for r in results:
        lines.append(
            f"| {r['name']} | {r['median_ms']:.1f} | {r['p90_ms']:.1f} | {r['queries']} | "
            f"{', '.join(r['indexes']) or '(none)'} | {'yes' if r['median_ms'] < TARGET_MS else 'NO'} |"
        )
    lines += [
        "",
        "Query counts are fixed per page (no query per row): the team queue is one grouped count and one "
        "staff list; the PDU counts look up the PDU, then one grouped count and one team list.",
        "",
    ]
    for r in results:
        lines += [f"## EXPLAIN ANALYZE: {r['name']}", "", "```", r["plan"], "```", ""]
    RESULTS.write_text("\n".join(lines))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=250_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeats", type=int, default=21)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()

    from bench_demo_data import _postgres_version, postgres

    with tempfile.TemporaryDirectory(prefix="openprobation-bench.") as data_dir, postgres() as url:
        env = {**os.environ, "OPENPROBATION_DATA_DIR": data_dir, "OPENPROBATION_DEMO": "true", "DATABASE_URL": url}
        started = time.perf_counter()
        load(env, args.people, args.seed)
        print(f"demo caseload of {args.people:,} loaded in {time.perf_counter() - started:.0f} s", flush=True)
        os.environ.update({k: env[k] for k in ("OPENPROBATION_DATA_DIR", "OPENPROBATION_DEMO", "DATABASE_URL")})
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openprobation.settings")
        import django

        django.setup()
        started = time.perf_counter()
        written = generate_items(args.seed)
        generated = time.perf_counter() - started
        print(f"{written:,} work items generated in {generated:.0f} s", flush=True)
        results, context = run_measurements(args.repeats)
        from django.db import connections

        connections.close_all()
    for r in results:
        print(
            f"{r['name']}: median {r['median_ms']:.1f} ms, p90 {r['p90_ms']:.1f} ms, {r['queries']} queries, "
            f"indexes {', '.join(r['indexes']) or '(none)'}"
        )
    if not args.no_write:
        write(results, context, args.people, generated, _postgres_version())
        print(f"written {RESULTS.relative_to(ROOT)}")
    return 0 if all(r["median_ms"] < TARGET_MS for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
