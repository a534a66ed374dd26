"""Benchmark the workload of every practitioner at once, and the allocation screen's queries, on the demo caseload.

For each database and size: a fresh database with ``openprobation demo-data --people N`` (not timed), then, timed
in a child process (medians of ``--repeat`` runs):

On PostgreSQL the database is vacuumed and analysed first, as autovacuum would have done to a database in use.

1. ``everyone``: every practitioner's workload worked out from the record (``workload.selectors.workload_tables``
   over every practitioner: three set-based reads, the workload rules on polars columns), as the weekly snapshot
   does it;
2. ``floor``: the same rows read (the same three queries, fetched into Python lists) without working anything out:
   what reading the record costs; ``ratio`` is everyone / floor;
3. ``snapshot``: the weekly snapshot job's service (``workload.services.workload_snapshot``) the first time in a
   week (every practitioner's row written, the alerts checked), and again (nothing to write);
4. the allocation screen for the SPO of the first team: the team's unallocated cases, one case's column set, the
   practitioners for it (team and PDU, with potential capacity), and the cases that need reallocating (median ms
   and queries each). Target: each under 100 ms.

    .venv/bin/python bench/bench_workload.py                                # 250,000 people on SQLite
    .venv/bin/python bench/bench_workload.py --people 25000 --no-write
    .venv/bin/python bench/bench_workload.py --people 25000 --databases sqlite,postgresql
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import ROOT, demo_child

RESULTS = ROOT / "bench" / "results" / "workload.md"
SCREEN_TARGET_MS = 100


def _timed(work: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Median seconds over ``repeat`` runs, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def child(args: argparse.Namespace) -> None:
    """Runs inside the loaded database: prints the figures as JSON."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openprobation.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from openprobation.allocation import selectors as allocation_selectors
    from openprobation.core import clock
    from openprobation.organisation.models import Staff
    from openprobation.people.models import Person
    from openprobation.rules.workload.overload import week_of
    from openprobation.sentences.models import Event
    from openprobation.workload import selectors as workload_selectors
    from openprobation.workload.models import WorkloadReduction, WorkloadSnapshot
    from openprobation.workload.services import workload_snapshot

    if connection.vendor == "postgresql":
        # As autovacuum would have done to a database in use: the planner has no statistics for tables just loaded.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
    on = clock.today()
    practitioners = list(Staff.objects.filter(role="practitioner"))

    def everyone() -> int:
        frame, _ = workload_selectors.workload_tables(staff=practitioners, on=on)
        return frame.height

    def floor() -> int:
        people = list(Person.objects.filter(practitioner__isnull=False).values_list(
            "pk", "practitioner_id", "crn", "tier", "date_of_birth"))  # fmt: skip
        events = list(Event.objects.filter(termination_date__isnull=True, person__practitioner__isnull=False)
                      .values_list("person_id", "sentence_type", "sentence_date", "id"))  # fmt: skip
        reductions = list(WorkloadReduction.objects.filter(effective_from__lte=on).exclude(effective_to__lt=on)
                          .values_list("staff_id", "reason", "hours", "effective_from", "effective_to"))  # fmt: skip
        return len(people) + len(events) + len(reductions)

    everyone_s, rows = _timed(everyone, args.repeat)
    floor_s, read = _timed(floor, args.repeat)
    # The demo load takes the week's snapshot (as the daily job does): time the first one of the week again.
    WorkloadSnapshot.objects.filter(week=week_of(on)).delete()
    started = time.perf_counter()
    first = workload_snapshot(on=on)
    snapshot_s = time.perf_counter() - started
    again_s, _ = _timed(lambda: workload_snapshot(on=on), args.repeat)
    frame, _ = workload_selectors.workload_tables(staff=practitioners, on=on)
    capacities = sorted(c / 10 for c in frame["capacity_tenths"].to_list() if c)
    median_capacity = statistics.median(capacities) if capacities else 0

    spo = Staff.objects.filter(role="spo").select_related("team__pdu").order_by("pk").first()
    assert spo is not None and spo.team is not None
    team, user = spo.team, spo.user
    sample = Person.objects.filter(team=team).order_by("pk").first()
    assert sample is not None
    case = allocation_selectors.case_for_allocation(actor=user, team=team, crn=sample.crn)
    screen = {
        "unallocated cases": lambda: allocation_selectors.unallocated_cases(actor=user, team=team),
        "one case's columns": lambda: allocation_selectors.case_for_allocation(actor=user, team=team,
                                                                                crn=sample.crn),
        "practitioners for the case": lambda: allocation_selectors.candidates(case=case, team=team, on=on),
        "needs reallocation": lambda: allocation_selectors.needs_reallocation(actor=user, team=team, on=on),
    }  # fmt: skip
    queries = {}
    for name, work in screen.items():
        with CaptureQueriesContext(connection) as captured:
            work()
        slowest = max(captured.captured_queries, key=lambda q: float(q["time"]), default={"sql": "", "time": "0"})
        queries[name] = {"ms": _timed(work, args.repeat * 3)[0] * 1000, "queries": len(captured),
                         "slowest_ms": float(slowest["time"]) * 1000, "slowest_sql": slowest["sql"][:300]}
    pdu_staff = len(allocation_selectors.neighbouring_staff(team=team, on=on))
    print(json.dumps({
        "practitioners": rows, "rows_read": read, "everyone_s": everyone_s, "floor_s": floor_s,
        "snapshot_s": snapshot_s, "snapshot_again_s": again_s, "snapshots_written": first.taken,
        "median_capacity": median_capacity, "over_110": sum(1 for c in capacities if c > 110),
        "screen": queries, "pdu_practitioners": pdu_staff,
    }))  # fmt: skip


def run_one(database: str, people: int, args: argparse.Namespace) -> dict[str, Any]:
    return demo_child(__file__, database, people, args.seed, ["--repeat", str(args.repeat)])


def table(results: list[dict[str, Any]]) -> str:
    lines = [
        "| database | people | practitioners | everyone s | floor s | ratio | snapshot s (first / again) | "
        "median capacity | over 110% | screen ms (queries): unallocated / one case / practitioners / reallocation |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in results:
        screen = " / ".join(f"{v['ms']:.1f} ({v['queries']})" for v in r["screen"].values())
        lines.append(
            f"| {r['database']} | {r['people']:,} | {r['practitioners']:,} | {r['everyone_s']:.2f} | "
            f"{r['floor_s']:.2f} | {r['everyone_s'] / max(r['floor_s'], 1e-9):.2f} | "
            f"{r['snapshot_s']:.2f} / {r['snapshot_again_s']:.2f} | {r['median_capacity']:.1f}% | "
            f"{r['over_110']:,} | {screen} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, nargs="+", default=[250000])
    parser.add_argument("--databases", default="sqlite")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    results = []
    for database in args.databases.split(","):
        for people in args.people:
            result = run_one(database, people, args)
            results.append(result)
            print(table([result]).splitlines()[-1], flush=True)
            for name, figures in result["screen"].items():
                print(f"  {name}: slowest query {figures['slowest_ms']:.1f} ms: {figures['slowest_sql']}", flush=True)
    text = table(results)
    print(text)
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(
            "# Workload of every practitioner, and the allocation screen\n\n"
            f"Run on {dt.date.today().isoformat()}: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
            f"medians of {args.repeat} runs (the screen's of {args.repeat * 3}). Command: "
            "`.venv/bin/python bench/bench_workload.py`.\n\n"
            "everyone = every practitioner's workload worked out from the record (three set-based reads, the "
            "workload rules on polars columns); floor = the same three reads fetched into Python lists without "
            "working anything out; ratio = everyone / floor (PostgreSQL vacuumed and analysed after the load). "
            "snapshot = the weekly snapshot job's service, first "
            "in the week (every practitioner's row written) / again (nothing to write). The screen's figures are "
            "for the SPO of the first team (its PDU's practitioners offered); target under "
            f"{SCREEN_TARGET_MS} ms each. Median capacity and the count over 110% are the demo caseload's.\n\n"
            + text + "\n"
        )


if __name__ == "__main__":
    main()
