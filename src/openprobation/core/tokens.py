"""API tokens: created by an administrator command, shown once, stored as a SHA-256 digest.

A token works from the moment it is made until the instant it expires (``now < expires_at``) or is revoked, whichever
comes first; a token with no expiry is refused. Creating, listing and revoking are each one transaction and audited.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction

from openprobation.core import clock
from openprobation.core.audit import audit_record
from openprobation.core.errors import NotFound, ValidationFailed
from openprobation.core.models import ApiToken
from openprobation.core.prepared import Prepared

TOKEN_PREFIX = "op_"  # noqa: S105 (a marker that makes leaked tokens easy to find, not a secret)
MAX_TOKEN_DAYS = 366  # a token that outlives a year is one nobody remembers to rotate
LAST_USED_EVERY_SECONDS = 60  # last_used_at is written at most once a minute per token

ACTIVE, EXPIRED, REVOKED = "active", "expired", "revoked"

Actor = AbstractBaseUser | AnonymousUser | None


@dataclass(frozen=True)
class IssuedToken:
    """A new token: ``token`` is the only copy there will ever be."""

    token: str
    id: int
    prefix: str
    expires_at: dt.datetime


@dataclass(frozen=True)
class TokenSummary:
    """What may be shown about a token: never the token, never its digest."""

    id: int
    prefix: str
    created_at: dt.datetime
    expires_at: dt.datetime | None
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None
    status: str


@dataclass(frozen=True)
class Revocation:
    id: int
    prefix: str
    username: str
    revoked_at: dt.datetime
    already_revoked: bool  # it had been revoked before; nothing changed and nothing was audited


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_status(row: ApiToken, now: dt.datetime) -> str:
    """``revoked`` wins over ``expired``; a token without an expiry counts as expired (it is refused)."""
    if row.revoked_at is not None:
        return REVOKED
    if row.expires_at is None or now >= row.expires_at:
        return EXPIRED
    return ACTIVE


def _lifetime(days: int | None) -> dt.timedelta:
    if days is None:
        days, path, name = settings.API_TOKEN_DAYS, "API_TOKEN_DAYS", "OPENPROBATION_API_TOKEN_DAYS"
    else:
        path, name = "days", "A token's lifetime"
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_TOKEN_DAYS:
        raise ValidationFailed.single(path, f"{name} must be from 1 to {MAX_TOKEN_DAYS} days, not {days}")
    return dt.timedelta(days=days)


def token_issue(*, username: str, days: int | None = None) -> IssuedToken:
    """A new token for the active user, expiring ``days`` from now (default ``settings.API_TOKEN_DAYS``); the
    caller shows it once, since only its digest is kept."""
    lifetime = _lifetime(days)
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise NotFound(f"No active user called {username}")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = clock.now()
    expires_at = now + lifetime
    with transaction.atomic():
        row = ApiToken.objects.create(user=user, digest=_digest(token), prefix=token[:8], created_at=now,
                                      expires_at=expires_at)
        audit_record(actor=None, action="api_token.created", entity="user", entity_id=user.pk,
                     after={"user": username, "token_id": row.pk, "prefix": row.prefix, "expires_at": expires_at})
    return IssuedToken(token=token, id=row.pk, prefix=row.prefix, expires_at=expires_at)


def token_create(*, username: str, days: int | None = None) -> str:
    """A new token for the user (see ``token_issue``): just the token."""
    return token_issue(username=username, days=days).token


def token_list(*, username: str, actor: Actor = None) -> list[TokenSummary]:
    """Every token of the user (active, expired and revoked), newest first; the look is audited."""
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise NotFound(f"No user called {username}")
    now = clock.now()
    with transaction.atomic():
        rows = list(ApiToken.objects.filter(user=user).order_by("-created_at", "-pk"))
        audit_record(actor=actor, action="api_token.listed", entity="user", entity_id=user.pk,
                     after={"user": username, "tokens": len(rows)})
    return [
        TokenSummary(id=row.pk, prefix=row.prefix, created_at=row.created_at, expires_at=row.expires_at,
                     last_used_at=row.last_used_at, revoked_at=row.revoked_at, status=token_status(row, now))
        for row in rows
    ]


def _find(token_or_id: str | int) -> ApiToken:
    """The token, locked, given the whole token or its numeric id."""
    tokens = ApiToken.objects.select_for_update(of=("self",)).select_related("user")
    value = str(token_or_id).strip()
    if value.isascii() and value.isdigit():
        pk = int(value) if len(value) <= 19 else 0  # a primary key is a 64-bit integer
        row = tokens.filter(pk=pk).first() if 0 < pk < 2**63 else None
        if row is None:
            raise NotFound(f"No API token has the id {value[:20]}")
        return row
    row = tokens.filter(digest=_digest(value)).first() if value.startswith(TOKEN_PREFIX) else None
    if row is None:  # the value is never repeated: it may be someone's token with a typo
        raise NotFound("No API token matches that value: give the whole token or its numeric id")
    return row


def token_revoke(token_or_id: str | int, *, actor: Actor) -> Revocation:
    """Revoke a token given in full or by its id; it is refused from now on. Revoking a revoked token changes
    nothing (``already_revoked``); an unknown one is ``NotFound``."""
    with transaction.atomic():
        row = _find(token_or_id)
        username = row.user.get_username()
        if row.revoked_at is not None:
            return Revocation(id=row.pk, prefix=row.prefix, username=username, revoked_at=row.revoked_at,
                              already_revoked=True)
        row.revoked_at = clock.now()
        row.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="api_token.revoked", entity="user", entity_id=row.user_id,
                     before={"revoked_at": None},
                     after={"user": username, "token_id": row.pk, "prefix": row.prefix, "revoked_at": row.revoked_at})
    return Revocation(id=row.pk, prefix=row.prefix, username=username, revoked_at=row.revoked_at,
                      already_revoked=False)


# The token by its digest with its user, the user's staff record and team (what the access rules read), in one
# statement compiled once per process; whether the token still works is decided on every request from the row.
_TOKEN_BY_DIGEST: Prepared[ApiToken] = Prepared(
    lambda digest: ApiToken.objects.select_related("user__staff__team").filter(digest=digest)
)


def token_user(token: str) -> AbstractBaseUser | None:
    """The active user a bearer token belongs to, or None: unknown, revoked, expired (at or after ``expires_at``)
    and expiry-less tokens are all refused. Records when the token was last used, at most once a minute."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    now = clock.now()
    row = _TOKEN_BY_DIGEST.first(_digest(token))
    if row is None or token_status(row, now) != ACTIVE or not row.user.is_active:
        return None
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > LAST_USED_EVERY_SECONDS:
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.user
