"""The audit trail in the admin: read-only, and only what the reader may see (people/access.py)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from openprobation.adminsite.audited import ReadOnlyAdmin
from openprobation.core.models import AuditEvent
from openprobation.people.access import audit_events_visible_to


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
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
