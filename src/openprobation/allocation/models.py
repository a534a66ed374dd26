"""Allocation decisions: who an SPO gave a case to through the allocation screen, and why.

The allocation history itself (who held each event, from when to when) is ``sentences.Allocation``; a decision
keeps what the screen knew and what the SPO wrote: the grade rule of the allocation policy, the capacity before
and after, the instructions, the justification (needed when the allocation goes against the grade policy or takes
the practitioner over the capacity threshold) and the SPO's oversight notes; for a reallocation, the reason and the
practitioner the case came from (who is told).
"""

from __future__ import annotations

from django.db import models

from openprobation.organisation.models import Staff
from openprobation.people.models import Person


class AllocationDecision(models.Model):
    KINDS = (("allocation", "Allocation"), ("reallocation", "Reallocation"))

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="allocation_decisions")
    kind = models.CharField(max_length=12, choices=KINDS)
    practitioner = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    previous_practitioner = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT,
                                              related_name="+")  # fmt: skip
    start_date = models.DateField()
    # The grade policy as it applied: the rule (or "cannot_check"), the grades it allows, and whether this went
    # against it; the policy versions of the allocation and workload rules used.
    grade_rule = models.CharField(max_length=60)
    grades_allowed = models.CharField(max_length=60, blank=True)
    against_grade_policy = models.BooleanField()
    capacity_before = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    capacity_after = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    over_capacity = models.BooleanField()  # after this case, above the threshold
    policy_versions = models.CharField(max_length=200)
    instructions = models.TextField(blank=True)
    justification = models.TextField(blank=True)
    oversight_notes = models.TextField(blank=True)
    reason = models.TextField(blank=True)  # a reallocation's reason
    decided_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["-decided_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(against_grade_policy=False) & models.Q(over_capacity=False))
                | ~models.Q(justification=""),
                name="allocation_against_policy_is_justified",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="reallocation") | ~models.Q(reason=""), name="reallocation_has_reason"
            ),
        ]
        indexes = [models.Index(fields=["practitioner", "start_date"], name="allocation_decision_recent")]
