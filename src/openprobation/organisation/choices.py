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
