"""Signing in, with failed attempts throttled per username; the published demo password only in demo mode."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest

from openprobation.core import clock
from openprobation.core.audit import audit_record
from openprobation.core.models import SignInFailure

# The one demo password, documented in docs/how-to/demo-data.md and printed by scripts/demo.sh. The demo loader
# gives it to the demo sign-ins; it is published, so it signs in only while OPENPROBATION_DEMO=true, whatever the
# accounts' stored hashes say (a database loaded in demo mode may later be served without it).
DEMO_PASSWORD = "demo-probation-2026"  # noqa: S105


class TooManyAttempts(Exception):
    pass


def demo_password_refused(password: str) -> bool:
    """True when ``password`` is the published demo password and the service is not in demo mode."""
    return password == DEMO_PASSWORD and not settings.DEMO_MODE


class AccountBackend(ModelBackend):
    """Django's account check, refusing the published demo password outside demo mode wherever a password is
    checked (the service's sign-in, the admin's, and any other caller of ``authenticate``)."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        if password is not None and demo_password_refused(password):
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def _recent_failures(username: str) -> int:
    since = clock.now() - dt.timedelta(seconds=settings.SIGN_IN_FAILURE_WINDOW_SECONDS)
    return SignInFailure.objects.filter(username=username.lower(), at__gte=since).count()


def sign_in_check(
    *,
    request: HttpRequest,
    username: str,
    password: str,
    allowed: Callable[[AbstractBaseUser], bool] | None = None,
) -> AbstractBaseUser | None:
    """The user if the credentials are right (and ``allowed`` accepts the account, e.g. the admin site's staff
    check); None otherwise, recorded as a failed attempt; TooManyAttempts if the username is locked. Only a sign-in
    that will go ahead clears the failures and is audited as one."""
    if _recent_failures(username) >= settings.SIGN_IN_MAX_FAILURES:
        raise TooManyAttempts
    user = None if demo_password_refused(password) else authenticate(request, username=username, password=password)
    if user is not None and allowed is not None and not allowed(user):
        user = None
    if user is None:
        SignInFailure.objects.create(
            username=username.lower()[:150], at=clock.now(), ip_address=request.META.get("REMOTE_ADDR")
        )
        return None
    SignInFailure.objects.filter(username=username.lower()).delete()
    audit_record(actor=user, action="user.signed_in")
    return user
