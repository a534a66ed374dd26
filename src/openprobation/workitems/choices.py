from django.db import models

from openprobation.rules.timescales import ItemKind, Owner


class WorkItemStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class WorkItemKind(models.TextChoices):
    """The kinds the timescale rules make due (``rules.timescales.ItemKind``), with their labels."""

    ALLOCATION = "allocation", "Allocate the case"
    FIRST_APPOINTMENT = "first_appointment", "First appointment"
    ROSH_SCREENING = "rosh_screening", "RoSH screening"
    ROSH_FULL_ANALYSIS = "rosh_full_analysis", "Full RoSH analysis"
    SENTENCE_PLAN = "sentence_plan", "Sentence plan"
    RISK_MANAGEMENT_PLAN = "risk_management_plan", "Risk management plan"
    POLICE_DA_CHECK = "police_da_check", "Police domestic abuse check"
    CHILDRENS_SERVICES_CHECK = "childrens_services_check", "Children's services check"
    HOME_VISIT = "home_visit", "Home visit"
    ROSH_REVIEW = "rosh_review", "RoSH review"
    MONTHLY_CONTACT = "monthly_contact", "Monthly contact"
    REPORTING_CHANGE_COUNTERSIGN = "reporting_change_countersign", "Countersign a reduction in reporting"
    NON_ATTENDANCE_FOLLOW_UP = "non_attendance_follow_up", "Follow up a missed appointment"
    BREACH_REFERRAL = "breach_referral", "Breach referral"
    BREACH_TO_COURT = "breach_to_court", "Breach to court"
    ENFORCEMENT_ACTION = "enforcement_action", "Enforcement action"
    ENFORCEMENT_DECISION = "enforcement_decision", "Decide on a failure to comply"
    RECALL_REQUEST = "recall_request", "Recall request to PPCS"
    SIGNAL_REVIEW = "signal_review", "Review a warning sign"
    POLICE_NOTIFICATION = "police_notification", "Tell the police"
    RECALL_CONSIDERATION = "recall_consideration", "Consider recall"
    RISK_ESCALATION_REVIEW = "risk_escalation_review", "Review a risk escalation"


class OwnerRole(models.TextChoices):
    PRACTITIONER = "practitioner", "Practitioner"
    SPO = "spo", "Senior probation officer"
    ADMIN = "admin", "Administration"


class ReportingFrequency(models.TextChoices):
    """How often the person reports, most frequent first (a move down the list is a reduction)."""

    WEEKLY = "weekly", "Weekly"
    FORTNIGHTLY = "fortnightly", "Fortnightly"
    MONTHLY = "monthly", "Monthly"


REPORTING_ORDER = tuple(ReportingFrequency.values)


class ReportingChangeStatus(models.TextChoices):
    AWAITING_COUNTERSIGNATURE = "awaiting_countersignature", "Awaiting SPO countersignature"
    IN_FORCE = "in_force", "In force"
    REFUSED = "refused", "Refused"


# The database choices and the rules' enums must not drift apart.
assert set(WorkItemKind.values) == {k.value for k in ItemKind}
assert set(OwnerRole.values) == {o.value for o in Owner}
