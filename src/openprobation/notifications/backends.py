"""Where messages go: the outbox (kept in the database and shown in the case's personal details: the default, for
the demo and tests) or GOV.UK Notify. Nothing is sent for real unless ``OPENPROBATION_MESSAGES_BACKEND=notify`` and
a Notify API key (``OPENPROBATION_NOTIFY_API_KEY``) and template ids are set in the environment; the key is never
stored."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from notifications_python_client.errors import APIError, TokenError
from notifications_python_client.notifications import NotificationsAPIClient

from openprobation.notifications.choices import Channel

BACKENDS = ("outbox", "notify")
# A Notify API key is "<key name>-<service id>-<secret>": the two ids are UUIDs (36 characters each).
_NOTIFY_KEY_MIN_LENGTH = 36 + 1 + 36 + 1


@dataclass(frozen=True)
class Outgoing:
    channel: str
    recipient: str
    body: str  # the message as the outbox shows it
    personalisation: dict[str, str] = field(default_factory=dict)  # the Notify template's fields
    reference: str = ""  # ours, sent to Notify so a message can be traced both ways


@dataclass(frozen=True)
class Sent:
    ok: bool
    reference: str = ""  # the provider's id for the message
    failure: str = ""


class MessagesBackend(Protocol):
    name: str

    def send(self, message: Outgoing) -> Sent: ...


class OutboxBackend:
    """Keeps messages in the database only (the ``Message`` row is the outbox); nothing leaves the service."""

    name = "outbox"

    def send(self, message: Outgoing) -> Sent:
        return Sent(ok=True)


class NotifyBackend:
    """GOV.UK Notify, through its Python client: a text message or an email from a template, with our wording's
    fields as its personalisation. A refusal or a network failure is a failed message, never an exception."""

    name = "notify"

    def __init__(self, *, api_key: str, sms_template_id: str, email_template_id: str, base_url: str) -> None:
        self.client = NotificationsAPIClient(api_key, base_url=base_url, timeout=settings.NOTIFY_TIMEOUT_SECONDS)
        self.templates = {Channel.SMS: sms_template_id, Channel.EMAIL: email_template_id}

    def send(self, message: Outgoing) -> Sent:
        template_id = self.templates[Channel(message.channel)]
        try:
            if message.channel == Channel.SMS:
                answer: Any = self.client.send_sms_notification(
                    phone_number=message.recipient, template_id=template_id,
                    personalisation=message.personalisation, reference=message.reference,
                )
            else:
                answer = self.client.send_email_notification(
                    email_address=message.recipient, template_id=template_id,
                    personalisation=message.personalisation, reference=message.reference,
                )
        except (APIError, TokenError) as exc:
            return Sent(ok=False, failure=f"GOV.UK Notify refused or could not be reached: {exc}"[:2000])
        reference = str(answer.get("id", "")) if isinstance(answer, dict) else ""
        return Sent(ok=True, reference=reference[:64])


def configuration_problem() -> str:
    """What is wrong with the messages settings, or "" (the worker refuses to start on a problem)."""
    backend = settings.MESSAGES_BACKEND
    if backend not in BACKENDS:
        return f"OPENPROBATION_MESSAGES_BACKEND must be one of {', '.join(BACKENDS)}, not {backend!r}"
    if backend == "notify":
        missing = [name for name, value in (
            ("OPENPROBATION_NOTIFY_API_KEY", settings.NOTIFY_API_KEY),
            ("OPENPROBATION_NOTIFY_SMS_TEMPLATE_ID", settings.NOTIFY_SMS_TEMPLATE_ID),
            ("OPENPROBATION_NOTIFY_EMAIL_TEMPLATE_ID", settings.NOTIFY_EMAIL_TEMPLATE_ID),
        ) if not value]
        if missing:
            return f"OPENPROBATION_MESSAGES_BACKEND=notify needs {', '.join(missing)} in the environment"
        if len(settings.NOTIFY_API_KEY) < _NOTIFY_KEY_MIN_LENGTH:
            return "OPENPROBATION_NOTIFY_API_KEY is not a GOV.UK Notify API key (name, service id and secret)"
    return ""


def messages_backend() -> MessagesBackend:
    """The configured backend (``OPENPROBATION_MESSAGES_BACKEND``, outbox unless set)."""
    problem = configuration_problem()
    if problem:
        raise ImproperlyConfigured(problem)
    if settings.MESSAGES_BACKEND == "notify":
        return NotifyBackend(
            api_key=settings.NOTIFY_API_KEY, sms_template_id=settings.NOTIFY_SMS_TEMPLATE_ID,
            email_template_id=settings.NOTIFY_EMAIL_TEMPLATE_ID, base_url=settings.NOTIFY_BASE_URL,
        )
    return OutboxBackend()
