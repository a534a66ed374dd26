from django.db import models


class Agency(models.TextChoices):
    POLICE_DA = "police_da", "Police (domestic abuse call-outs)"
    CHILDRENS_SERVICES = "childrens_services", "Children's services"
    OTHER = "other", "Other agency"


class CheckStatus(models.TextChoices):
    AWAITING_RESPONSE = "awaiting_response", "Awaiting response"
    RESPONSE_RECEIVED = "response_received", "Response received, not yet used"
    USED_IN_ASSESSMENT = "used_in_assessment", "Used in the risk assessment"
    CLOSED = "closed", "Closed"


OPEN_CHECK_STATUSES = (CheckStatus.AWAITING_RESPONSE, CheckStatus.RESPONSE_RECEIVED)


class AssessmentKind(models.TextChoices):
    SCREENING = "screening", "RoSH screening"
    FULL_ANALYSIS = "full_analysis", "Full RoSH analysis"
    REVIEW = "review", "RoSH review"


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    COMPLETE = "complete", "Complete"


class RoshLevel(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    VERY_HIGH = "very_high", "Very high"


class RiskGroup(models.TextChoices):
    """Who is at risk of serious harm, as a RoSH assessment records it (OASys R10)."""

    CHILDREN = "children", "Children"
    PUBLIC = "public", "The public"
    KNOWN_ADULT = "known_adult", "A known adult"
    STAFF = "staff", "Staff"
    PRISONERS = "prisoners", "Prisoners (in custody)"


# A full analysis or review records the level and who is at risk; a screening only whether a full analysis is due.
RATED_KINDS = frozenset({AssessmentKind.FULL_ANALYSIS, AssessmentKind.REVIEW})
