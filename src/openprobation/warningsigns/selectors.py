"""Reading warning signs on a case: open signal reviews with the sentences that raised them, one review's evidence
and disposition, and the work items and contacts a disposition may link to."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from openprobation.contacts.models import Contact
from openprobation.core.errors import NotFound
from openprobation.people.access import Actor, people_visible_to
from openprobation.people.models import Person
from openprobation.rules.signal_policy import signal_policy
from openprobation.rules.timescales import ItemKind
from openprobation.warningsigns.models import SignalDisposition, SignalEvidence
from openprobation.workitems.choices import WorkItemStatus
from openprobation.workitems.models import WorkItem


@dataclass(frozen=True)
class SignalReview:
    item: WorkItem
    label: str
    evidence: tuple[SignalEvidence, ...]
    disposition: SignalDisposition | None

    @property
    def first(self) -> SignalEvidence | None:
        return self.evidence[0] if self.evidence else None


def _review(item: WorkItem) -> SignalReview:
    evidence = tuple(SignalEvidence.objects.filter(work_item=item).select_related("contact").order_by("found_at", "pk"))
    disposition = SignalDisposition.objects.filter(work_item=item).select_related(
        "linked_item", "linked_contact", "decided_by"
    ).first()
    return SignalReview(item, signal_policy().labels.get(item.signal, item.signal), evidence, disposition)


def open_signal_reviews(*, person: Person) -> list[SignalReview]:
    """The case's open signal reviews, soonest due first, each with its evidence."""
    items = WorkItem.objects.filter(person=person, kind=ItemKind.SIGNAL_REVIEW, status=WorkItemStatus.OPEN)
    return [_review(item) for item in items.order_by("due_date", "pk")]


def signal_review_get(*, actor: Actor, item_id: int) -> SignalReview:
    item = (
        WorkItem.objects.select_related("person", "owner", "team")
        .filter(pk=item_id, kind=ItemKind.SIGNAL_REVIEW, person__in=people_visible_to(actor))
        .first()
    )
    if item is None:
        raise NotFound(f"No signal review {item_id}")
    return _review(item)


def linkable_items(*, item: WorkItem) -> QuerySet[WorkItem]:
    """The case's work items a disposition may link to (what was done): every other item made since the review's
    clock started, and the open ones."""
    return (
        WorkItem.objects.filter(person_id=item.person_id)
        .exclude(pk=item.pk)
        .exclude(kind=ItemKind.SIGNAL_REVIEW)
        .filter(Q(created_at__date__gte=item.clock_started_on) | Q(status=WorkItemStatus.OPEN))
        .order_by("due_date", "pk")
    )


def linkable_contacts(*, item: WorkItem) -> QuerySet[Contact]:
    """The case's contacts since the review's clock started, newest first."""
    return Contact.objects.filter(person_id=item.person_id, date__date__gte=item.clock_started_on).order_by("-date")
