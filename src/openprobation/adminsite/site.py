"""The admin site: sign-in through the service's own throttled, audited check; sign-out audited too."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.template.response import TemplateResponse

from openprobation.core.audit import audit_record
from openprobation.core.sign_in import TooManyAttempts, record_sign_out, sign_in_check


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


class OpenProbationAdminSite(admin.AdminSite):
    site_header = "OpenProbation administration"
    site_title = "OpenProbation administration"
    login_form = AdminSignInForm

    def password_change(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> TemplateResponse:
        """Changing one's own password on the admin site, audited (never the password)."""
        with transaction.atomic():
            response = super().password_change(request, extra_context)
            if request.method == "POST" and response.status_code == 302:
                audit_record(actor=request.user, action="user.password_changed", entity="user",
                             entity_id=request.user.pk, after={"password": "changed"})
        return response

    def logout(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> TemplateResponse:
        if request.method == "POST":
            record_sign_out(user=request.user)
        return super().logout(request, extra_context)
