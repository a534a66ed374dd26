"""A release on licence from custody: the release clock follows the release date.

The clock is frozen at Tuesday 24 November 2026 (tests/workitems/support.py lists the working days around it).
"""

from __future__ import annotations

import pytest

from openprobation.core.models import AuditEvent
from openprobation.people.models import Person
from openprobation.sentences.models import Event
from openprobation.sentences.services import event_create, event_update
from openprobation.workitems import generate
from openprobation.workitems.models import WorkItem
from openprobation.workitems.services import (
    work_item_complete,
)
from tests.factories import Org
from tests.workitems.support import (
    PO,
    D,
    _item,
    new_person,
    open_items,
    sentence,
)

pytestmark = pytest.mark.django_db


def custody(org: Org, person: Person, release: D | None = None) -> Event:
    return event_create(
        actor=org.admin.user,
        person=person,
        offence_code="00101",
        conviction_date=D(2025, 6, 2),
        sentence_date=D(2025, 6, 2),
        sentence_type="custody",
        length_months=36,
        release_date=release,
        practitioner=PO,
    )


def _release(org: Org, person: Person, event: Event, on: D) -> Event:
    event.refresh_from_db()
    return event_update(
        actor=org.po.user, person=person, number=event.number, version=event.version, changes={"release_date": on}
    )


CUSTODY_RELEASE_CASES = [
    (
        "release_date_recorded_with_the_sentence.first_appointment_next_working_day",
        lambda org, p: custody(org, p, release=D(2026, 11, 20)),
        {("first_appointment", D(2026, 11, 23), PO)},
    ),
    (
        "released_on_christmas_eve.due_after_christmas_and_the_boxing_day_substitute",
        lambda org, p: custody(org, p, release=D(2026, 12, 24)),
        {("first_appointment", D(2026, 12, 29), PO)},
    ),
    ("no_release_date.nothing_under_ps2021", lambda org, p: custody(org, p), set()),
    (
        "release_date_added_later_by_update",
        lambda org, p: _release(org, p, custody(org, p), D(2026, 11, 20)),
        {("first_appointment", D(2026, 11, 23), PO)},
    ),
    (
        "release_date_changed_while_the_first_appointment_is_open.re_dated_from_the_new_date",
        lambda org, p: _release(org, p, custody(org, p, release=D(2026, 11, 20)), D(2026, 11, 24)),
        {("first_appointment", D(2026, 11, 25), PO)},
    ),
]


@pytest.mark.parametrize(
    ("build", "expected"), [c[1:] for c in CUSTODY_RELEASE_CASES], ids=[c[0] for c in CUSTODY_RELEASE_CASES]
)
def test_release_on_licence_from_custody_makes_the_first_appointment_due(org, frozen_clock, build, expected):
    person = new_person(org)
    build(org, person)
    assert open_items(person) == expected
    for item in WorkItem.objects.filter(person=person):
        assert (item.trigger, item.rule_id) == ("sentence_licence_release", "first_appointment.licence")


def test_the_licence_release_clock_starts_once_per_release_date(org, frozen_clock):
    person = new_person(org)
    event = custody(org, person, release=D(2026, 11, 20))
    work_item_complete(actor=org.po.user, item_id=_item(person, "first_appointment").pk)
    event.refresh_from_db()
    event_update(actor=org.po.user, person=person, number=1, version=event.version, changes={"length_months": 48})
    assert WorkItem.objects.filter(person=person, kind="first_appointment").count() == 1  # no new release date

    _release(org, person, event, D(2026, 11, 23))  # a corrected date starts its own clock
    assert {
        (i.due_date, i.clock_started_on)
        for i in WorkItem.objects.filter(person=person, status="open", kind="first_appointment")
    } == {(D(2026, 11, 24), D(2026, 11, 23))}
    work_item_complete(actor=org.po.user, item_id=_item(person, "first_appointment").pk)
    _release(org, person, event, D(2026, 11, 20))  # back to a date whose clock has already started: nothing
    assert WorkItem.objects.filter(person=person, kind="first_appointment").count() == 2
    assert not WorkItem.objects.filter(person=person, kind="first_appointment", status="open").exists()


def test_a_moved_release_date_re_dates_the_open_first_appointment(org, frozen_clock):
    person = new_person(org)
    event = custody(org, person, release=D(2026, 11, 20))
    first = _item(person, "first_appointment")
    assert (first.clock_started_on, first.due_date) == (D(2026, 11, 20), D(2026, 11, 23))
    _release(org, person, event, D(2026, 11, 27))  # release put back a week before the first appointment was done
    first.refresh_from_db()
    assert first.status == "cancelled"
    assert first.cancel_reason == "Release date changed from 20 November 2026 to 27 November 2026"
    assert AuditEvent.objects.filter(action="work_item.cancelled", entity_id=first.pk).exists()
    # Friday 27 November 2026: one working day later is Monday 30 November
    assert {
        (i.clock_started_on, i.due_date)
        for i in WorkItem.objects.filter(person=person, status="open", kind="first_appointment")
    } == {(D(2026, 11, 27), D(2026, 11, 30))}


def _release_items(person: Person) -> set[tuple[str, D, str]]:
    return {
        (i.status, i.clock_started_on, i.cancel_reason)
        for i in WorkItem.objects.filter(person=person, trigger="sentence_licence_release", kind="first_appointment")
    }


def _licence(org: Org, person: Person, release: D) -> Event:
    sentence(org, person, sentence_type="licence", on=D(2026, 11, 2), release=release, practitioner=PO)
    return Event.objects.get(person=person)


RELEASE_MOVES = [
    (
        "custody.moved_and_moved_back.the_first_date_is_owed_again",
        lambda org, p: _release(org, p, _release(org, p, custody(org, p, release=D(2026, 11, 20)), D(2026, 11, 27)),
                                D(2026, 11, 20)),
        {
            ("cancelled", D(2026, 11, 20), "Release date changed from 20 November 2026 to 27 November 2026"),
            ("cancelled", D(2026, 11, 27), "Release date changed from 27 November 2026 to 20 November 2026"),
            ("open", D(2026, 11, 20), ""),
        },
    ),
    (
        "custody.release_date_cleared.nothing_left_open",
        lambda org, p: _release(org, p, custody(org, p, release=D(2026, 11, 20)), None),
        {("cancelled", D(2026, 11, 20),
          "No release on 20 November 2026 any more (release date cleared or sentence type changed)")},
    ),
    (
        "licence.release_moved.re_dated_like_custody",
        lambda org, p: _release(org, p, _licence(org, p, D(2026, 11, 20)), D(2026, 12, 10)),
        {
            ("cancelled", D(2026, 11, 20), "Release date changed from 20 November 2026 to 10 December 2026"),
            ("open", D(2026, 12, 10), ""),
        },
    ),
]


@pytest.mark.parametrize(("build", "expected"), [c[1:] for c in RELEASE_MOVES], ids=[c[0] for c in RELEASE_MOVES])
def test_the_release_clock_follows_the_release_date(org, frozen_clock, build, expected):
    person = new_person(org)
    build(org, person)
    assert _release_items(person) == expected
    cancelled = WorkItem.objects.filter(person=person, status="cancelled").values_list("pk", flat=True)
    audited = AuditEvent.objects.filter(action="work_item.cancelled").values_list("entity_id", flat=True)
    assert {str(pk) for pk in cancelled} <= {str(e) for e in audited}


def test_a_release_date_update_is_one_transaction_with_its_work_items(org, frozen_clock, monkeypatch):
    person = new_person(org)
    event = custody(org, person)

    def fail(**kwargs):
        raise RuntimeError("work items failed")

    monkeypatch.setattr(generate, "on_release_date_changed", fail)
    with pytest.raises(RuntimeError):
        _release(org, person, event, D(2026, 11, 20))
    event.refresh_from_db()
    assert (event.release_date, event.version) == (None, 1)
