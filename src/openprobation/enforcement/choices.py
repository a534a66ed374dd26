from django.db import models

from openprobation.rules.breach import OUTCOME_WORDS, Outcome
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


class BreachOutcome(models.TextChoices):
    """``rules.breach.Outcome`` with its words."""

    ORDER_CONTINUED = Outcome.ORDER_CONTINUED.value, OUTCOME_WORDS[Outcome.ORDER_CONTINUED]
    ORDER_AMENDED = Outcome.ORDER_AMENDED.value, OUTCOME_WORDS[Outcome.ORDER_AMENDED]
    REVOKED_RESENTENCED = Outcome.REVOKED_RESENTENCED.value, OUTCOME_WORDS[Outcome.REVOKED_RESENTENCED]
    CUSTODY_ACTIVATED = Outcome.CUSTODY_ACTIVATED.value, OUTCOME_WORDS[Outcome.CUSTODY_ACTIVATED]
    NOT_PROVEN = Outcome.NOT_PROVEN.value, OUTCOME_WORDS[Outcome.NOT_PROVEN]
    WITHDRAWN = Outcome.WITHDRAWN.value, OUTCOME_WORDS[Outcome.WITHDRAWN]
