"""API tokens in the admin: who has which, whether each still works, and revoking them (audited).

Tokens are made only by ``openprobation token create``, which shows a token once; the admin cannot add or change
one, and never shows or filters on a digest.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from openprobation.adminsite.audited import ReadOnlyAdmin
from openprobation.core import clock
from openprobation.core.models import ApiToken
from openprobation.core.tokens import token_revoke, token_status

SHOWN = ("user", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at")


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ("user", "prefix", "created_at", "expires_at", "last_used_at", "status")
    list_select_related = ("user",)
    search_fields = ("user__username", "prefix")
    ordering = ("-created_at", "-pk")
    fields = SHOWN  # the digest is left out of the read-only detail page
    readonly_fields = SHOWN
    actions = ["revoke_tokens"]

    @admin.display(description="Status")
    def status(self, obj: ApiToken) -> str:
        return token_status(obj, clock.now())

    @admin.action(description="Revoke selected tokens", permissions=["revoke"])
    def revoke_tokens(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        revoked = already = 0
        for pk in queryset.values_list("pk", flat=True):
            if token_revoke(pk, actor=request.user).already_revoked:
                already += 1
            else:
                revoked += 1
        note = f" ({already} already revoked)" if already else ""
        self.message_user(request, f"Revoked {revoked} token(s){note}", messages.SUCCESS)

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        # No filtering on the digest through the address either (?digest__startswith=...).
        if lookup.split("__")[0] == "digest":
            return False
        return super().lookup_allowed(lookup, value, request)
