"""Django admin: organisation set-up for administrators, every change audited; the audit trail read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.forms.models import model_to_dict
from django.http import HttpRequest

from openprobation.core.audit import audit_record, changed_fields
from openprobation.core.models import AuditEvent, SignInThrottle
from openprobation.core.sign_in import TooManyAttempts, sign_in_check, throttles_clear, throttles_current
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


admin.site.login_form = AdminSignInForm


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
                before=_snapshot(obj),
            )
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class AuditedUserAdmin(AuditedAdmin, UserAdmin):
    """Accounts: every change audited, staff and superuser flags, groups and permissions included; setting a
    password is audited without the password or its hash."""

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> Any:
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:
                user = User.objects.get(pk=id)
                audit_record(actor=request.user, action="admin.user.password_set", entity="user", entity_id=user.pk,
                             after={"username": user.get_username(), "password": "changed"})
        return response


@admin.register(Group)
class AuditedGroupAdmin(AuditedAdmin, GroupAdmin):
    """Groups and their permissions: every change audited."""


@admin.register(SignInThrottle)
class SignInThrottleAdmin(admin.ModelAdmin):
    """Addresses and usernames-from-an-address with failed sign-ins in the current window; clearing one lets that
    address try again at once (audited)."""

    list_display = ("scope", "key", "failures", "last_failure_at", "window_start")
    list_filter = ("scope",)
    search_fields = ("key",)
    actions = ["clear_throttles"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[SignInThrottle]:
        return throttles_current()

    @admin.action(description="Clear the selected blocks (let them try again now)")
    def clear_throttles(self, request: HttpRequest, queryset: QuerySet[SignInThrottle]) -> None:
        cleared = throttles_clear(actor=request.user, ids=list(queryset.values_list("pk", flat=True)))  # type: ignore[arg-type]
        self.message_user(request, f"Cleared {cleared} sign-in block(s)")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


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


from openprobation.core import admin_tokens  # noqa: E402, F401  (registers the API token admin)
