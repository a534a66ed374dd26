"""Cross-cutting records: the append-only, hash-chained audit trail, API tokens and sign-in throttles."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("Audit events are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("Audit events are append-only")


class AuditEvent(models.Model):
    """One change to the record, or one view of a restricted case. Never updated or deleted."""

    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(max_length=150)
    crn = models.CharField(max_length=7, blank=True, db_index=True)
    action = models.CharField(max_length=60)
    entity = models.CharField(max_length=60, blank=True)
    entity_id = models.CharField(max_length=40, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    reason = models.TextField(blank=True)
    # The hash chain (core/audit_chain.py): a digest of the content above, written with the row; then, when the
    # writing transaction commits, its place in the chain, the previous event's hash and its own hash.
    content_hash = models.CharField(max_length=64, blank=True)
    seq = models.BigIntegerField(null=True, blank=True, unique=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["crn", "-at"], name="audit_crn_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.crn}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("Audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError("Audit events are append-only")


class ApiToken(models.Model):
    """A bearer token for the API. Only a SHA-256 digest is stored; the token is shown once. It stops working
    when it expires or is revoked."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class SignInThrottle(models.Model):
    """Failed sign-ins counted in one window for one key: an address, or a username from an address.

    Counted with one atomic UPDATE before the password is checked, so concurrent guesses cannot exceed the limit
    (core/sign_in.py). A key at its limit is refused until the window ends or an administrator clears it.
    """

    class Scope(models.TextChoices):
        ADDRESS = "address", "Address"
        USERNAME_ADDRESS = "username_address", "Username from an address"

    scope = models.CharField(max_length=20, choices=Scope.choices)
    key = models.CharField(max_length=250)
    window_start = models.DateTimeField()
    failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key", "window_start"], name="sign_in_throttle_unique"),
        ]
        indexes = [models.Index(fields=["window_start"], name="sign_in_throttle_window")]

    def __str__(self) -> str:
        return f"{self.get_scope_display()} {self.key}: {self.failures}"
