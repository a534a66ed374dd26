from django.db import models

from openprobation.rules.enforcement import Action, WarningType


class DecisionStatus(models.TextChoices):
    AWAITING = "awaiting", "Awaiting a decision"
    DECIDED = "decided", "Decided"


class EnforcementAction(models.TextChoices):
    """``rules.enforcement.Action`` with its labels."""

    NO_FURTHER_ACTION = Action.NO_FURTHER_ACTION.value, "No further action"
    WARNING = Action.WARNING.value, "Warning"
    BREACH = Action.BREACH.value, "Breach (on licence, recall initiated)"


class WarningLetterType(models.TextChoices):
    FIRST = WarningType.FIRST.value, "First warning"
    SECOND = WarningType.SECOND.value, "Second warning"
    FINAL = WarningType.FINAL.value, "Final warning"
