"""The parts of the demo record that hang off the loaded cases: risk-tool inputs and recorded scores.

Both are drawn deterministically from the seed and the demo's "today" (``as_of``), after the cases are in, and go
in through the same ``BulkWriter`` as the cases (COPY on PostgreSQL, ``executemany`` on SQLite), with the loader's
own primary keys and the sequences moved past them afterwards. The benchmarks (bench/bench_recompute.py,
bench/bench_work_queues.py) use these same generators.

- ``seed_risk_inputs``: a criminal history for every open case and an OASys layer-3 assessment for about 70%.
- ``seed_recorded_scores`` (after the risk scores are calculated): the RSR and tier "recorded" for most cases, as an
  import from a previous case system would bring them, mostly agreeing with the calculation but with the kinds of
  mistake inspectors find (an RSR worked out by hand a little or a lot off, a tier a step out), so the quality
  assurance report has something to find.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from typing import Any

import numpy as np

from openprobation.demo.bulk import BulkWriter, next_id, reset_sequences, table_spec
from openprobation.risk.models import CriminalHistory, OasysAssessment, RecordedScore, RiskCalculation
from openprobation.risk.recompute import open_case_ids
from openprobation.rules import case_record as cr

HISTORY_FIELDS = (
    "id", "person_id", "total_sanctions", "age_at_first_sanction", "violent_sanctions",
    "contact_adult_sexual_sanctions", "contact_child_sexual_sanctions", "non_contact_sexual_sanctions",
    "indecent_image_sanctions", "stranger_victim", "updated_at", "version",
)  # fmt: skip
ASSESSMENT_FIELDS = (
    "id", "person_id", "completed_date", "layer", "status", "kind", "answers", "section_scores", "recorded_at",
)  # fmt: skip
RECORDED_FIELDS = (
    "id", "person_id", "kind", "value", "source", "effective_date", "recorded_at", "recorded_by", "notes",
)  # fmt: skip
RECORDED_SOURCE = "Previous case system import"
RECORDED_SHARE = 0.6  # cases with a recorded RSR and tier
RSR_WRONG, TIER_WRONG = 0.08, 0.05  # of those recorded: the share entered wrongly


def seed_risk_inputs(seed: int, as_of: dt.date, writer: BulkWriter | None = None) -> tuple[int, int]:
    """Criminal histories for every open case, layer-3 assessments for about 70%; returns (histories, assessments).

    Call inside a transaction (the loader's, or the caller's own)."""
    writer = writer or BulkWriter()
    ids = np.array(open_case_ids(), dtype=np.int64)
    first_history_id, first_assessment_id = next_id(CriminalHistory), next_id(OasysAssessment)
    rng = np.random.default_rng(seed)
    n = len(ids)
    total = rng.integers(1, 30, n)
    violent = np.minimum(rng.integers(0, 8, n), total)
    first = rng.integers(12, 19, n)  # at or below the youngest demo age at conviction
    sexual = rng.random(n) < 0.08
    counts = [np.where(sexual, rng.integers(0, 3, n), 0) for _ in range(4)]
    stamp = f"{as_of.isoformat()} 08:00:00{writer.datetime_suffix}"
    # Plain Python values from here on (reading numpy arrays element by element is slow); the draws are as before.
    people, totals, firsts, violents = ids.tolist(), total.tolist(), first.tolist(), violent.tolist()
    sexual_counts, sexual_flags = [c.tolist() for c in counts], sexual.tolist()
    history = [
        (first_history_id + i, people[i], totals[i], firsts[i], violents[i], *(c[i] for c in sexual_counts),
         bool(rng.random() < 0.3) if sexual_flags[i] else None, stamp, 1)
        for i in range(n)
    ]  # fmt: skip
    assessed = rng.random(n) < 0.7
    answer_names = list(cr.OASYS_ANSWERS)
    yes_no = [cr.OASYS_ANSWERS[name] == cr.YES_NO for name in answer_names]
    values = rng.integers(0, 3, (n, len(answer_names))).tolist()
    sections = rng.integers(0, 9, (n, len(cr.NEED_SECTIONS))).tolist()
    days_ago = rng.integers(0, 350, n).tolist()
    assessments: list[tuple[Any, ...]] = []
    for i in np.flatnonzero(assessed).tolist():
        row = values[i]
        answers = {name: (row[j] > 1 if yes_no[j] else row[j]) for j, name in enumerate(answer_names)}
        scores = dict(zip(cr.NEED_SECTIONS, sections[i], strict=True))
        completed = (as_of - dt.timedelta(days=days_ago[i])).isoformat()
        assessments.append(
            (first_assessment_id + len(assessments), people[i], completed, "layer3", "complete", "oasys",
             json.dumps(answers), json.dumps(scores), stamp)
        )  # fmt: skip
    writer.write(table_spec(CriminalHistory, HISTORY_FIELDS), history)
    writer.write(table_spec(OasysAssessment, ASSESSMENT_FIELDS), assessments)
    reset_sequences([CriminalHistory, OasysAssessment])
    return len(history), len(assessments)


def seed_recorded_scores(seed: int, as_of: dt.date, writer: BulkWriter | None = None) -> int:
    """Recorded RSR and tier for about 60% of the calculated cases, a few of them wrong; returns the rows written.

    Reads each case's newest calculated RSR and tier, so call after the risk scores are stored, inside a transaction.
    """
    writer = writer or BulkWriter()
    newest: dict[tuple[int, str], tuple[Any, str]] = {}
    rows = (
        RiskCalculation.objects.filter(tool__in=("rsr", "tier"), status="calculated")
        .order_by("person_id", "tool", "-id")
        .values_list("person_id", "tool", "score", "tier")
    )
    for person_id, tool, score, tier in rows.iterator(chunk_size=50_000):
        newest.setdefault((person_id, tool), (score, tier))
    rng = random.Random(seed * 7919 + 1)
    stamp = f"{as_of.isoformat()} 07:00:00{writer.datetime_suffix}"
    next_pk = next_id(RecordedScore)
    out: list[tuple[Any, ...]] = []
    for (person_id, tool), (score, tier) in sorted(newest.items()):
        if rng.random() >= RECORDED_SHARE:
            continue
        effective = (as_of - dt.timedelta(days=rng.randint(7, 300))).isoformat()
        if tool == "rsr" and score is not None:
            value = float(score)
            if rng.random() < RSR_WRONG:  # a hand calculation: usually a little out, now and then a lot
                value = min(99.99, max(0.0, value + rng.choice((-1, 1)) * rng.choice((0.12, 0.4, 0.9, 2.5, 4.0))))
            recorded = f"{value:.2f}"
        elif tool == "tier" and tier:
            recorded = tier
            if rng.random() < TIER_WRONG:  # a step out on protect or change
                protect, change, rest = tier[0], tier[1], tier[2:]
                if rng.random() < 0.5:
                    protect = "ABCD"[min(3, max(0, "ABCD".index(protect) + rng.choice((-1, 1))))]
                else:
                    change = str(min(3, max(0, int(change) + rng.choice((-1, 1)))))
                recorded = f"{protect}{change}{rest}"
        else:
            continue
        out.append((next_pk + len(out), person_id, tool, recorded, RECORDED_SOURCE, effective, stamp, "DEMO", ""))
    writer.write(table_spec(RecordedScore, RECORDED_FIELDS), out)
    reset_sequences([RecordedScore])
    return len(out)
