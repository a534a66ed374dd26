from django.db import models


class Grade(models.TextChoices):
    PO = "po", "Probation officer (PO)"
    PSO = "pso", "Probation services officer (PSO)"
    PQIP = "pqip", "Trainee probation officer (PQiP)"
    SPO = "spo", "Senior probation officer (SPO)"
    OTHER = "other", "Other"


class Role(models.TextChoices):
    PRACTITIONER = "practitioner", "Practitioner"
    SPO = "spo", "Senior probation officer (team manager)"
    HEAD_OF_SERVICE = "head_of_service", "Head of service"
    QUALITY_ASSURANCE = "quality_assurance", "Quality assurance / inspector"
    ADMINISTRATOR = "administrator", "Administrator"


class TrainingStage(models.TextChoices):
    """Where a practitioner is in qualifying: a trainee (PQiP) by year, or a newly qualified officer (their first
    year after qualifying, with a protected caseload)."""

    PQIP_YEAR_1 = "pqip_1", "PQiP: year 1"
    PQIP_YEAR_2 = "pqip_2", "PQiP: year 2"
    NEWLY_QUALIFIED = "newly_qualified", "Newly qualified officer"
