from django.db import models


class SentenceType(models.TextChoices):
    COMMUNITY_ORDER = "community_order", "Community order"
    SUSPENDED_SENTENCE_ORDER = "suspended_sentence_order", "Suspended sentence order"
    CUSTODY = "custody", "Custody"
    LICENCE = "licence", "Licence"
    POST_SENTENCE_SUPERVISION = "post_sentence_supervision", "Post-sentence supervision"


class SentenceKind(models.TextChoices):
    """How the sentence's length is set: a fixed term; an extended sentence (a custodial term and an extension
    period on licence); or an indeterminate sentence (a minimum term, the tariff, and no fixed length)."""

    DETERMINATE = "determinate", "Determinate"
    EXTENDED = "extended", "Extended"
    INDETERMINATE = "indeterminate", "Indeterminate"


class IndeterminateType(models.TextChoices):
    LIFE = "life", "Life"
    IPP = "ipp", "Imprisonment for public protection (IPP)"
    DPP = "dpp", "Detention for public protection (DPP)"


# Extended and indeterminate sentences are custodial: recorded while in custody or once released on licence.
LONG_SENTENCE_TYPES = frozenset({SentenceType.CUSTODY, SentenceType.LICENCE})

CUSTODIAL_SENTENCE_TYPES = frozenset(
    {SentenceType.CUSTODY, SentenceType.LICENCE, SentenceType.POST_SENTENCE_SUPERVISION}
)


class RequirementType(models.TextChoices):
    UNPAID_WORK = "unpaid_work", "Unpaid work"
    RAR = "rar", "Rehabilitation activity requirement (RAR)"
    ACCREDITED_PROGRAMME = "accredited_programme", "Accredited programme"
    CURFEW = "curfew", "Curfew"
    EXCLUSION = "exclusion", "Exclusion"
    DRUG_TREATMENT = "drug_treatment", "Drug rehabilitation"
    ALCOHOL_TREATMENT = "alcohol_treatment", "Alcohol treatment"
    MENTAL_HEALTH_TREATMENT = "mental_health_treatment", "Mental health treatment"


# The unit a requirement's length is counted in, by type.
REQUIREMENT_UNITS: dict[str, str] = {
    RequirementType.UNPAID_WORK: "hours",
    RequirementType.RAR: "days",
    RequirementType.ACCREDITED_PROGRAMME: "sessions",
    RequirementType.CURFEW: "months",
    RequirementType.EXCLUSION: "months",
    RequirementType.DRUG_TREATMENT: "months",
    RequirementType.ALCOHOL_TREATMENT: "months",
    RequirementType.MENTAL_HEALTH_TREATMENT: "months",
}


class LicenceConditionType(models.TextChoices):
    DISCLOSE_RELATIONSHIPS = "disclose_relationships", "Disclose developing intimate relationships"
    RESIDENCE = "residence", "Reside at an approved address"
    NON_CONTACT = "non_contact", "No contact with a named person"
    EXCLUSION_ZONE = "exclusion_zone", "Exclusion zone"
    CURFEW = "curfew", "Curfew"
    DRUG_TESTING = "drug_testing", "Drug testing"
    ALCOHOL_MONITORING = "alcohol_monitoring", "Alcohol monitoring"
    OTHER = "other", "Other"


class TerminationReason(models.TextChoices):
    COMPLETED = "completed", "Completed"
    REVOKED = "revoked", "Revoked"
    RECALLED = "recalled", "Recalled"
    DIED = "died", "Died"
    OTHER = "other", "Other"
