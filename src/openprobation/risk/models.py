"""Registrations: the risk flags on a case (RoSH, MAPPA, domestic abuse, child protection and others)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.db import models

from openprobation.organisation.models import Team
from openprobation.people.models import Person
from openprobation.risk import storage


class Registration(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="registrations")
    code = models.CharField(max_length=8)
    level = models.CharField(max_length=4, blank=True)
    category = models.CharField(max_length=4, blank=True)
    start_date = models.DateField()
    review_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="registration_end_not_before_start",
            ),
        ]
        indexes = [models.Index(fields=["person", "code"], name="registration_person_code")]


class CriminalHistory(models.Model):
    """The criminal-history counts and dates the predictors need, kept on the record (one row per case)."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="criminal_history")
    total_sanctions = models.PositiveSmallIntegerField(null=True, blank=True)
    age_at_first_sanction = models.PositiveSmallIntegerField(null=True, blank=True)
    violent_sanctions = models.PositiveSmallIntegerField(null=True, blank=True)
    contact_adult_sexual_sanctions = models.PositiveSmallIntegerField(null=True, blank=True)
    contact_child_sexual_sanctions = models.PositiveSmallIntegerField(null=True, blank=True)
    non_contact_sexual_sanctions = models.PositiveSmallIntegerField(null=True, blank=True)
    indecent_image_sanctions = models.PositiveSmallIntegerField(null=True, blank=True)
    stranger_victim = models.BooleanField(null=True, blank=True)
    last_sexual_sanction_date = models.DateField(null=True, blank=True)
    most_recent_offence_date = models.DateField(null=True, blank=True)
    most_recent_sexual_offence_date = models.DateField(null=True, blank=True)
    recent_breach_or_recall = models.BooleanField(null=True, blank=True)
    updated_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name_plural = "criminal histories"


class OasysAssessment(models.Model):
    """An OASys (or SAN) assessment as recorded: when, which layer, its status, the answers the tools read."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="assessments")
    completed_date = models.DateField()
    layer = models.CharField(max_length=12)  # layer1, layer3, standalone
    status = models.CharField(max_length=20)  # complete, locked_incomplete, in_progress
    kind = models.CharField(max_length=6, default="oasys")  # oasys or san
    answers = models.JSONField(default=dict, blank=True)
    section_scores = models.JSONField(default=dict, blank=True)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-completed_date", "-id"]
        indexes = [models.Index(fields=["person", "-completed_date"], name="assessment_person_date")]


class AppendOnlyQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("Stored calculations and recorded scores are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("Stored calculations and recorded scores are append-only")


class AppendOnly(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("Stored calculations and recorded scores are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError("Stored calculations and recorded scores are append-only")


if TYPE_CHECKING:
    _JSONText = models.TextField[Any, Any]
else:
    _JSONText = models.TextField


class CanonicalJSONField(_JSONText):
    """A JSON value kept as its canonical text (``risk.storage.canonical_json``) in a text column: read back as the
    value, written as the text a bulk write of the same value gives (decision 0013)."""

    if TYPE_CHECKING:
        _pyi_private_set_type: Any
        _pyi_private_get_type: Any

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return None if value is None else json.loads(value)

    def to_python(self, value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value

    def get_prep_value(self, value: Any) -> Any:
        return None if value is None else storage.canonical_json(value)

    def value_to_string(self, obj: Any) -> str:
        return storage.canonical_json(self.value_from_object(obj))


class RiskCalculation(AppendOnly):
    """One calculation of one tool for one case, with its inputs and policy version (replayable). Never changed:
    the newest row per (person, tool) is the current one. Rows go only with the case itself."""

    # No index of its own: riskcalc_person_tool (person, tool, -id) begins with it.
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="risk_calculations", db_index=False)
    tool = models.CharField(max_length=8)
    status = models.CharField(max_length=16)  # calculated, not_calculated
    calculated_at = models.DateTimeField()
    as_of = models.DateField()
    policy_version = models.CharField(max_length=200)
    inputs = CanonicalJSONField()
    inputs_digest = models.CharField(max_length=40)
    result = CanonicalJSONField(null=True, blank=True)
    result_key = models.CharField(max_length=200)
    reasons = CanonicalJSONField(default=list, blank=True)
    score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    band = models.CharField(max_length=16, blank=True)
    tier = models.CharField(max_length=4, blank=True)
    source = models.CharField(max_length=12)  # record (a change to the case) or recompute

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["person", "tool", "-id"], name="riskcalc_person_tool")]


class RecordedScore(AppendOnly):
    """A score or decision a practitioner entered or another system supplied (RSR %, tier, allocation), kept beside
    the calculated one. The newest row per (person, kind) is the current one."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="recorded_scores")
    kind = models.CharField(max_length=12)  # rsr, tier, allocation
    value = models.CharField(max_length=12)
    source = models.CharField(max_length=100)
    effective_date = models.DateField()
    recorded_at = models.DateTimeField()
    recorded_by = models.CharField(max_length=150)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["person", "kind", "-id"], name="recorded_person_kind")]


class RecomputeMark(models.Model):
    """Whether a case needs recalculating by ``openprobation recompute`` (decision 0021): how many times its risk
    facts have changed, and how many had when the recompute last calculated it, as at which date, under which
    policies. ``risk.changes`` keeps it; a case whose counts agree, checked as at the same date under the same
    policies, has the stored calculations the recompute would store, and is skipped."""

    # No database foreign key: a mark is bookkeeping, written for every case a recompute checks, and a foreign key
    # would add a deferred check per row to that write. Deleting a person deletes the mark (the ORM's cascade; the
    # demo loader's reset empties the table with the people's other dependents).
    person = models.OneToOneField(
        Person, primary_key=True, on_delete=models.CASCADE, related_name="recompute_mark", db_constraint=False
    )
    changes = models.PositiveBigIntegerField(default=0)  # one more in every transaction that changes a risk fact
    checked_changes = models.BigIntegerField(null=True, blank=True)  # ``changes`` as the last recompute read it
    checked_as_of = models.DateField(null=True, blank=True)
    checked_policy = models.CharField(max_length=40, blank=True)  # risk.changes.policy_key() of that recompute


# A row of facts the report lists, under any policy: a score differs, or an allocation disagrees (2), goes against a
# rule not yet verified (3) or cannot be checked (4) (risk.riskfacts.DISAGREES and after).
LISTED = (models.Q(rsr_differs=True) | models.Q(tier_differs=True) | models.Q(allocation_2014_split__gte=2)
          | models.Q(allocation_2021_unified__gte=2))  # fmt: skip


class RiskFacts(models.Model):
    """A case's current risk facts as the quality assurance report reads them, and whether they disagree (decision
    0030): the newest calculated RSR and tier, the newest recorded RSR, tier and allocation, the newest active RoSH
    and MAPPA registrations and the holder's grade, with the RSR and tier flags and, per allocation policy, the
    allocation's status. Written by ``risk.riskfacts.refresh_cases`` in the transaction of every change to those facts;
    ``stamp`` names the policies the flags were worked out under (``risk.riskfacts.policy_stamp``)."""

    # No database foreign key, as RecomputeMark: written in bulk by the recompute and the demo load. Deleting a
    # person deletes the row (the ORM's cascade; the demo loader's reset empties the table with the people's).
    person = models.OneToOneField(
        Person, primary_key=True, on_delete=models.CASCADE, related_name="risk_facts", db_constraint=False
    )
    rsr_score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)  # newest RSR calculation
    calc_tier = models.CharField(max_length=4, blank=True, default="")  # newest tier calculation ("" not calculated)
    rec_rsr = models.CharField(max_length=12, null=True, blank=True)  # noqa: DJ001  # newest recorded scores (None: none recorded)
    rec_tier = models.CharField(max_length=12, null=True, blank=True)  # noqa: DJ001
    rec_allocation = models.CharField(max_length=12, null=True, blank=True)  # noqa: DJ001
    rosh_code = models.CharField(max_length=8, null=True, blank=True)  # noqa: DJ001  # newest active RoSH registration's code
    mappa_level = models.CharField(max_length=4, null=True, blank=True)  # noqa: DJ001  # None: no active MAPPA; "": no level
    holder_grade = models.CharField(max_length=10, null=True, blank=True)  # noqa: DJ001  # the practitioner's (None: unallocated)
    # The team holding the case (None: unallocated), so the report counts and pages by team and applies the readers'
    # scope without reading the cases (decision 0032). Written with the rest of the row: the allocation, the only
    # change of a case's team after it is created, refreshes it. Like the person, no database foreign key.
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )
    rsr_differs = models.BooleanField(default=False)
    tier_differs = models.BooleanField(default=False)
    # The allocation's status under each policy (risk.riskfacts.ALLOCATION_COLUMNS): 0 nothing to check, 1 agrees,
    # 2 disagrees, 3 against a rule not yet verified, 4 cannot be checked.
    allocation_2014_split = models.PositiveSmallIntegerField(default=0)
    allocation_2021_unified = models.PositiveSmallIntegerField(default=0)
    stamp = models.CharField(max_length=16, blank=True, default="")
    # (The text columns hold None for "none on the record", apart from "": a MAPPA registration with no level.)

    class Meta:
        verbose_name_plural = "risk facts"
        indexes = [
            # The few rows the report lists, under any policy: the report reads these only.
            models.Index(
                fields=["person"],
                name="riskfacts_listed",
                condition=LISTED,
            ),
            models.Index(fields=["stamp"], name="riskfacts_stamp"),  # rows worked out under other policies
            # The same rows by team, with their flags (PostgreSQL: an index-only scan counts them by team, and a
            # page reads the rows of its teams only).
            models.Index(
                fields=["team"],
                include=["person", "rsr_differs", "tier_differs", "allocation_2014_split", "allocation_2021_unified"],
                name="riskfacts_listed_team",
                condition=LISTED,
            ),
        ]


class RiskFactsTally(models.Model):
    """How many listed rows of risk facts (any flag set) hold each team and set of flags, so the national report counts
    by team from a few thousand rows instead of every listed case (decision 0032). Written as changes (``n`` +1 and
    -1) in the transaction of every write to the rows of facts (``risk.riskfacts``), never updated in place, so
    concurrent changes take no lock on a shared counter; read as sums; compacted (one statement: the rows deleted and
    their sums inserted) after bulk refreshes and when the changes outnumber the sums."""

    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )
    rsr_differs = models.BooleanField(default=False)
    tier_differs = models.BooleanField(default=False)
    allocation_2014_split = models.PositiveSmallIntegerField(default=0)
    allocation_2021_unified = models.PositiveSmallIntegerField(default=0)
    n = models.IntegerField()

    class Meta:
        verbose_name_plural = "risk facts tallies"
