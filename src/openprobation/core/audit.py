"""Writing and checking the audit trail. Services call ``audit_record`` inside the transaction that makes the change;
``audit_verify`` walks the hash chain (core/audit_chain.py)."""

from __future__ import annotations

import datetime as dt
import decimal
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection, transaction

from openprobation.core import audit_chain, clock
from openprobation.core.models import AuditEvent


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def audit_record(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: str,
    crn: str = "",
    entity: str = "",
    entity_id: object = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEvent:
    user = actor if isinstance(actor, AbstractBaseUser) else None
    event = AuditEvent(
        at=clock.now(),
        actor=user,  # type: ignore[misc]
        actor_name=user.get_username() if user is not None else _system_actor(),
        crn=crn,
        action=action,
        entity=entity,
        entity_id=str(entity_id) if entity_id != "" else "",
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
        reason=reason,
    )
    event.content_hash = audit_chain.content_hash(
        at=event.at, actor_id=user.pk if user is not None else None, actor_name=event.actor_name, crn=event.crn,
        action=event.action, entity=event.entity, entity_id=event.entity_id, before=event.before,
        after=event.after, reason=event.reason,
    )
    if connection.vendor == "postgresql":
        event.save(force_insert=True)  # linked into the chain by the sealing trigger when the transaction commits
        return event
    with transaction.atomic():  # SQLite: BEGIN IMMEDIATE, so this writer is the only one until it commits
        last = AuditEvent.objects.filter(seq__isnull=False).order_by("-seq").values_list("seq", "hash").first()
        seq, prev = ((last[0] or 0) + 1, last[1]) if last else (1, audit_chain.GENESIS)
        event.seq, event.prev_hash, event.hash = seq, prev, audit_chain.link_hash(prev, event.content_hash)
        event.save(force_insert=True)
    return event


# The background job making changes now (``acting_as_job``), if any.
_job: ContextVar[str] = ContextVar("openprobation_audit_job", default="")


@contextmanager
def acting_as_job(name: str) -> Iterator[None]:
    """Record what is changed inside as done by the background job ``name`` (``openprobation worker``)."""
    token = _job.set(name)
    try:
        yield
    finally:
        _job.reset(token)


def _system_actor() -> str:
    """Who a change without a signed-in user is recorded as: the background job making it, the operating-system
    account that ran the command (``openprobation`` sets it), or the service itself."""
    if job := _job.get():
        return f"job ({job})"[:150]
    operator = os.environ.get("OPENPROBATION_COMMAND_LINE_USER", "")
    return f"command line ({operator})"[:150] if operator else "system"


_CHAIN_FIELDS = ("id", "seq", "at", "actor_id", "actor_name", "crn", "action", "entity", "entity_id", "before",
                 "after", "reason", "content_hash", "prev_hash", "hash")


def _chain_rows(first_seq: int, batch: int) -> Iterator[dict[str, Any]]:
    after = first_seq - 1
    while True:
        rows = list(AuditEvent.objects.filter(seq__gt=after).order_by("seq").values(*_CHAIN_FIELDS)[:batch])
        yield from rows
        if len(rows) < batch:
            return
        after = rows[-1]["seq"]


def audit_verify(*, since: dt.date | None = None, batch: int = 5000,
                 expect: tuple[int, str] | None = None) -> audit_chain.Verdict:
    """Walk the chain (from the first event on or after ``since``, trusting the hash of the one before it) and
    report the first break: an event changed, removed, reordered or never linked. With ``expect`` (a position and
    hash recorded earlier, outside the database), also check that the chain still holds that event unchanged: this
    finds the newest events removed, or the whole chain rewritten, which the chain alone cannot show."""
    verdict = _walk(since=since, batch=batch)
    if verdict.broken is not None or expect is None:
        return verdict
    seq, recorded = expect
    found = AuditEvent.objects.filter(seq=seq).values_list("id", "hash").first()
    if found is None:
        return audit_chain.Verdict(verdict.checked, verdict.head_seq, verdict.head_hash, audit_chain.Break(
            None, seq, f"the recorded event at position {seq} is no longer there: events were removed"))
    if found[1] != recorded:
        return audit_chain.Verdict(verdict.checked, verdict.head_seq, verdict.head_hash, audit_chain.Break(
            found[0], seq, "its hash differs from the one recorded outside the database: the chain was rewritten"))
    return verdict


def _walk(*, since: dt.date | None, batch: int) -> audit_chain.Verdict:
    unlinked = AuditEvent.objects.filter(seq__isnull=True).order_by("id").values_list("id", flat=True).first()
    first_seq, prev = 1, audit_chain.GENESIS
    if since is not None:
        start = dt.datetime.combine(since, dt.time.min, tzinfo=clock.now().tzinfo)
        found = AuditEvent.objects.filter(at__gte=start, seq__isnull=False).order_by("seq").values_list(
            "seq", flat=True).first()
        if found is None:
            return _verdict(0, None, unlinked)
        first_seq = found
        if found > 1:
            before_row = AuditEvent.objects.filter(seq=found - 1).values_list("hash", flat=True).first()
            if before_row is None:
                row_id = AuditEvent.objects.filter(seq=found).values_list("id", flat=True).first()
                return audit_chain.Verdict(0, None, None, audit_chain.Break(
                    row_id, found, f"the event before it (position {found - 1}) is missing"))
            prev = before_row
    checked, last, broken = audit_chain.check(_chain_rows(first_seq, batch), first_seq=first_seq, prev_hash=prev)
    if broken is not None:
        return audit_chain.Verdict(checked, last["seq"] if last else None, last["hash"] if last else None, broken)
    return _verdict(checked, last, unlinked)


def _verdict(checked: int, last: dict[str, Any] | None, unlinked: int | None) -> audit_chain.Verdict:
    broken = None
    if unlinked is not None:
        broken = audit_chain.Break(unlinked, None, "it is not linked into the chain (written around the trigger, or "
                                                   "its position was cleared)")
    return audit_chain.Verdict(checked, last["seq"] if last else None, last["hash"] if last else None, broken)


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Keep only the fields whose value changed, so the trail shows what an edit did."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}
