"""Risk-tool inputs, recorded scores and stored calculations through the API."""

from __future__ import annotations

import pytest

from openprobation.risk.models import CriminalHistory, OasysAssessment, RecordedScore
from tests.factories import make_person
from tests.record.test_api import Api, problem_fields

pytestmark = pytest.mark.django_db

HISTORY = {
    "total_sanctions": 4,
    "age_at_first_sanction": 16,
    "violent_sanctions": 1,
    "contact_adult_sexual_sanctions": 0,
    "contact_child_sexual_sanctions": 0,
    "non_contact_sexual_sanctions": 0,
    "indecent_image_sanctions": 0,
}


def test_criminal_history_recorded_then_changed_with_its_version_and_scores_recalculated(org, frozen_clock):
    person = make_person(org)
    api = Api("po")
    assert api.get(f"/people/{person.crn}/criminal-history").status_code == 204
    first = api.client.put(
        f"/api/v1/people/{person.crn}/criminal-history", HISTORY, content_type="application/json", headers=api.headers
    )
    assert first.status_code == 200, first.content
    assert first.json()["version"] == 1
    scores = {s["tool"]: s for s in api.get(f"/people/{person.crn}/risk-scores").json()}
    assert scores["ogrs3"]["current"]["status"] == "calculated"
    assert scores["ogrs3"]["explanation"], "the explanation is replayed from the stored inputs"
    changed = api.client.put(
        f"/api/v1/people/{person.crn}/criminal-history",
        {"version": 1, "total_sanctions": 5},
        content_type="application/json",
        headers=api.headers,
    )
    assert changed.status_code == 200 and changed.json()["total_sanctions"] == 5
    stale = api.client.put(
        f"/api/v1/people/{person.crn}/criminal-history",
        {"version": 1, "total_sanctions": 6},
        content_type="application/json",
        headers=api.headers,
    )
    assert stale.status_code == 409
    assert CriminalHistory.objects.get(person=person).total_sanctions == 5


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**HISTORY, "age_at_first_sanction": 9}, "age_at_first_sanction"),
        ({**HISTORY, "violent_sanctions": 5}, "violent_sanctions"),
        ({**HISTORY, "total_sanctions": -1}, "total_sanctions"),
        ({**HISTORY, "total_sanctions": "four"}, "total_sanctions"),
        ({**HISTORY, "previous_lives": 3}, "previous_lives"),
    ],
    ids=["first_sanction_under_10", "more_violent_than_total", "negative_count", "wrong_type", "unknown_field"],
)
def test_bad_criminal_history_is_422_and_saves_nothing(org, frozen_clock, body, field):
    person = make_person(org)
    api = Api("po")
    response = api.client.put(
        f"/api/v1/people/{person.crn}/criminal-history", body, content_type="application/json", headers=api.headers
    )
    assert field in problem_fields(response)
    assert not CriminalHistory.objects.filter(person=person).exists()


def test_oasys_assessment_recorded_and_listed(org, frozen_clock):
    person = make_person(org)
    api = Api("po")
    created = api.post(
        f"/people/{person.crn}/oasys-assessments",
        {
            "completed_date": "2026-10-01",
            "layer": "layer3",
            "status": "complete",
            "answers": {"impulsivity": 1},
            "section_scores": {"accommodation": 3},
        },
    )
    assert created.status_code == 201, created.content
    assert [a["layer"] for a in api.get(f"/people/{person.crn}/oasys-assessments").json()] == ["layer3"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"completed_date": "2026-10-01", "layer": "layer9", "status": "complete"}, "layer"),
        ({"completed_date": "2027-10-01", "layer": "layer3", "status": "complete"}, "completed_date"),
        (
            {"completed_date": "2026-10-01", "layer": "layer3", "status": "complete", "answers": {"astrology": 1}},
            "answers.astrology",
        ),
    ],
    ids=["unknown_layer", "in_the_future", "unknown_answer"],
)
def test_bad_oasys_assessment_is_422_and_saves_nothing(org, frozen_clock, body, field):
    person = make_person(org)
    assert field in problem_fields(Api("po").post(f"/people/{person.crn}/oasys-assessments", body))
    assert not OasysAssessment.objects.filter(person=person).exists()


def test_recorded_tier_is_kept_beside_the_calculated_one(org, frozen_clock):
    person = make_person(org)
    api = Api("po")
    response = api.post(
        f"/people/{person.crn}/recorded-scores",
        {"kind": "tier", "value": "A3", "source": "nDelius import", "effective_date": "2026-11-01"},
    )
    assert response.status_code == 201, response.content
    listed = api.get(f"/people/{person.crn}/recorded-scores").json()
    assert [(s["kind"], s["value"], s["recorded_by"]) for s in listed] == [("tier", "A3", org.po.code)]
    bad = api.post(
        f"/people/{person.crn}/recorded-scores",
        {"kind": "tier", "value": "Z9", "source": "nDelius import", "effective_date": "2026-11-01"},
    )
    assert "value" in problem_fields(bad)
    assert RecordedScore.objects.filter(person=person).count() == 1


def test_risk_inputs_follow_the_access_rules(org, frozen_clock):
    person = make_person(org, practitioner=org.po)
    assert Api("pob").get(f"/people/{person.crn}/risk-scores").status_code == 404
    qa = Api("qa")
    assert qa.get(f"/people/{person.crn}/risk-scores").status_code == 200
    forbidden = qa.client.put(
        f"/api/v1/people/{person.crn}/criminal-history", HISTORY, content_type="application/json", headers=qa.headers
    )
    assert forbidden.status_code == 403
    assert not CriminalHistory.objects.filter(person=person).exists()


# Registration dates are bounded (risk/services.py _check_registration_dates). The clock is frozen at 24 Nov 2026:
# a start date may be at most a year ahead (24 Nov 2027); review and end dates at most ten years (24 Nov 2036);
# nothing before 1 Jan 1900; a review after the start date.
REGISTRATION_DATE_CASES = [
    pytest.param({"start_date": "9999-12-31"}, "start_date", id="start_far_future_9999"),
    pytest.param({"start_date": "2027-11-25"}, "start_date", id="start_a_year_and_a_day_ahead"),
    pytest.param({"start_date": "1899-12-31"}, "start_date", id="start_before_1900"),
    pytest.param({"start_date": "2026-01-01", "review_date": "9999-12-31"}, "review_date", id="review_far_future"),
    pytest.param(
        {"start_date": "2026-01-01", "review_date": "2036-11-25"}, "review_date", id="review_ten_years_and_a_day_ahead"
    ),
    pytest.param({"start_date": "2026-01-01", "review_date": "2026-01-01"}, "review_date", id="review_on_start"),
    pytest.param({"start_date": "2026-01-01", "review_date": "2025-12-31"}, "review_date", id="review_before_start"),
    pytest.param({"start_date": "2026-01-01", "end_date": "9999-12-31"}, "end_date", id="end_far_future"),
]


@pytest.mark.parametrize(("dates", "field"), REGISTRATION_DATE_CASES)
def test_registration_dates_out_of_bounds_are_422_and_save_nothing(org, frozen_clock, dates, field):
    from openprobation.risk.models import Registration
    from openprobation.workitems.models import WorkItem

    person = make_person(org)
    before = (Registration.objects.count(), WorkItem.objects.count())
    response = Api("po").post(f"/people/{person.crn}/registrations", {"code": "RHRH", **dates})
    assert problem_fields(response) == {field}
    assert (Registration.objects.count(), WorkItem.objects.count()) == before


@pytest.mark.parametrize(
    "dates",
    [
        pytest.param({"start_date": "2027-11-24"}, id="start_exactly_a_year_ahead"),
        pytest.param({"start_date": "1900-01-01"}, id="start_on_1_jan_1900"),
        pytest.param({"start_date": "2026-01-01", "review_date": "2026-01-02"}, id="review_the_day_after_start"),
        pytest.param(
            {"start_date": "2026-01-01", "review_date": "2036-11-24", "end_date": "2036-11-24"},
            id="review_and_end_exactly_ten_years_ahead",
        ),
    ],
)
def test_registration_dates_at_the_bounds_are_accepted(org, frozen_clock, dates):
    person = make_person(org)
    response = Api("po").post(f"/people/{person.crn}/registrations", {"code": "RHRH", **dates})
    assert response.status_code == 201, response.content


def test_registration_review_moved_to_a_far_future_date_is_422_and_unchanged(org, frozen_clock):
    from openprobation.risk.models import Registration

    person = make_person(org)
    api = Api("po")
    added = api.post(f"/people/{person.crn}/registrations", {"code": "RHRH", "start_date": "2026-01-01"}).json()
    response = api.patch(
        f"/people/{person.crn}/registrations/{added['id']}", {"version": added["version"], "review_date": "9999-12-31"}
    )
    assert problem_fields(response) == {"review_date"}
    assert Registration.objects.get(pk=added["id"]).review_date is None
