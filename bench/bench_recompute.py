"""Benchmark ``openprobation recompute`` on the demo caseload, against a floor, and record the figures.

For each database and size: a fresh, empty database (as bench_demo_data.py makes them), ``openprobation demo-data
--people N``, then its risk inputs and calculations are cleared and the inputs drawn again (a criminal history
for each open case, an OASys layer-3 assessment for about 70%: ``openprobation.demo.extras``; not timed), and on
PostgreSQL the database is vacuumed and analysed, as autovacuum would have done to a database in use.
Then, timed, in a child process:

1. ``first``: a forced recompute (``recompute --force``: every case calculated, none skipped as unchanged) on a
   caseload with no stored calculations (every case gets five new rows);
2. ``again``: the same run again, not forced (nothing changed: every case is skipped as unchanged since ``first``
   calculated it, decision 0021);
3. ``floor``: the same reads and the same number of written rows as ``first``, without calculating (copies of each
   case's newest calculations and marks, rolled back).

``ratio`` is first / floor: what calculating costs on top of moving the rows.

    .venv/bin/python bench/bench_recompute.py                          # 2,500 and 250,000 people, both databases
    .venv/bin/python bench/bench_recompute.py --people 2500 --databases sqlite --no-write
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import ROOT, demo_child

RESULTS = ROOT / "bench" / "results" / "recompute.md"
AS_OF = "2026-11-24"


def seed_risk_inputs(seed: int) -> int:
    """Criminal histories for every open case and layer-3 assessments for about 70% (inside Django): the demo's own
    generator, ``openprobation.demo.extras.seed_risk_inputs``. Returns the open cases."""
    from django.db import connection, transaction

    from openprobation.demo.bulk import delete_all
    from openprobation.demo.extras import seed_risk_inputs as generate_risk_inputs
    from openprobation.people.models import Person
    from openprobation.risk.models import CriminalHistory, OasysAssessment, RecomputeMark, RiskCalculation

    # demo-data now fills the inputs and recomputes itself: start "first" from no calculations, as it always did.
    with transaction.atomic():
        # The append-only model refuses deleting through the ORM (and SQLite has no TRUNCATE); the table allows it.
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(RiskCalculation._meta.db_table)}")  # noqa: S608
        delete_all([OasysAssessment, CriminalHistory, RecomputeMark])  # inputs written in bulk: no change counted
        Person.objects.update(tier="")
        histories, _ = generate_risk_inputs(seed, dt.date.fromisoformat(AS_OF))
    return histories


def vacuum_analyze() -> None:
    """VACUUM (ANALYZE) on PostgreSQL after the load and the seeding (which deletes every stored calculation), as
    autovacuum will have done to a database in use: otherwise autovacuum works through them during the timed runs,
    on the same CPUs, and the planner has no statistics for the tables just filled."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")


def child(args: argparse.Namespace) -> None:
    """Runs inside the prepared database: seed inputs, then time first / again / floor; print JSON."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openprobation.settings")
    import django

    django.setup()
    from openprobation.risk.recompute import recompute

    cases = seed_risk_inputs(args.seed)
    vacuum_analyze()
    as_of = dt.date.fromisoformat(AS_OF)
    runs = {}
    for name, floor, force in (("first", False, True), ("again", False, False), ("floor", True, False)):
        started = time.perf_counter()
        result = recompute(as_of=as_of, batch=args.batch, floor=floor, force=force)
        runs[name] = {"seconds": time.perf_counter() - started, "written": result.written,
                      "scalar_cases": result.scalar_cases, "scalar_unchanged": result.scalar_unchanged,
                      "skipped": result.skipped, "cases": result.cases}  # fmt: skip
    print(json.dumps({"cases": cases, "runs": runs}))


def run_one(database: str, people: int, args: argparse.Namespace) -> dict[str, object]:
    return demo_child(__file__, database, people, args.seed, ["--batch", str(args.batch), "--seed", str(args.seed)])


def table(results: list[dict[str, object]]) -> str:
    lines = [
        "| database | people | open cases | first run s | µs/case | ratio to floor | floor s | again s | µs/case | "
        "rows written | checked one by one | again: skipped / one by one / unchanged |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        runs: dict[str, dict[str, float]] = r["runs"]  # type: ignore[assignment]
        first, again, floor = runs["first"], runs["again"], runs["floor"]
        cases = max(int(first["cases"]), 1)
        lines.append(
            f"| {r['database']} | {r['people']:,} | {cases:,} | {first['seconds']:.2f} | "
            f"{first['seconds'] / cases * 1e6:.0f} | {first['seconds'] / max(floor['seconds'], 1e-9):.2f} | "
            f"{floor['seconds']:.2f} | {again['seconds']:.2f} | {again['seconds'] / cases * 1e6:.0f} | "
            f"{int(first['written']):,} | {int(first['scalar_cases']):,} | "
            f"{int(again.get('skipped', 0)):,} / {int(again['scalar_cases']):,} / "
            f"{int(again.get('scalar_unchanged', 0)):,} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, nargs="+", default=[2500, 250000])
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--batch", type=int, default=20000)
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
    text = table(results)
    print(text)
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(
            "# openprobation recompute\n\n"
            f"Run on {dt.date.today().isoformat()}: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
            f"batch {args.batch}, as of {AS_OF}. Command: `.venv/bin/python bench/bench_recompute.py`.\n\n"
            "first = a forced run (`recompute --force`) on a caseload with no stored calculations (five new rows per "
            "case); again = the same run repeated, not forced (nothing to write); floor = the same reads and the same "
            "rows written as first, without calculating (rolled back); ratio = first / floor. µs/case divide by open "
            "cases. checked one by one: cases the scalar path calculated on the first run; again: cases skipped as "
            "unchanged since the first run (decision 0021) / those the scalar path calculated on the re-run / those "
            "handed over but spared, every tool's inputs digest and policy being the newest stored. PostgreSQL runs "
            "with fsync=off "
            "(a throwaway cluster): compare runs, do not read them as production figures.\n\n" + text + "\n"
        )


if __name__ == "__main__":
    main()
