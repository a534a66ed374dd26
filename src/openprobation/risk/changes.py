"""Which open cases ``openprobation recompute`` must calculate, and which it can skip (decision 0021).

What a case's stored calculations hold depends on three things only: its risk facts (``risk.facts``: the person's
gender and date of birth, the active events and their requirements, the criminal history, the OASys assessments and
the registrations), the date they are calculated as at, and the policies (every tool's policy version, which
includes the case-record rules', and the code's version: :func:`policy_key`). So a case whose facts have not changed
since the recompute last calculated it as at the same date under the same policies would get the very calculations
it has, and a re-run skips it without reading its facts.

Every service that changes a risk fact recalculates the case in the same transaction (``risk_recalculate``, called
by the risk services and, through ``core.followups``, by the people and sentences services), and that call counts
the change here (:func:`record_changed`): one more on the case's :class:`~openprobation.risk.models.RecomputeMark`.
The recompute reads each case's count *before* it reads the facts (:func:`cases_to_calculate`) and, in the
transaction that writes the batch's calculations, stores the count it read with the date and policies
(:func:`write_marks`). A change committed after the count was read makes the stored count older than the case's, so
the case is calculated again next time, whether or not the facts read saw the change; a count, unlike a time, does
not depend on when concurrent transactions commit. ``recompute --force`` calculates every case whatever its mark
(after a fix to a calculator released without a new policy or code version, or a change made to the facts outside
the services).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import polars as pl
from django.db import connection

import openprobation
from openprobation.risk.facts import query_frame, table_name
from openprobation.risk.models import RecomputeMark
from openprobation.rules import case_record as cr
from openprobation.sentences.models import Event

MARK_SCHEMA: dict[str, Any] = {"person_id": pl.Int64, "changes": pl.Int64, "unchanged": pl.Boolean}


def policy_key() -> str:
    """A digest of everything but the facts and the date that a stored calculation depends on: every tool's policy
    versions and the code's version."""
    text = "\n".join([openprobation.__version__, *(f"{tool} {cr.tool_policy_version(tool)}" for tool in cr.TOOLS)])
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


def record_changed(person_id: int) -> None:
    """Count a change to the case's risk facts (call it in the transaction that makes the change)."""
    table = table_name(RecomputeMark)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (person_id, changes, checked_changes, checked_as_of, checked_policy) "  # noqa: S608
            f"VALUES (%s, 1, NULL, NULL, '') ON CONFLICT (person_id) DO UPDATE SET changes = {table}.changes + 1",
            [person_id],
        )


def cases_to_calculate(lo: int, hi: int, as_of: dt.date, policy: str) -> pl.DataFrame:
    """:data:`MARK_SCHEMA`: every open case with lo <= id <= hi, its count of changes (0 with no mark yet) and
    whether it is unchanged since the recompute last calculated it as at ``as_of`` under ``policy``. Read before
    the facts."""
    mark = table_name(RecomputeMark)
    unchanged = "COALESCE(m.checked_changes = m.changes AND m.checked_as_of = %s AND m.checked_policy = %s, FALSE)"
    return query_frame(
        f"SELECT p.id, COALESCE(m.changes, 0), {unchanged} FROM people_person p "  # noqa: S608
        f"LEFT JOIN {mark} m ON m.person_id = p.id WHERE p.id BETWEEN %s AND %s AND EXISTS "
        f"(SELECT 1 FROM {table_name(Event)} e WHERE e.person_id = p.id AND e.termination_date IS NULL) ORDER BY p.id",
        [as_of, policy, lo, hi],
        MARK_SCHEMA,
    )


def write_marks(marks: pl.DataFrame, as_of: dt.date, policy: str) -> None:
    """Store that the cases of ``marks`` (``person_id``, ``changes`` as read before their facts) were calculated as
    at ``as_of`` under ``policy`` (in the transaction that writes their calculations). The count of changes itself
    is never written here, only compared: a change counted meanwhile stays counted."""
    if marks.is_empty():
        return
    table = table_name(RecomputeMark)
    ids, counts = marks["person_id"].to_list(), marks["changes"].to_list()
    update = (
        "ON CONFLICT (person_id) DO UPDATE SET checked_changes = excluded.checked_changes, "
        "checked_as_of = excluded.checked_as_of, checked_policy = excluded.checked_policy"
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"INSERT INTO {table} (person_id, changes, checked_changes, checked_as_of, checked_policy) "  # noqa: S608
                "SELECT v.id, v.n, v.n, %s, %s FROM unnest(%s::bigint[], %s::bigint[]) AS v (id, n) " + update,
                [as_of, policy, ids, counts],
            )
            return
        cursor.executemany(
            f"INSERT INTO {table} (person_id, changes, checked_changes, checked_as_of, checked_policy) "  # noqa: S608
            "VALUES (%s, %s, %s, %s, %s) " + update,
            [(pid, n, n, as_of, policy) for pid, n in zip(ids, counts, strict=True)],
        )
