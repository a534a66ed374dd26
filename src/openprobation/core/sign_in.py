"""Signing in: guessing throttled by address and by username-from-an-address, never by account alone; the published
demo password only in demo mode; every sign-in, failure, refusal, sign-out and cleared throttle audited.

Why this shape (docs/decisions/0007-sign-in-throttling.md): a lock on the account lets anyone lock anyone out, so
the limits key on where the guesses come from. Two counters are kept per window:

- a username from one address (``SIGN_IN_MAX_FAILURES``, default 5): the person mistyping, or a guesser aiming at
  one account; the real user signing in from elsewhere is not affected;
- one address over all usernames (``SIGN_IN_MAX_FAILURES_PER_ADDRESS``, default 20): a guesser spraying accounts.

An attempt takes its place in both counters with one atomic ``UPDATE … WHERE failures < limit`` *before* the
password is checked, so concurrent guesses cannot get more checks than the limit; a successful sign-in gives its
place back. Counters run in fixed windows of ``SIGN_IN_FAILURE_WINDOW_SECONDS``; an administrator can clear them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest

from openprobation.core import clock
from openprobation.core.audit import audit_record
from openprobation.core.models import SignInThrottle

# The one demo password, documented in docs/how-to/demo-data.md and printed by scripts/demo.sh. The demo loader
# gives it to the demo sign-ins; it is published, so it signs in only while OPENPROBATION_DEMO=true, whatever the
# accounts' stored hashes say (a database loaded in demo mode may later be served without it).
DEMO_PASSWORD = "demo-probation-2026"  # noqa: S105

Scope = SignInThrottle.Scope


class TooManyAttempts(Exception):
    def __init__(self, minutes: int) -> None:
        self.minutes = minutes
        super().__init__(f"Too many failed attempts; try again in {minutes} minutes")


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


def client_address(request: HttpRequest) -> str:
    """The address a request came from. Behind ``TRUSTED_PROXY_COUNT`` proxies that each append to
    X-Forwarded-For, the entry the nearest trusted proxy saw; otherwise the socket's peer."""
    remote = str(request.META.get("REMOTE_ADDR") or "unknown")
    hops = settings.TRUSTED_PROXY_COUNT
    if hops <= 0:
        return remote[:64]
    forwarded = [part.strip() for part in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",") if part.strip()]
    if len(forwarded) < hops:
        return remote[:64]
    return forwarded[-hops][:64]


def window_start(now: dt.datetime) -> dt.datetime:
    seconds = max(1, settings.SIGN_IN_FAILURE_WINDOW_SECONDS)
    epoch = int(now.timestamp())
    return dt.datetime.fromtimestamp(epoch - epoch % seconds, tz=dt.UTC)


def _minutes_left(now: dt.datetime) -> int:
    ends = window_start(now) + dt.timedelta(seconds=max(1, settings.SIGN_IN_FAILURE_WINDOW_SECONDS))
    return max(1, -(-int((ends - now).total_seconds()) // 60))


KEEP_WINDOWS_FOR = dt.timedelta(days=1)  # counters of older windows are deleted as new ones are made


def _counter(scope: str, key: str, start: dt.datetime) -> int:
    """The id of this window's counter for the key, created at 0 if it is new (concurrent creators agree)."""
    row = SignInThrottle.objects.filter(scope=scope, key=key, window_start=start).values_list("pk", flat=True).first()
    if row is not None:
        return row
    SignInThrottle.objects.filter(window_start__lt=start - KEEP_WINDOWS_FOR).delete()
    try:
        with transaction.atomic():
            return SignInThrottle.objects.create(scope=scope, key=key, window_start=start).pk
    except IntegrityError:  # another attempt created it first
        return SignInThrottle.objects.get(scope=scope, key=key, window_start=start).pk


def _take_place(counter_id: int, limit: int, now: dt.datetime) -> bool:
    """One atomic step: count this attempt unless the counter is already at its limit."""
    return bool(
        SignInThrottle.objects.filter(pk=counter_id, failures__lt=limit).update(
            failures=F("failures") + 1, last_failure_at=now
        )
    )


def _give_back(counter_id: int) -> None:
    SignInThrottle.objects.filter(pk=counter_id, failures__gt=0).update(failures=F("failures") - 1)


def sign_in_check(
    *,
    request: HttpRequest,
    username: str,
    password: str,
    allowed: Callable[[AbstractBaseUser], bool] | None = None,
) -> AbstractBaseUser | None:
    """The user if the credentials are right (and ``allowed`` accepts the account, e.g. the admin site's staff
    check); None otherwise, counted and audited as a failed attempt; TooManyAttempts if this address, or this
    username from this address, has used up its attempts in the current window. Only a sign-in that will go ahead
    is audited as one and gives its place in the counters back."""
    now = clock.now()
    start = window_start(now)
    address = client_address(request)
    name = username.lower()[:150]
    counters = [
        (_counter(Scope.USERNAME_ADDRESS, f"{name}@{address}", start), settings.SIGN_IN_MAX_FAILURES),
        (_counter(Scope.ADDRESS, address, start), settings.SIGN_IN_MAX_FAILURES_PER_ADDRESS),
    ]
    taken: list[int] = []
    for counter_id, limit in counters:
        if not _take_place(counter_id, limit, now):
            for earlier in taken:
                _give_back(earlier)
            audit_record(actor=None, action="sign_in.refused_throttled", entity="sign_in",
                         after={"username": name, "address": address})
            raise TooManyAttempts(_minutes_left(now))
        taken.append(counter_id)

    user = None if demo_password_refused(password) else authenticate(request, username=username, password=password)
    if user is not None and allowed is not None and not allowed(user):
        user = None
    if user is None:
        audit_record(actor=None, action="sign_in.failed", entity="sign_in",
                     after={"username": name, "address": address})
        return None
    for counter_id in taken:
        _give_back(counter_id)
    audit_record(actor=user, action="user.signed_in", after={"address": address})
    return user


def throttles_current(*, now: dt.datetime | None = None) -> Any:
    """The counters of the current window that have any failures, most recent first (the admin's list)."""
    start = window_start(now or clock.now())
    return SignInThrottle.objects.filter(window_start__gte=start, failures__gt=0).order_by("-last_failure_at")


def throttles_clear(*, actor: AbstractBaseUser, ids: list[int]) -> int:
    """Clear the given counters (an administrator unblocking an address or a username), audited."""
    with transaction.atomic():
        rows = list(SignInThrottle.objects.select_for_update().filter(pk__in=ids))
        for row in rows:
            audit_record(actor=actor, action="sign_in.throttle_cleared", entity="sign_in_throttle", entity_id=row.pk,
                         before={"scope": row.scope, "key": row.key, "failures": row.failures})
        SignInThrottle.objects.filter(pk__in=[row.pk for row in rows]).delete()
    return len(rows)


def record_sign_out(*, user: Any) -> None:
    """Audit a sign-out (from the service or the admin site)."""
    if user is not None and getattr(user, "is_authenticated", False):
        audit_record(actor=user, action="user.signed_out")
