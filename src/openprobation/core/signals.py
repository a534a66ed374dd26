"""Receivers of Django's own signals that the audit trail needs."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver

from openprobation.core.sign_in import record_sign_out


@receiver(user_logged_out, dispatch_uid="openprobation.core.signed_out")
def _signed_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """Sign-outs from the service's pages and from the admin site alike."""
    record_sign_out(user=user)
