"""The person on probation, their addresses, household and relationships, and who may see the case."""

from __future__ import annotations

from django.db import models

from openprobation.organisation.models import Staff, Team
from openprobation.people.choices import AccessListKind, Gender, RelationshipType

# \A and \Z anchor at the very start and end of the value on both databases (PostgreSQL's ARE and Python's re,
# which SQLite's REGEXP uses). ``$`` would not do: in Python it also matches before a final newline.
CRN_REGEX = r"\A[A-Z][0-9]{6}\Z"


class Person(models.Model):
    crn = models.CharField("CRN", max_length=7, unique=True)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    gender = models.CharField(max_length=12, choices=Gender.choices)
    # Who manages the case now: kept in step with the allocation history by the allocation service,
    # so caseload and access queries need no join through events.
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="people")
    practitioner = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="caseload")
    tier = models.CharField(max_length=4, blank=True)
    # Police identifiers in their canonical spelling (rules/identifiers.py); blank when not known.
    pnc_number = models.CharField("PNC ID", max_length=13, blank=True, default="", db_index=True)
    cro_number = models.CharField("CRO number", max_length=12, blank=True, default="", db_index=True)
    # How to reach the person, and whether they agreed to appointment reminders by text message or email
    # (``notifications``). A reminder by a channel needs both the agreement and the detail.
    mobile_number = models.CharField(max_length=11, blank=True, default="", db_default="")  # 07123456789
    email = models.CharField(max_length=254, blank=True, default="", db_default="")
    sms_reminders = models.BooleanField("text message reminders", default=False, db_default=False)
    email_reminders = models.BooleanField("email reminders", default=False, db_default=False)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "people"
        constraints = [
            models.CheckConstraint(condition=models.Q(crn__regex=CRN_REGEX), name="person_crn_format"),
            models.CheckConstraint(
                condition=models.Q(sms_reminders=False) | ~models.Q(mobile_number=""), name="person_sms_needs_number"
            ),
            models.CheckConstraint(
                condition=models.Q(email_reminders=False) | ~models.Q(email=""), name="person_email_needs_address"
            ),
        ]
        indexes = [
            models.Index(fields=["last_name", "first_name"], name="person_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.crn})"

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Address(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="addresses")
    line1 = models.CharField(max_length=200)
    line2 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100)
    postcode = models.CharField(max_length=10)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="address_end_not_before_start",
            ),
        ]


class Relationship(models.Model):
    """Someone in the person's life: the record that safeguarding checks hang off."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relationships")
    relationship = models.CharField(max_length=12, choices=RelationshipType.choices)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    lives_in_household = models.BooleanField(default=False)
    potential_victim = models.BooleanField(default=False)
    notes = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-start_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="relationship_end_not_before_start",
            ),
        ]

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class CaseAccess(models.Model):
    """An entry on a case's restriction list or exclusion list (a limited-access case)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="access_lists")
    # PROTECT: a member of staff on a list cannot be deleted (deleting them would silently drop the entry, and with it
    # an exclusion); take them off the list first, with a reason.
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="case_access")
    kind = models.CharField(max_length=12, choices=AccessListKind.choices)
    reason = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "staff", "kind"], name="case_access_unique"),
        ]
        indexes = [models.Index(fields=["staff", "kind"], name="case_access_staff_kind")]
