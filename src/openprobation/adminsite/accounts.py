"""Accounts, groups and sign-in blocks in the admin: every change audited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from openprobation.adminsite.audited import AuditedAdmin, ReadOnlyAdmin
from openprobation.core.audit import audit_record
from openprobation.core.models import SignInThrottle
from openprobation.core.sign_in import throttles_clear, throttles_current

admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class AuditedUserAdmin(AuditedAdmin, UserAdmin):
    """Accounts: every change audited, staff and superuser flags, groups and permissions included; setting a
    password is audited without the password or its hash. No account is added here: an administrator who could make
    an account and know its password could give it a staff record off a case's exclusion list, and so see the case.
    A server operator adds staff and their accounts with ``openprobation createuser``."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> Any:
        """Only one's own password here: setting someone else's would let an administrator sign in as them, and so
        past the restriction lists. A server operator sets another person's with ``openprobation set-password``."""
        if str(request.user.pk) != str(id):
            raise PermissionDenied("Set another person's password with `openprobation set-password USERNAME`")
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
class SignInThrottleAdmin(ReadOnlyAdmin):
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
