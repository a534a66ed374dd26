"""Adding, reviewing and ending registrations (risk flags). One transaction each, audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from openprobation.core.audit import audit_record
from openprobation.core.errors import Collector
from openprobation.core.records import apply_changes, lock_for_update, snapshot
from openprobation.people.access import Actor, require_write
from openprobation.people.models import Person
from openprobation.people.services import check_date_order
from openprobation.risk.models import Registration
from openprobation.rules.registrations import registration_policy, registration_type

REGISTRATION_FIELDS = ("code", "level", "category", "start_date", "review_date", "end_date", "notes")
REGISTRATION_EDITABLE = ("level", "category", "review_date", "end_date", "notes")


def _check_registration(c: Collector, v: dict[str, Any]) -> None:
    rtype = registration_type(v["code"])
    if rtype is None:
        known = ", ".join(sorted(registration_policy().types))
        c.add("code", f"Unknown registration code {v['code']!r}: use an nDelius code, one of {known}")
        return
    if rtype.levels:
        if v["level"] not in rtype.levels:
            c.add("level", f"Choose the {rtype.name} level: one of {', '.join(rtype.levels)}")
    elif v["level"]:
        c.add("level", f"A {rtype.name} registration has no level")
    if rtype.categories:
        if v["category"] not in rtype.categories:
            c.add("category", f"Choose the {rtype.name} category: one of {', '.join(rtype.categories)}")
    elif v["category"]:
        c.add("category", f"A {rtype.name} registration has no category")
    check_date_order(c, "review_date", v["start_date"], v["review_date"], "review date")
    check_date_order(c, "end_date", v["start_date"], v["end_date"], "end date")


def registration_add(
    *,
    actor: Actor,
    person: Person,
    code: str,
    start_date: dt.date,
    level: str = "",
    category: str = "",
    review_date: dt.date | None = None,
    end_date: dt.date | None = None,
    notes: str = "",
) -> Registration:
    require_write(actor)
    values: dict[str, Any] = {
        "code": code, "level": level or "", "category": category or "", "start_date": start_date,
        "review_date": review_date, "end_date": end_date, "notes": notes or "",
    }
    c = Collector()
    _check_registration(c, values)
    c.raise_if_any()
    with transaction.atomic():
        registration = Registration.objects.create(person=person, **values)
        audit_record(actor=actor, action="registration.added", crn=person.crn, entity="registration",
                     entity_id=registration.pk, after=values)
    return registration


def registration_update(
    *, actor: Actor, person: Person, registration_id: int, version: int, changes: dict[str, Any]
) -> Registration:
    """Review or end a registration (its code and start date are fixed; add a new one instead)."""
    require_write(actor)
    c = Collector()
    for field in changes:
        if field not in REGISTRATION_EDITABLE:
            c.add(field, "This field cannot be changed here")
    c.raise_if_any()
    changes = {k: ("" if v is None and k in ("level", "category", "notes") else v) for k, v in changes.items()}
    with transaction.atomic():
        locked = lock_for_update(Registration.objects.filter(person=person), pk=registration_id,
                                 expected_version=version)
        c = Collector()
        _check_registration(c, {**snapshot(locked, REGISTRATION_FIELDS), **changes})
        c.raise_if_any()
        before, after = apply_changes(locked, changes)
        if after:
            audit_record(actor=actor, action="registration.updated", crn=person.crn, entity="registration",
                         entity_id=locked.pk, before=before, after=after)
    return locked
