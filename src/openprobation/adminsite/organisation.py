"""Providers, regions, PDUs, teams and staff in the admin: every change audited."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from openprobation.adminsite.audited import AuditedAdmin
from openprobation.core import followups
from openprobation.organisation.models import Pdu, Provider, Region, Staff, Team


@admin.register(Provider)
class ProviderAdmin(AuditedAdmin):
    list_display = ("code", "name")


@admin.register(Region)
class RegionAdmin(AuditedAdmin):
    list_display = ("code", "name", "provider")


@admin.register(Pdu)
class PduAdmin(AuditedAdmin):
    list_display = ("code", "name", "region")
    list_filter = ("region",)


@admin.register(Team)
class TeamAdmin(AuditedAdmin):
    list_display = ("code", "name", "pdu")
    list_filter = ("pdu__region",)
    search_fields = ("code", "name")


@admin.register(Staff)
class StaffAdmin(AuditedAdmin):
    list_display = ("code", "last_name", "first_name", "grade", "role", "team", "contracted_hours")
    list_filter = ("role", "grade")
    search_fields = ("code", "last_name", "first_name", "user__username")
    autocomplete_fields = ("team",)  # a team chosen by its name or code, not its database id
    # Granted and withdrawn only by `openprobation access-manager`: no administrator can make themselves one here.
    readonly_fields = ("access_manager",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        """Staff are added with their account by ``openprobation createuser`` (see AuditedUserAdmin)."""
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """Saved as any audited change; what follows a change of grade (the allocation check of the cases they hold)
        follows in the same transaction."""
        super().save_model(request, obj, form, change)
        if change and form.changed_data:
            followups.staff_changed(actor=request.user, staff=obj, changed=frozenset(form.changed_data))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        """A staff record's sign-in account is fixed: moving an account onto another record would hand over that
        record's place on restriction lists, or its access-manager permission."""
        return ("access_manager", "user")
