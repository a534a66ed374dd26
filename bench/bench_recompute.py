"""Benchmark ``openprobation recompute`` on the demo caseload, against a floor, and record the figures.

For each database and size: a fresh, empty database (as bench_demo_data.py makes them), ``openprobation demo-data
--people N``, then risk inputs for every open case (the demo has none: a criminal history for each, an OASys
layer-3 assessment for about 70%, drawn deterministically here and written by COPY / executemany; not timed).
Then, timed, in a child process:

1. ``first``: recompute on a caseload with no stored calculations (every case gets five new rows);
2. ``again``: the same run again (nothing changed: reads and calculates, writes nothing);
3. ``floor``: the same reads and the same number of written rows as ``first``, without calculating (copies of each
   case's newest calculations, rolled back).

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
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
RESULTS = ROOT / "bench" / "results" / "recompute.md"
AS_OF = "2026-11-24"


def seed_risk_inputs(seed: int) -> int:
    """Criminal histories for every open case and layer-3 assessments for about 70% (inside Django)."""
    import numpy as np
    from django.db import transaction

    from openprobation.demo.bulk import BulkWriter, next_id, reset_sequences, table_spec
    from openprobation.risk.models import CriminalHistory, OasysAssessment
    from openprobation.risk.recompute import open_case_ids
    from openprobation.rules import case_record as cr

    ids = np.array(open_case_ids(), dtype=np.int64)
    first_history_id, first_assessment_id = next_id(CriminalHistory), next_id(OasysAssessment)
    rng = np.random.default_rng(seed)
    n = len(ids)
    total = rng.integers(1, 30, n)
    violent = np.minimum(rng.integers(0, 8, n), total)
    first = rng.integers(12, 19, n)  # at or below the youngest demo age at conviction
    sexual = rng.random(n) < 0.08
    counts = [np.where(sexual, rng.integers(0, 3, n), 0) for _ in range(4)]
    stamp = f"{AS_OF} 08:00:00" + ("+00" if os.environ.get("DATABASE_URL") else "")
    history_fields = (
        "id", "person_id", "total_sanctions", "age_at_first_sanction", "violent_sanctions",
        "contact_adult_sexual_sanctions", "contact_child_sexual_sanctions", "non_contact_sexual_sanctions",
        "indecent_image_sanctions", "stranger_victim", "updated_at", "version",
    )  # fmt: skip
    history = [
        (first_history_id + i, int(ids[i]), int(total[i]), int(first[i]), int(violent[i]), *(int(c[i]) for c in counts),
         bool(rng.random() < 0.3) if sexual[i] else None, stamp, 1)
        for i in range(n)
    ]  # fmt: skip
    assessed = rng.random(n) < 0.7
    answer_names = list(cr.OASYS_ANSWERS)
    values = rng.integers(0, 3, (n, len(answer_names)))
    sections = rng.integers(0, 9, (n, len(cr.NEED_SECTIONS)))
    days_ago = rng.integers(0, 350, n)
    today = dt.date.fromisoformat(AS_OF)
    assessment_fields = (
        "id", "person_id", "completed_date", "layer", "status", "kind", "answers", "section_scores", "recorded_at",
    )  # fmt: skip
    assessments = []
    for i in np.flatnonzero(assessed):
        answers = {
            name: (bool(values[i, j] > 1) if cr.OASYS_ANSWERS[name] == cr.YES_NO else int(values[i, j]))
            for j, name in enumerate(answer_names)
        }
        scores = {s: int(sections[i, j]) for j, s in enumerate(cr.NEED_SECTIONS)}
        completed = (today - dt.timedelta(days=int(days_ago[i]))).isoformat()
        assessments.append(
            (first_assessment_id + len(assessments), int(ids[i]), completed, "layer3", "complete", "oasys",
             json.dumps(answers), json.dumps(scores), stamp)
        )  # fmt: skip
    with transaction.atomic():
        writer = BulkWriter()
        writer.write(table_spec(CriminalHistory, history_fields), history)
        writer.write(table_spec(OasysAssessment, assessment_fields), assessments)
        reset_sequences([CriminalHistory, OasysAssessment])
    return n


def child(args: argparse.Namespace) -> None:
    """Runs inside the prepared database: seed inputs, then time first / again / floor; print JSON."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openprobation.settings")
    import django

    django.setup()
    from openprobation.risk.recompute import recompute

    cases = seed_risk_inputs(args.seed)
    as_of = dt.date.fromisoformat(AS_OF)
    runs = {}
    for name, floor in (("first", False), ("again", False), ("floor", True)):
        started = time.perf_counter()
        result = recompute(as_of=as_of, batch=args.batch, floor=floor)
        runs[name] = {"seconds": time.perf_counter() - started, "written": result.written,
                      "scalar_cases": result.scalar_cases, "cases": result.cases}  # fmt: skip
    print(json.dumps({"cases": cases, "runs": runs}))


def run_one(database: str, people: int, args: argparse.Namespace) -> dict[str, object]:
    from bench_demo_data import postgres

    def go(env: dict[str, str]) -> dict[str, object]:
        cli = [sys.executable, "-m", "openprobation.cli"]
        subprocess.run([*cli, "demo-data", "--people", str(people), "--seed", str(args.seed), "--quiet"], env=env,
                       check=True, capture_output=True)  # fmt: skip
        out = subprocess.run(
            [sys.executable, __file__, "--child", "--batch", str(args.batch), "--seed", str(args.seed)],
            env=env, check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip
        return {"database": database, "people": people, **json.loads(out.strip().splitlines()[-1])}

    with tempfile.TemporaryDirectory(prefix="openprobation-bench-") as data_dir:
        env = {**os.environ, "OPENPROBATION_DATA_DIR": data_dir}
        env.pop("DATABASE_URL", None)
        if database == "postgresql":
            with postgres() as url:
                return go({**env, "DATABASE_URL": url})
        return go(env)


def table(results: list[dict[str, object]]) -> str:
    lines = [
        "| database | people | open cases | first run s | µs/case | ratio to floor | floor s | again s | µs/case | "
        "rows written | checked one by one |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        runs: dict[str, dict[str, float]] = r["runs"]  # type: ignore[assignment]
        first, again, floor = runs["first"], runs["again"], runs["floor"]
        cases = max(int(first["cases"]), 1)
        lines.append(
            f"| {r['database']} | {r['people']:,} | {cases:,} | {first['seconds']:.2f} | "
            f"{first['seconds'] / cases * 1e6:.0f} | {first['seconds'] / max(floor['seconds'], 1e-9):.2f} | "
            f"{floor['seconds']:.2f} | {again['seconds']:.2f} | {again['seconds'] / cases * 1e6:.0f} | "
            f"{int(first['written']):,} | {int(first['scalar_cases']):,} |"
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
            "first = a caseload with no stored calculations (five new rows per case); again = the same run repeated "
            "(nothing to write); floor = the same reads and the same rows written as first, without calculating "
            "(rolled back); ratio = first / floor. µs/case divide by open cases. PostgreSQL runs with fsync=off "
            "(a throwaway cluster): compare runs, do not read them as production figures.\n\n" + text + "\n"
        )


if __name__ == "__main__":
    main()
