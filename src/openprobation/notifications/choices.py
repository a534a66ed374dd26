from django.db import models


class Channel(models.TextChoices):
    SMS = "sms", "Text message"
    EMAIL = "email", "Email"


class MessageStatus(models.TextChoices):
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class ReminderStatus(models.TextChoices):
    """What became of an appointment's one reminder."""

    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    OPTED_OUT = "opted_out", "Not sent: no consent to reminders"
