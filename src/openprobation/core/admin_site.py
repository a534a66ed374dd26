"""The Django admin's site: sign-out audited like the service's own (sign-in goes through ``AdminSignInForm``)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.template.response import TemplateResponse

from openprobation.core.sign_in import record_sign_out


class OpenProbationAdminSite(admin.AdminSite):
    site_header = "OpenProbation administration"
    site_title = "OpenProbation administration"

    def logout(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> TemplateResponse:
        if request.method == "POST":
            record_sign_out(user=request.user)
        return super().logout(request, extra_context)
