"""Admin changes go through the audit trail like every other change (``AuditedAdmin``)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.forms.models import model_to_dict
from django.http import HttpRequest

from openprobation.core.audit import audit_record, changed_fields


def _snapshot(obj: Any) -> dict[str, Any]:
    """An object's fields for the audit trail: many-to-many fields as sorted names, a password hash never (only
    whether it is usable)."""
    data = model_to_dict(obj)
    for field in obj._meta.many_to_many:
        related = data.get(field.name) or []
        data[field.name] = sorted(str(item) for item in related)
    if "password" in data:
        data["password"] = "set" if obj.has_usable_password() else "unusable"
    return data


def _audit(request: HttpRequest, obj: Any, verb: str, *, before: dict[str, Any] | None,
           after: dict[str, Any] | None) -> None:
    audit_record(actor=request.user, action=f"admin.{obj._meta.model_name}.{verb}",
                 crn=getattr(getattr(obj, "person", None), "crn", ""), entity=obj._meta.model_name,
                 entity_id=obj.pk, before=before, after=after)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Listed and read in the admin, never added, changed or deleted there (the service's own commands and actions
    do that, audited)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AuditedAdmin(admin.ModelAdmin):
    """Admin changes go through the same audit trail as every other change, in the same transaction (the admin's
    change form is one transaction): fields and many-to-many memberships before and after, password hashes never."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = _snapshot(type(obj).objects.get(pk=obj.pk)) if change else {}
        password_before = type(obj).objects.filter(pk=obj.pk).values_list("password", flat=True).first() \
            if change and hasattr(obj, "password") else None
        super().save_model(request, obj, form, change)
        request._audit_pending = (obj, before, change, password_before)  # type: ignore[attr-defined]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        obj, before, change, password_before = getattr(request, "_audit_pending", (form.instance, {}, change, None))
        obj.refresh_from_db()
        after = _snapshot(obj)
        old, new = changed_fields(before, after) if change else ({}, after)
        if password_before is not None and password_before != obj.password:
            new["password"] = "changed"  # noqa: S105 (a marker: the password itself is never recorded)
        with transaction.atomic():
            _audit(request, obj, "changed" if change else "added", before=old or None, after=new)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            _audit(request, obj, "deleted", before=_snapshot(obj), after=None)
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)
