from django.db import models

from openprobation.rules.ratings import KEY_QUESTION_WORDS, RATING_WORDS


class ScopeLevel(models.TextChoices):
    PROVIDER = "provider", "Provider"
    REGION = "region", "Region"
    PDU = "pdu", "Probation delivery unit"


class Rating(models.TextChoices):
    OUTSTANDING = "outstanding", RATING_WORDS["outstanding"]
    GOOD = "good", RATING_WORDS["good"]
    REQUIRES_IMPROVEMENT = "requires_improvement", RATING_WORDS["requires_improvement"]
    INADEQUATE = "inadequate", RATING_WORDS["inadequate"]


class KeyQuestion(models.TextChoices):
    ENGAGEMENT = "engagement", KEY_QUESTION_WORDS["engagement"].capitalize()
    DESISTANCE = "desistance", KEY_QUESTION_WORDS["desistance"].capitalize()
    KEEPING_SAFE = "keeping_safe", KEY_QUESTION_WORDS["keeping_safe"].capitalize()


class AuditStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    AUDITED = "audited", "Audited"
