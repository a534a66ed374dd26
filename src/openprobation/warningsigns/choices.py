from django.db import models


class DispositionOutcome(models.TextChoices):
    ACTION_TAKEN = "action_taken", "Action taken"
    NO_ACTION = "no_action", "No action"
