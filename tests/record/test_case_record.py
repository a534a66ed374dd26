"""The case record's rules, through the services: each rule a named case, thresholds below, at and above."""

from __future__ import annotations

import datetime as dt

import pytest

from openprobation.caseload.selectors import caseload_rows
from openprobation.contacts.models import Contact
from openprobation.contacts.services import contact_record, contact_update
from openprobation.core.errors import PermissionDenied, ValidationFailed, VersionConflict
from openprobation.core.models import AuditEvent
from openprobation.people.access_lists import case_access_add
from openprobation.people.models import Person
from openprobation.people.selectors import people_list, team_caseload_counts
from openprobation.people.services import (
    person_create,
    person_update,
    relationship_add,
    relationship_update,
)
from openprobation.risk.services import registration_add
from openprobation.sentences.models import Allocation
from openprobation.sentences.services import LicenceConditionInput, event_allocate, event_create, event_update
from tests.factories import limit_access, make_person

pytestmark = pytest.mark.django_db

D = dt.date
TODAY = D(2026, 11, 24)


def fields_of(exc: pytest.ExceptionInfo[ValidationFailed]) -> set[str]:
    return {e.dotted for e in exc.value.errors}


# People ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("date_of_birth", "accepted"), [
    (D(2016, 11, 25), False),  # 9 years and 364 days
    (D(2016, 11, 24), True),  # 10th birthday today
    (D(2016, 11, 23), True),
], ids=["age_just_under_10_refused", "age_10_today_accepted", "age_over_10_accepted"])
def test_person_must_be_at_least_the_age_of_criminal_responsibility(org, frozen_clock, date_of_birth, accepted):
    create = lambda: person_create(actor=org.po.user, crn="A000010", first_name="Kim", last_name="Lee",  # noqa: E731
                                   date_of_birth=date_of_birth, gender="male")
    if accepted:
        assert create().crn == "A000010"
    else:
        with pytest.raises(ValidationFailed) as exc:
            create()
        assert fields_of(exc) == {"date_of_birth"}
        assert not Person.objects.filter(crn="A000010").exists()


@pytest.mark.parametrize("crn", ["A12345", "A1234567", "a123456", "1234567", "AA23456", " A123456", "A12345X"])
def test_crn_must_be_one_capital_letter_and_six_digits(org, crn):
    with pytest.raises(ValidationFailed) as exc:
        person_create(actor=org.po.user, crn=crn, first_name="Kim", last_name="Lee", date_of_birth=D(1990, 1, 1),
                      gender="male")
    assert fields_of(exc) == {"crn"}


def test_duplicate_crn_is_refused(org):
    person = make_person(org)
    with pytest.raises(ValidationFailed) as exc:
        person_create(actor=org.po.user, crn=person.crn, first_name="Kim", last_name="Lee",
                      date_of_birth=D(1990, 1, 1), gender="male")
    assert fields_of(exc) == {"crn"}


def test_every_problem_is_reported_at_once(org):
    with pytest.raises(ValidationFailed) as exc:
        person_create(actor=org.po.user, crn="bad", first_name="", last_name="", date_of_birth=D(2999, 1, 1),
                      gender="x")
    assert fields_of(exc) == {"crn", "first_name", "last_name", "date_of_birth", "gender"}


def test_new_person_is_held_by_the_creators_team(org):
    person = person_create(actor=org.po.user, crn="A000011", first_name="Kim", last_name="Lee",
                           date_of_birth=D(1990, 1, 1), gender="female")
    assert person.team == org.team_a
    assert AuditEvent.objects.filter(crn="A000011", action="person.created").count() == 1


def test_quality_assurance_cannot_change_the_record(org):
    with pytest.raises(PermissionDenied):
        person_create(actor=org.qa.user, crn="A000012", first_name="Kim", last_name="Lee",
                      date_of_birth=D(1990, 1, 1), gender="female")
    assert not Person.objects.filter(crn="A000012").exists()


# Events and allocation ---------------------------------------------------------------------------


def test_events_are_numbered_per_person_and_end_date_follows_length(org):
    person = make_person(org)
    event = event_create(actor=org.po.user, person=person, offence_code="05400", conviction_date=D(2026, 1, 31),
                         sentence_date=D(2026, 1, 31), sentence_type="suspended_sentence_order", length_months=1)
    assert event.number == 2
    assert event.expected_end_date == D(2026, 2, 28)  # 31 Jan + 1 month is the end of February


@pytest.mark.parametrize(("sentence_date", "accepted"), [
    (D(2026, 3, 9), False), (D(2026, 3, 10), True), (D(2026, 3, 11), True),
], ids=["sentenced_day_before_conviction_refused", "sentenced_on_conviction_day", "sentenced_after_conviction"])
def test_sentence_date_not_before_conviction(org, sentence_date, accepted):
    person = make_person(org)
    kwargs = dict(actor=org.po.user, person=person, offence_code="00101", conviction_date=D(2026, 3, 10),
                  sentence_date=sentence_date, sentence_type="community_order", length_months=6)
    if accepted:
        assert event_create(**kwargs).sentence_date == sentence_date
    else:
        with pytest.raises(ValidationFailed) as exc:
            event_create(**kwargs)
        assert fields_of(exc) == {"sentence_date"}


@pytest.mark.parametrize(("code", "accepted"), [
    ("00101", True),  # common assault-type violence code in the offence table
    ("99999", False),  # not a Home Office code
    ("0010", False),  # not five digits
])
def test_offence_code_must_be_in_the_reference_table(org, code, accepted):
    person = make_person(org)
    kwargs = dict(actor=org.po.user, person=person, offence_code=code, conviction_date=D(2026, 3, 10),
                  sentence_date=D(2026, 3, 10), sentence_type="community_order", length_months=6)
    if accepted:
        assert event_create(**kwargs).offence_category == "Violence"
    else:
        with pytest.raises(ValidationFailed) as exc:
            event_create(**kwargs)
        assert fields_of(exc) == {"offence_code"}


def test_offence_codes_without_a_description_are_refused(org):
    from openprobation.rules.offences import offence_table

    missing = next(code for code, o in offence_table().items() if not o.has_description)
    person = make_person(org)
    with pytest.raises(ValidationFailed) as exc:
        event_create(actor=org.po.user, person=person, offence_code=missing, conviction_date=D(2026, 3, 10),
                     sentence_date=D(2026, 3, 10), sentence_type="community_order", length_months=6)
    assert "exact offence" in exc.value.errors[0].message


def test_licence_takes_conditions_and_a_release_date(org):
    person = make_person(org)
    event = event_create(actor=org.po.user, person=person, offence_code="00101", conviction_date=D(2024, 3, 10),
                         sentence_date=D(2024, 3, 10), sentence_type="licence", length_months=36,
                         release_date=D(2025, 9, 10),
                         licence_conditions=[LicenceConditionInput(type="disclose_relationships")])
    assert [c.type for c in event.licence_conditions.all()] == ["disclose_relationships"]


def test_reallocation_keeps_history_and_moves_the_case(org):
    person = make_person(org, practitioner=org.po)
    event_allocate(actor=org.spo.user, person=person, number=1, practitioner=org.po_b.code,
                   start_date=D(2026, 6, 1), reason="Moved to Islington")
    history = list(Allocation.objects.filter(event__person=person).order_by("start_date"))
    assert [(a.practitioner.code, a.end_date) for a in history] == [(org.po.code, D(2026, 6, 1)),
                                                                    (org.po_b.code, None)]
    person.refresh_from_db()
    assert (person.practitioner, person.team) == (org.po_b, org.team_b)
    assert AuditEvent.objects.filter(crn=person.crn, action="event.allocated").count() == 2


def test_allocation_cannot_start_before_the_sentence(org):
    person = make_person(org)
    with pytest.raises(ValidationFailed) as exc:
        event_allocate(actor=org.spo.user, person=person, number=1, practitioner=org.po2.code,
                       start_date=D(2026, 1, 4))
    assert fields_of(exc) == {"start_date"}


def test_event_update_with_stale_version_is_a_conflict(org):
    person = make_person(org)
    event_update(actor=org.po.user, person=person, number=1, version=1, changes={"length_months": 18})
    with pytest.raises(VersionConflict):
        event_update(actor=org.po.user, person=person, number=1, version=1, changes={"length_months": 24})
    assert person.events.get(number=1).length_months == 18


def test_termination_needs_a_reason(org):
    person = make_person(org)
    with pytest.raises(ValidationFailed) as exc:
        event_update(actor=org.po.user, person=person, number=1, version=1,
                     changes={"termination_date": D(2026, 6, 1)})
    assert fields_of(exc) == {"termination_reason"}


# Contacts ----------------------------------------------------------------------------------------

NOW = dt.datetime.fromisoformat("2026-11-24T12:00:00+00:00")


@pytest.mark.parametrize(("type", "when", "outcome", "notes", "error_fields"), [
    ("office_appointment", NOW - dt.timedelta(hours=1), "attended_complied", "", set()),
    ("office_appointment", NOW - dt.timedelta(hours=1), "", "", {"outcome"}),
    ("office_appointment", NOW + dt.timedelta(days=7), "", "", set()),
    ("office_appointment", NOW + dt.timedelta(days=7), "attended_complied", "", {"outcome"}),
    ("home_visit", NOW + dt.timedelta(days=366), "", "", set()),
    ("home_visit", NOW + dt.timedelta(days=367), "", "", {"date"}),
    ("note", NOW, "", "Partner called: says she feels unsafe.", set()),
    ("note", NOW, "", "   ", {"notes"}),
    ("note", NOW, "failed_to_attend_unacceptable", "text", {"outcome"}),
    ("third_party_report", NOW, "not_applicable", "Police report a call-out", set()),
], ids=[
    "past_appointment_with_outcome",
    "past_appointment_needs_outcome",
    "future_appointment_without_outcome",
    "future_appointment_cannot_have_outcome",
    "contact_a_year_ahead_accepted",
    "contact_more_than_a_year_ahead_refused",
    "note_with_text",
    "note_needs_text",
    "note_has_no_attendance_outcome",
    "third_party_report_not_applicable",
])
def test_contact_rules(org, frozen_clock, type, when, outcome, notes, error_fields):
    person = make_person(org)
    before = Contact.objects.count()
    try:
        contact_record(actor=org.po.user, person=person, type=type, date=when, outcome=outcome, notes=notes)
        raised: set[str] = set()
    except ValidationFailed as exc:
        raised = {e.dotted for e in exc.errors}
    assert raised == error_fields
    assert Contact.objects.count() == before + (0 if error_fields else 1)


def test_recording_an_outcome_later_is_audited_with_before_and_after(org, frozen_clock):
    person = make_person(org)
    contact = contact_record(actor=org.po.user, person=person, type="office_appointment",
                             date=NOW - dt.timedelta(hours=2), outcome="rescheduled")
    contact_update(actor=org.po.user, person=person, contact_id=contact.pk, version=1,
                   changes={"outcome": "attended_complied"})
    event = AuditEvent.objects.get(crn=person.crn, action="contact.updated")
    assert (event.before, event.after) == ({"outcome": "rescheduled"}, {"outcome": "attended_complied"})
    assert event.actor_name == "po"


# Registrations and relationships -----------------------------------------------------------------


@pytest.mark.parametrize(("code", "level", "category", "error_fields"), [
    ("RHRH", "", "", set()),
    ("MAPP", "M1", "M2", set()),
    ("MAPP", "M3", "M4", set()),
    ("MAPP", "", "M2", {"level"}),
    ("MAPP", "M4", "M2", {"level"}),
    ("MAPP", "M1", "M5", {"category"}),
    ("RHRH", "M1", "", {"level"}),
    ("NOPE", "", "", {"code"}),
], ids=["rosh_high", "mappa_level1_category2", "mappa_level3_category4", "mappa_needs_level",
        "mappa_level_4_does_not_exist", "mappa_category_5_does_not_exist", "rosh_has_no_level", "unknown_code"])
def test_registration_rules(org, code, level, category, error_fields):
    person = make_person(org)
    try:
        registration_add(actor=org.po.user, person=person, code=code, level=level, category=category,
                         start_date=D(2026, 2, 1))
        raised: set[str] = set()
    except ValidationFailed as exc:
        raised = {e.dotted for e in exc.errors}
    assert raised == error_fields


def test_newest_rosh_registration_sets_the_caseload_rosh(org):
    person = make_person(org)
    registration_add(actor=org.po.user, person=person, code="RMRH", start_date=D(2026, 1, 10))
    registration_add(actor=org.po.user, person=person, code="RHRH", start_date=D(2026, 5, 1))
    [row] = caseload_rows(actor=org.po.user)
    assert row.rosh == "high"


def test_relationship_dates_in_order_and_versioned(org):
    person = make_person(org)
    with pytest.raises(ValidationFailed) as exc:
        relationship_add(actor=org.po.user, person=person, relationship="partner", first_name="Jo",
                         last_name="Bloggs", start_date=D(2026, 3, 1), end_date=D(2026, 2, 28))
    assert fields_of(exc) == {"end_date"}
    partner = relationship_add(actor=org.po.user, person=person, relationship="partner", first_name="Jo",
                               last_name="Bloggs", start_date=D(2026, 3, 1), lives_in_household=True)
    relationship_update(actor=org.po.user, person=person, relationship_id=partner.pk, version=1,
                        changes={"relationship": "ex_partner", "end_date": D(2026, 3, 1),
                                 "lives_in_household": False})
    with pytest.raises(VersionConflict):
        relationship_update(actor=org.po.user, person=person, relationship_id=partner.pk, version=1,
                            changes={"notes": "stale"})


# Access in counts and lists ----------------------------------------------------------------------


def test_counts_and_lists_leave_out_cases_the_viewer_is_excluded_from(org):
    people = [make_person(org, practitioner=org.po) for _ in range(3)]
    limit_access(person=people[0], staff_code=org.spo.code, kind="exclusion",
                    reason="SPO is a neighbour")
    counts = {c.staff.code: c.cases for c in team_caseload_counts(actor=org.spo.user, team=org.team_a)}
    assert counts[org.po.code] == 2
    assert people_list(actor=org.spo.user).count() == 2
    counts_for_hos = {c.staff.code: c.cases for c in team_caseload_counts(actor=org.hos.user, team=org.team_a)}
    assert counts_for_hos[org.po.code] == 3


def test_only_access_managers_manage_access_lists(org):
    person = make_person(org)
    for user in (org.spo.user, org.admin.user):
        with pytest.raises(PermissionDenied):
            case_access_add(actor=user, crn=person.crn, staff_code=org.po2.code, kind="exclusion", reason="x")


@pytest.mark.parametrize(("viewer", "sees"), [
    ("po", True), ("po2", True), ("pob", False), ("spo", True), ("hos", True), ("qa", True), ("admin", True),
], ids=["own_case", "same_team", "other_team", "team_spo", "pdu_head_of_service", "quality_assurance",
        "administrator"])
def test_who_sees_an_unrestricted_case(org, viewer, sees):
    person = make_person(org, practitioner=org.po)
    user = getattr(org, {"pob": "po_b"}.get(viewer, viewer)).user
    assert people_list(actor=user).filter(pk=person.pk).exists() is sees


@pytest.mark.parametrize(
    ("change", "recalculated"),
    [
        ({"date_of_birth": dt.date(1980, 6, 1)}, True),  # age feeds every predictor
        ({"gender": "female"}, True),  # gender feeds the predictors and the women's tier factors
        ({"first_name": "Renamed"}, False),  # not a risk input: nothing stored
    ],
    ids=["date_of_birth", "gender", "first_name"],
)
def test_changing_a_risk_input_on_the_person_recalculates_in_the_same_change(org, frozen_clock, change, recalculated):
    from openprobation.risk.models import RiskCalculation
    from openprobation.risk.services import criminal_history_set

    person = make_person(org, crn="X400777")
    criminal_history_set(
        actor=org.po.user,
        person=person,
        values={
            "total_sanctions": 5,
            "age_at_first_sanction": 16,
            "violent_sanctions": 2,
            "contact_adult_sexual_sanctions": 0,
            "contact_child_sexual_sanctions": 0,
            "non_contact_sexual_sanctions": 0,
            "indecent_image_sanctions": 0,
        },
    )
    before = RiskCalculation.objects.filter(person=person, tool="ogrs3").order_by("-id").first()
    person.refresh_from_db()
    person_update(actor=org.po.user, person=person, version=person.version, changes=change)
    after = RiskCalculation.objects.filter(person=person, tool="ogrs3").order_by("-id").first()
    assert (after.pk != before.pk) is recalculated
    if recalculated:
        field = next(iter(change))
        assert after.inputs[field] == str(change[field]) and after.score != before.score


@pytest.mark.parametrize("change", ["update", "allocate"])
def test_an_event_the_case_does_not_have_is_not_found_and_nothing_changes(org, frozen_clock, change):
    from openprobation.core.errors import NotFound

    person = make_person(org)
    before = (Allocation.objects.count(), AuditEvent.objects.count())
    with pytest.raises(NotFound, match="No event 9 on case"):
        if change == "update":
            event_update(actor=org.po.user, person=person, number=9, version=1, changes={"length_months": 6})
        else:
            event_allocate(
                actor=org.po.user, person=person, number=9, practitioner=org.po.code, start_date=dt.date(2026, 11, 1)
            )
    assert (Allocation.objects.count(), AuditEvent.objects.count()) == before
