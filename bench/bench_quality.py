"""Time the quality pages' work on a demo caseload: the demo's audits (made through the services), the league table
and trends, a round's ratings and one case audit's evidence.

Loads the demo into a throwaway SQLite database (or the PostgreSQL database in ``DATABASE_URL``, which it empties
with ``--reset``), then times, as the demo's quality-assurance user:

- ``demo.quality.seed_quality`` again (the rounds, samples, audits, ratings and SFOs it makes), after deleting the
  load's own;
- ``league_table`` and ``rating_trends`` at PDU level (median of five);
- one round's ratings and one sampled case's evidence (median of five).

    .venv/bin/python bench/bench_quality.py --people 20000
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _median_ms(work: Callable[[], Any], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--reset", action="store_true", help="empty the DATABASE_URL database's demo first")
    args = parser.parse_args()
    os.environ.setdefault("OPENPROBATION_DATA_DIR", tempfile.mkdtemp(prefix="bench-quality-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openprobation.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from openprobation.demo import quality as demo_quality
    from openprobation.demo.loader import DemoOptions, demo_load
    from openprobation.quality import selectors
    from openprobation.quality.models import (
        AuditCase,
        AuditJudgement,
        AuditRound,
        SeriousFurtherOffence,
        StandardRating,
    )

    call_command("migrate", verbosity=0)
    as_of = dt.date.today()
    started = time.perf_counter()
    result = demo_load(DemoOptions(people=args.people, seed=1, reset=args.reset, progress=False, as_of=as_of))
    load_s = time.perf_counter() - started
    for model in (AuditJudgement, AuditCase, StandardRating, AuditRound, SeriousFurtherOffence):
        model.objects.all().delete()
    started = time.perf_counter()
    counts = demo_quality.seed_quality(1, as_of)
    seed_s = time.perf_counter() - started
    qa = get_user_model().objects.get(username="qa")
    league_ms = _median_ms(lambda: selectors.league_table(actor=qa, level="pdu"))
    trends_ms = _median_ms(lambda: selectors.rating_trends(actor=qa, level="pdu"))
    audit_round = selectors.audit_round_list(actor=qa)[0]
    ratings_ms = _median_ms(lambda: selectors.round_ratings(audit_round))
    person = AuditCase.objects.filter(round=audit_round).select_related("person").first().person  # type: ignore[union-attr]
    evidence_ms = _median_ms(lambda: selectors.audit_evidence(person=person))
    print(f"database: {connection.vendor}; people: {args.people:,}; demo load {load_s:.1f} s ({result.status})")
    print(f"seed_quality: {seed_s:.2f} s for {counts}")
    print(f"league table {league_ms:.1f} ms; trends {trends_ms:.1f} ms; a round's ratings {ratings_ms:.1f} ms; "
          f"a case's evidence {evidence_ms:.1f} ms (medians of 5)")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
