"""Django admin: organisation set-up for administrators, every change audited; the audit trail read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.forms.models import model_to_dict
from django.http import HttpRequest

from openprobation.core.audit import audit_record, changed_fields
from openprobation.core.models import AuditEvent
from openprobation.core.sign_in import TooManyAttempts, sign_in_check
from openprobation.people.access import audit_events_visible_to


class AdminSignInForm(AdminAuthenticationForm):
    """The admin's own sign-in page checks credentials exactly as the service's does: failed attempts throttled
    per username and recorded, the published demo password refused outside demo mode, sign-ins audited."""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            if self.request is None:  # the admin always passes the request; without it nothing can be throttled
                raise self.get_invalid_login_error()
            try:
                self.user_cache = sign_in_check(  # type: ignore[assignment]
                    request=self.request,
                    username=username,
                    password=password,
                    allowed=lambda user: bool(user.is_active and getattr(user, "is_staff", False)),
                )
            except TooManyAttempts as exc:
                raise ValidationError(
                    "There have been too many failed attempts to sign in from this device. "
                    f"Wait {exc.minutes} minutes and try again, or ask another administrator to clear the block.",
                    code="throttled",
                ) from None
            if self.user_cache is None:  # wrong password, or not an account the admin site lets in
                raise self.get_invalid_login_error()
        return self.cleaned_data


admin.site.site_header = "OpenProbation administration"
admin.site.site_title = "OpenProbation administration"
admin.site.login_form = AdminSignInForm


class AuditedAdmin(admin.ModelAdmin):
    """Admin changes go through the same audit trail as every other change, in the same transaction."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = model_to_dict(type(obj).objects.get(pk=obj.pk)) if change else {}
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            after = model_to_dict(obj)
            old, new = changed_fields(before, after) if change else ({}, after)
            audit_record(
                actor=request.user,
                action=f"admin.{obj._meta.model_name}.{'changed' if change else 'added'}",
                crn=getattr(getattr(obj, "person", None), "crn", ""),
                entity=obj._meta.model_name,
                entity_id=obj.pk,
                before=old or None,
                after=new,
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            audit_record(
                actor=request.user,
                action=f"admin.{obj._meta.model_name}.deleted",
                crn=getattr(getattr(obj, "person", None), "crn", ""),
                entity=obj._meta.model_name,
                entity_id=obj.pk,
                before=model_to_dict(obj),
            )
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "actor_name", "action", "crn", "entity", "entity_id")
    list_filter = ("action",)
    search_fields = ("crn", "actor_name", "action")
    date_hierarchy = "at"

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuditEvent]:
        """Only events about no case or about a case this administrator may see: restriction and exclusion lists
        apply here as everywhere else (people/access.py)."""
        ordering = self.get_ordering(request)
        events = audit_events_visible_to(request.user).select_related("actor")
        return events.order_by(*ordering) if ordering else events

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
