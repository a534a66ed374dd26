from django.db import models

from openprobation.rules.escalation import TARGET_WORDS, Target


class EscalationStatus(models.TextChoices):
    AWAITING_REVIEW = "awaiting_review", "Awaiting the receiving manager's review"
    ACCEPTED = "accepted", "Accepted: the case has moved"
    DECLINED = "declined", "Declined"


class EscalationTarget(models.TextChoices):
    """Where the case is asked to go (``rules.escalation.Target``, with its words)."""

    PROBATION_OFFICER = Target.PROBATION_OFFICER.value, TARGET_WORDS[Target.PROBATION_OFFICER]
    MAPPA_LEVEL_2 = Target.MAPPA_LEVEL_2.value, TARGET_WORDS[Target.MAPPA_LEVEL_2]
    MAPPA_LEVEL_3 = Target.MAPPA_LEVEL_3.value, TARGET_WORDS[Target.MAPPA_LEVEL_3]
    NPS = Target.NPS.value, TARGET_WORDS[Target.NPS]


class EscalationDecision(models.TextChoices):
    ACCEPT = "accept", "Accept: move the case"
    DECLINE = "decline", "Decline"


assert set(EscalationTarget.values) == {t.value for t in Target}
