from django.db import models


class Gender(models.TextChoices):
    MALE = "male", "Male"
    FEMALE = "female", "Female"
    OTHER = "other", "Other"
    NOT_STATED = "not_stated", "Not stated"


class RelationshipType(models.TextChoices):
    PARTNER = "partner", "Partner"
    EX_PARTNER = "ex_partner", "Ex-partner"
    CHILD = "child", "Child"
    PARENT = "parent", "Parent"
    SIBLING = "sibling", "Sibling"
    OTHER = "other", "Other"


class AccessListKind(models.TextChoices):
    RESTRICTION = "restriction", "Restriction (only the named staff may see the case)"
    EXCLUSION = "exclusion", "Exclusion (the named staff may not see the case)"
