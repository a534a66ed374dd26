from django.contrib import admin

from openprobation.core.admin import AuditedAdmin
from openprobation.people.models import CaseAccess


@admin.register(CaseAccess)
class CaseAccessAdmin(AuditedAdmin):
    """Restriction and exclusion lists of limited-access cases."""

    list_display = ("person", "kind", "staff", "reason")
    list_filter = ("kind",)
    search_fields = ("person__crn", "staff__code", "staff__last_name")
    raw_id_fields = ("person", "staff")
