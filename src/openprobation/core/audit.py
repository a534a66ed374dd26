"""Writing the audit trail. Services call ``audit_record`` inside the transaction that makes the change."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from openprobation.core import clock
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
    return AuditEvent.objects.create(
        at=clock.now(),
        actor=user,  # type: ignore[misc]
        actor_name=user.get_username() if user is not None else "system",
        crn=crn,
        action=action,
        entity=entity,
        entity_id=str(entity_id) if entity_id != "" else "",
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
        reason=reason,
    )


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Keep only the fields whose value changed, so the trail shows what an edit did."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}
