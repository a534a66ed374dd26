"""The audit trail's hash chain: each event's hash covers its own content and the hash of the event before it, so
changing, removing or reordering any event breaks every hash after it (docs/decisions/0008-audit-hash-chain.md).

- ``content_hash`` = SHA-256 of the event's canonical content (below), computed in Python as the row is written;
- ``hash`` = SHA-256 of ``prev_hash`` followed by ``content_hash`` (both as hex text); the first event's
  ``prev_hash`` is 64 zeros; ``seq`` numbers the chain from 1 with no gaps.

Linking happens when the writing transaction commits, so that writers never wait on each other while they work:
on PostgreSQL a deferred constraint trigger takes an advisory lock at commit and links the transaction's events after
the last committed one (migration core 0003); SQLite lets one writer at a time in (``BEGIN IMMEDIATE``), so the event
is linked as it is written (``link_inline``). ``verify`` walks the chain.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64
SEAL_LOCK_KEY = 7_406_210_351  # the advisory lock PostgreSQL's sealing trigger takes (any constant, used once)


def _normal(value: Any) -> Any:
    """JSON values as the database gives them back: a whole-number float is the integer (jsonb keeps numbers as
    numeric), keys as text."""
    if isinstance(value, dict):
        return {str(k): _normal(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_normal(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _instant(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).isoformat(timespec="microseconds")


def content_hash(
    *,
    at: dt.datetime,
    actor_id: int | None,
    actor_name: str,
    crn: str,
    action: str,
    entity: str,
    entity_id: str,
    before: Any,
    after: Any,
    reason: str,
) -> str:
    """The digest of one event's content, over typed values in a fixed order (not over stored text)."""
    content = {
        "at": _instant(at),
        "actor_id": actor_id,
        "actor_name": actor_name,
        "crn": crn,
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "before": _normal(before),
        "after": _normal(after),
        "reason": reason,
    }
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def link_hash(prev_hash: str, content: str) -> str:
    return hashlib.sha256((prev_hash + content).encode()).hexdigest()


def row_content_hash(row: dict[str, Any]) -> str:
    return content_hash(
        at=row["at"],
        actor_id=row["actor_id"],
        actor_name=row["actor_name"],
        crn=row["crn"],
        action=row["action"],
        entity=row["entity"],
        entity_id=row["entity_id"],
        before=row["before"],
        after=row["after"],
        reason=row["reason"],
    )


@dataclass(frozen=True)
class Break:
    event_id: int | None
    seq: int | None
    problem: str

    def describe(self) -> str:
        where = f"audit event {self.event_id}" if self.event_id is not None else "the audit trail"
        at = f" (chain position {self.seq})" if self.seq is not None else ""
        return f"{where}{at}: {self.problem}"


@dataclass(frozen=True)
class Verdict:
    checked: int
    head_seq: int | None
    head_hash: str | None
    broken: Break | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def check(rows: Iterator[dict[str, Any]], *, first_seq: int, prev_hash: str) -> tuple[int, dict[str, Any] | None,
                                                                                      Break | None]:
    """Walk events in chain order from ``first_seq`` whose predecessor's hash is ``prev_hash``: the number checked,
    the last good event, and the first break. Pure: the caller reads the rows."""
    expected_seq, expected_prev, checked, last = first_seq, prev_hash, 0, None
    for row in rows:
        seq, event_id = row["seq"], row["id"]
        if seq != expected_seq:
            return checked, last, Break(event_id, seq, f"the chain jumps from position {expected_seq - 1} to {seq}: "
                                                       f"{seq - expected_seq} event(s) before it are missing")
        try:
            content = row_content_hash(row)
        except (TypeError, ValueError, AttributeError):
            return checked, last, Break(event_id, seq, "its content cannot be read (changed in the database)")
        if row["content_hash"] != content:
            return checked, last, Break(event_id, seq, "its content was changed after it was written")
        if row["prev_hash"] != expected_prev:
            return checked, last, Break(event_id, seq, "it does not follow the event before it (previous hash "
                                                       "differs): an event was changed, removed or put in its place")
        if row["hash"] != link_hash(row["prev_hash"], row["content_hash"]):
            return checked, last, Break(event_id, seq, "its hash does not match its content and place in the chain")
        checked += 1
        expected_seq, expected_prev, last = seq + 1, row["hash"], row
    return checked, last, None
