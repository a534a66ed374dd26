from django.db import models


class RecallStatus(models.TextChoices):
    """Where a recall recommendation is in its lifecycle (the steps are in order; docs/recall.md)."""

    AWAITING_SPO_DECISION = "awaiting_spo_decision", "Awaiting the SPO's decision"
    RECALL_DECIDED = "recall_decided", "Recall decided: choose the recall type"
    AWAITING_SPO_COUNTERSIGNATURE = "awaiting_spo_countersignature", "Awaiting the SPO's countersignature"
    AWAITING_SENIOR_COUNTERSIGNATURE = (
        "awaiting_senior_countersignature",
        "Awaiting the senior manager's countersignature",
    )
    COUNTERSIGNED = "countersigned", "Countersigned: send the Part A"
    SENT = "sent", "Part A sent to PPCS"
    NO_RECALL_DECIDED = "no_recall_decided", "Decided not to recall: write the letter"
    NO_RECALL_CLOSED = "no_recall_closed", "Decided not to recall: letter written"


OPEN_STATUSES = frozenset(
    {
        RecallStatus.AWAITING_SPO_DECISION,
        RecallStatus.RECALL_DECIDED,
        RecallStatus.AWAITING_SPO_COUNTERSIGNATURE,
        RecallStatus.AWAITING_SENIOR_COUNTERSIGNATURE,
        RecallStatus.COUNTERSIGNED,
        RecallStatus.NO_RECALL_DECIDED,
    }
)


class SpoDecision(models.TextChoices):
    RECALL = "recall", "Recall"
    NO_RECALL = "no_recall", "Do not recall"


class RecallType(models.TextChoices):
    STANDARD = "standard", "Standard recall"
    FIXED_TERM = "fixed_term", "Fixed-term recall"


class RecallReason(models.TextChoices):
    NO_OFFENCE = "no_offence", "No further offence"
    CHARGED = "charged", "Charged with a further offence"
    CONVICTED = "convicted", "Convicted of a further offence"


class WhyConsidered(models.TextChoices):
    """Why recall was considered (the decision-not-to-recall letter's opening)."""

    RISK = "risk", "Your risk has increased"
    CONTACT = "contact", "Your contact with probation has broken down"
    BOTH = "both", "Your risk has increased and your contact with probation has broken down"
