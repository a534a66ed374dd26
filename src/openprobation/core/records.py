"""Helpers services share for versioned updates and audit snapshots."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.db import models

from openprobation.core.errors import Collector, FieldError, NotFound, ValidationFailed, VersionConflict

M = TypeVar("M", bound=models.Model)


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    return {f: getattr(instance, f) for f in fields}


def lock_for_update(queryset: models.QuerySet[M], *, pk: Any, expected_version: int) -> M:
    """Lock the row and check the client edited the version it read; a stale version is a conflict."""
    instance = queryset.select_for_update().filter(pk=pk).first()
    if instance is None:
        raise NotFound("No such record on this case")
    current = instance.version  # type: ignore[attr-defined]
    if current != expected_version:
        raise VersionConflict(current)
    return instance


def reject_unknown(
    changes: dict[str, Any], allowed: Iterable[str], message: str = "This field cannot be changed here"
) -> None:
    """A change may touch only the fields a service allows; name every other one."""
    permitted = set(allowed)
    errors = [FieldError((f,), message) for f in changes if f not in permitted]
    if errors:
        raise ValidationFailed(errors)


def reject_nulls(changes: dict[str, Any], nullable: Iterable[str]) -> None:
    """A partial update may clear an optional field, never a required one."""
    allowed = set(nullable)
    errors = [
        FieldError((f,), "This field cannot be empty") for f, v in changes.items() if v is None and f not in allowed
    ]
    if errors:
        raise ValidationFailed(errors)


def apply_changes(instance: M, changes: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Set the changed fields, bump the version, and return (before, after) of what changed."""
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for field, value in changes.items():
        old = getattr(instance, field)
        if old != value:
            before[field] = old
            after[field] = value
            setattr(instance, field, value)
    if after:
        instance.version += 1  # type: ignore[attr-defined]
        instance.save(update_fields=[*after, "version"])
    return before, after


def check_lengths(c: Collector, model: type[models.Model], values: dict[str, Any], labels: dict[str, str]) -> None:
    """Every text value no longer than its column allows, so too long a value is a field error that names the
    limit (not a database error, and not a page broken by 5,000 characters)."""
    for name, value in values.items():
        field = model._meta.get_field(name)
        limit = getattr(field, "max_length", None)
        if isinstance(value, str) and limit and len(value) > limit:
            label = labels.get(name, name.replace("_", " "))
            c.add(name, f"{label[0].upper()}{label[1:]} must be {limit} characters or fewer")
