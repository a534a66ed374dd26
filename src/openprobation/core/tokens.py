"""API tokens: created by an administrator command, shown once, stored as a SHA-256 digest."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from openprobation.core import clock
from openprobation.core.audit import audit_record
from openprobation.core.errors import NotFound
from openprobation.core.models import ApiToken

TOKEN_PREFIX = "op_"  # noqa: S105 (a marker that makes leaked tokens easy to find, not a secret)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_create(*, username: str) -> str:
    """A new token for the user; the caller shows it once, since only its digest is kept."""
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise NotFound(f"No active user called {username}")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        ApiToken.objects.create(user=user, digest=_digest(token), prefix=token[:8], created_at=clock.now())
        audit_record(actor=None, action="api_token.created", entity="user", entity_id=user.pk,
                     after={"user": username, "prefix": token[:8]})
    return token


def token_user(token: str) -> AbstractBaseUser | None:
    """The active user a bearer token belongs to, or None."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    row = ApiToken.objects.select_related("user").filter(digest=_digest(token), revoked_at__isnull=True).first()
    if row is None or not row.user.is_active:
        return None
    now = clock.now()
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.user
