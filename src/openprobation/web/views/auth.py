"""Signing in and out."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from openprobation.core.sign_in import TooManyAttempts, record_sign_out, sign_in_check
from openprobation.web.forms import ErrorItem, SignInForm

BAD_CREDENTIALS = "Enter a correct username and password"


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request.POST or None)
    errors: list[ErrorItem] = []
    if request.method == "POST":
        if form.is_valid():
            try:
                user = sign_in_check(
                    request=request,
                    username=form.cleaned_data["username"],
                    password=form.cleaned_data["password"],
                )
            except TooManyAttempts as exc:
                errors.append(
                    ErrorItem(
                        "username",
                        "username",
                        "There have been too many failed attempts to sign in from this device. "
                        f"Wait {exc.minutes} minutes and try again, or ask an administrator to clear the block.",
                    )
                )
            else:
                if user is not None:
                    login(request, user)  # type: ignore[arg-type]  # any AUTH_USER_MODEL user
                    return redirect(_next_url(request) or settings.LOGIN_REDIRECT_URL)
                errors.append(ErrorItem("username", "username", BAD_CREDENTIALS))
        else:
            errors = [
                ErrorItem(name, name, str(form.errors[name][0]))
                for name in ("username", "password")
                if name in form.errors
            ]
    return render(
        request,
        "web/sign_in.html",
        {
            "form": form,
            "errors": errors,
            "field_errors": {e.field: e.message for e in errors},
            "next": _next_url(request),
        },
    )


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    record_sign_out(user=request.user)
    logout(request)
    return redirect("web:sign-in")
