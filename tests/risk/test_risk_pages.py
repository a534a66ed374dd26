"""The risk-tool input pages: criminal history, OASys assessment and recorded scores (GOV.UK error summary, nothing
saved on error, stale versions refused, read-only roles refused). Clock frozen at 24 November 2026."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from openprobation.risk.models import CriminalHistory, OasysAssessment, RecordedScore
from openprobation.risk.services import criminal_history_set
from tests.factories import make_person

pytestmark = pytest.mark.django_db

HISTORY_FORM = {
    "total_sanctions": "4",
    "age_at_first_sanction": "16",
    "violent_sanctions": "1",
    "contact_adult_sexual_sanctions": "0",
    "contact_child_sexual_sanctions": "0",
    "non_contact_sexual_sanctions": "0",
    "indecent_image_sanctions": "0",
    "stranger_victim": "no",
    "recent_breach_or_recall": "",
    "most_recent_offence_date_day": "3",
    "most_recent_offence_date_month": "12",
    "most_recent_offence_date_year": "2025",
    "version": "",
}
ASSESSMENT_FORM = {
    "completed_date_day": "1",
    "completed_date_month": "10",
    "completed_date_year": "2026",
    "layer": "layer3",
    "status": "complete",
    "kind": "oasys",
    "answers.impulsivity": "1",
    "answers.weapon_used": "yes",
    "answers.temper_control": "",
    "section_scores.accommodation": "3",
    "section_scores.attitudes": "",
}
SCORE_FORM = {
    "kind": "rsr",
    "value_rsr": "6.9",
    "source": "nDelius import",
    "effective_date_day": "20",
    "effective_date_month": "11",
    "effective_date_year": "2026",
    "notes": "",
}


def client_for(staff) -> Client:
    client = Client()
    client.force_login(staff.user)
    return client


def history_url(person) -> str:
    return f"/case/{person.crn}/risk/criminal-history/"


def assessment_url(person) -> str:
    return f"/case/{person.crn}/risk/oasys-assessments/new/"


def score_url(person) -> str:
    return f"/case/{person.crn}/risk/recorded-scores/new/"


def test_case_page_links_to_the_forms_for_practitioners_only(org, frozen_clock):
    person = make_person(org)
    html = client_for(org.po).get(f"/case/{person.crn}/risk/").content.decode()
    for url in (history_url(person), assessment_url(person), score_url(person)):
        assert f'href="{url}"' in html
    qa_html = client_for(org.qa).get(f"/case/{person.crn}/risk/").content.decode()
    assert "risk/criminal-history" not in qa_html and "risk/recorded-scores" not in qa_html


def test_criminal_history_recorded_then_edited_and_the_case_page_shows_the_score(org, frozen_clock):
    person = make_person(org)
    client = client_for(org.po)
    form = client.get(history_url(person)).content.decode()
    assert 'name="version" value=""' in form and 'name="csrfmiddlewaretoken"' in form
    response = client.post(history_url(person), HISTORY_FORM, follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0].endswith(f"/case/{person.crn}/risk/#risk-scores")
    assert "govuk-notification-banner--success" in html and "Criminal history saved" in html
    record = CriminalHistory.objects.get(person=person)
    assert (record.total_sanctions, record.stranger_victim, record.recent_breach_or_recall) == (4, False, None)
    assert record.most_recent_offence_date == dt.date(2025, 12, 3)
    assert "% (1 year)" in html, "the OGRS3 is calculated from the criminal history"

    form = client.get(history_url(person)).content.decode()
    assert f'name="version" value="{record.version}"' in form
    assert (
        'id="total_sanctions" name="total_sanctions" type="text" inputmode="numeric" spellcheck="false" value="4"'
        in form
    )
    response = client.post(
        history_url(person), {**HISTORY_FORM, "total_sanctions": "5", "version": str(record.version)}
    )
    assert response.status_code == 302
    assert CriminalHistory.objects.get(person=person).total_sanctions == 5


@pytest.mark.parametrize(
    ("change", "anchor", "message"),
    [
        ({"total_sanctions": "four"}, "total_sanctions", "Enter total sanctions as a whole number"),
        ({"age_at_first_sanction": "9"}, "age_at_first_sanction", "Enter an age of 10 or over"),
        ({"violent_sanctions": "7"}, "violent_sanctions", "cannot be more than total sanctions"),
        ({"most_recent_offence_date_month": "13"}, "most_recent_offence_date-day", "must be a real date"),
        ({"stranger_victim": "maybe"}, "stranger_victim", "choose one of the answers shown"),
    ],
    ids=["not_a_number", "first_sanction_under_10", "more_violent_than_total", "not_a_date", "bad_choice"],
)
def test_bad_criminal_history_shows_the_error_summary_and_saves_nothing(org, frozen_clock, change, anchor, message):
    person = make_person(org)
    response = client_for(org.po).post(history_url(person), {**HISTORY_FORM, **change})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="govuk-error-summary"' in html and f'href="#{anchor}"' in html and message in html
    assert "govuk-form-group--error" in html and "<title>Error:" in html
    assert f'value="{change[next(iter(change))]}"' in html or "checked" in html, "what was typed is kept"
    assert not CriminalHistory.objects.filter(person=person).exists()


def test_a_stale_criminal_history_is_refused_and_saves_nothing(org, frozen_clock):
    person = make_person(org)
    client = client_for(org.po)
    client.post(history_url(person), HISTORY_FORM)
    read_version = CriminalHistory.objects.get(person=person).version
    criminal_history_set(actor=org.po2.user, person=person, values={"total_sanctions": 6}, version=read_version)
    response = client.post(history_url(person), {**HISTORY_FORM, "total_sanctions": "9", "version": str(read_version)})
    html = response.content.decode()
    assert response.status_code == 409
    assert "Someone else changed this criminal history" in html and "reload the page" in html
    assert CriminalHistory.objects.get(person=person).total_sanctions == 6
    # A form opened before anyone recorded a history is stale too, once one has been.
    response = client.post(history_url(person), {**HISTORY_FORM, "version": ""})
    assert response.status_code == 409 and CriminalHistory.objects.get(person=person).total_sanctions == 6


def test_oasys_assessment_recorded_with_its_answers_and_section_scores(org, frozen_clock):
    person = make_person(org)
    client = client_for(org.po)
    form = client.get(assessment_url(person)).content.decode()
    assert 'name="answers.previous_homicide"' in form and 'name="section_scores.thinking_behaviour"' in form
    assert '<h2 class="govuk-fieldset__heading">Previous convictions</h2>' in form
    assert 'value="oasys" checked' in form
    response = client.post(assessment_url(person), ASSESSMENT_FORM, follow=True)
    html = response.content.decode()
    assert "Assessment recorded" in html and "govuk-notification-banner--success" in html
    assessment = OasysAssessment.objects.get(person=person)
    assert assessment.completed_date == dt.date(2026, 10, 1)
    assert (assessment.layer, assessment.status, assessment.kind) == ("layer3", "complete", "oasys")
    assert assessment.answers == {"impulsivity": 1, "weapon_used": True}
    assert assessment.section_scores == {"accommodation": 3}


@pytest.mark.parametrize(
    ("change", "anchor", "message"),
    [
        ({"layer": ""}, "layer", "Select the layer"),
        ({"completed_date_year": "2027"}, "completed_date-day", "today or in the past"),
        ({"answers.impulsivity": "3"}, "answers.impulsivity", "Impulsivity: choose one of the answers shown"),
        ({"section_scores.accommodation": "100"}, "section_scores.accommodation", "from 0 to 99"),
        ({"section_scores.accommodation": "x"}, "section_scores.accommodation", "whole number"),
    ],
    ids=["no_layer", "future_date", "answer_out_of_range", "section_score_too_high", "section_score_not_a_number"],
)
def test_bad_oasys_assessment_shows_the_error_summary_and_saves_nothing(org, frozen_clock, change, anchor, message):
    person = make_person(org)
    response = client_for(org.po).post(assessment_url(person), {**ASSESSMENT_FORM, **change})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="govuk-error-summary"' in html and f'href="#{anchor}"' in html and message in html
    assert 'name="answers.weapon_used" type="radio" value="yes" checked' in html, "values are kept"
    assert not OasysAssessment.objects.filter(person=person).exists()


def test_recorded_rsr_and_allocation_are_shown_on_the_case_page(org, frozen_clock):
    person = make_person(org)
    client = client_for(org.po)
    client.post(history_url(person), HISTORY_FORM)
    form = client.get(score_url(person)).content.decode()
    assert 'name="kind" type="radio" value="rsr"' in form and 'name="version"' not in form
    response = client.post(score_url(person), SCORE_FORM, follow=True)
    html = response.content.decode()
    assert "RSR percentage recorded: 6.90" in html
    assert "6.90% (nDelius import, 20 Nov 2026)" in html
    score = RecordedScore.objects.get(person=person)
    assert (score.kind, score.value, score.recorded_by) == ("rsr", "6.90", org.po.code)
    html = client.post(score_url(person), {**SCORE_FORM, "kind": "allocation", "value_allocation": "pqip"}, follow=True)
    assert "Recorded allocation: <strong>PQIP</strong>" in html.content.decode()


@pytest.mark.parametrize(
    ("change", "anchor", "message"),
    [
        ({"kind": ""}, "kind", "Select what you are recording"),
        ({"value_tier": "Z9", "kind": "tier"}, "value_tier", "Select the tier"),  # not one of the tiers offered
        ({"value_rsr": "", "kind": "rsr"}, "value_rsr", "Enter the RSR percentage"),
        ({"value_rsr": "B2", "kind": "rsr"}, "value_rsr", "RSR"),  # the service's check, on the RSR box
        ({"value_rsr": "", "value_tier": "B2", "kind": "tier"}, "", "Tier recorded: B2"),  # only the chosen box
        ({"source": " "}, "source", "Enter where the value came from"),
        ({"effective_date_day": ""}, "effective_date-day", "must include a day"),
    ],
    ids=["no_kind", "bad_tier", "no_rsr", "tier_in_the_rsr_box", "tier_chosen_rsr_box_ignored", "no_source",
         "incomplete_date"],
)
def test_bad_recorded_score_shows_the_error_summary_and_saves_nothing(org, frozen_clock, change, anchor, message):
    person = make_person(org)
    response = client_for(org.po).post(score_url(person), {**SCORE_FORM, **change}, follow=True)
    html = response.content.decode()
    if not anchor:  # the control case: saved
        assert message in html and RecordedScore.objects.get(person=person).value == "B2"
        return
    assert response.status_code == 200
    assert 'class="govuk-error-summary"' in html and f'href="#{anchor}"' in html and message in html
    assert 'value="nDelius import"' in html or change.get("source")
    assert not RecordedScore.objects.exists()


def test_quality_assurance_cannot_write_and_another_team_cannot_see(org, frozen_clock):
    person = make_person(org)
    qa, other = client_for(org.qa), client_for(org.po_b)
    for url, data in (
        (history_url(person), HISTORY_FORM),
        (assessment_url(person), ASSESSMENT_FORM),
        (score_url(person), SCORE_FORM),
    ):
        assert qa.post(url, data).status_code == 403
        assert other.get(url).status_code == 404
        assert other.post(url, data).status_code == 404
    assert not CriminalHistory.objects.exists()
    assert not OasysAssessment.objects.exists()
    assert not RecordedScore.objects.exists()


def test_service_errors_with_nested_paths_go_against_their_fields():
    from openprobation.core.errors import FieldError
    from openprobation.web import risk_forms

    form = risk_forms.parse(risk_forms.ASSESSMENT_GROUPS, ASSESSMENT_FORM)
    assert not form.errors
    risk_forms.add_service_errors(
        form,
        [
            FieldError(("answers", "impulsivity"), "Enter 0, 1 or 2"),
            FieldError(("section_scores", "accommodation"), "Enter a section score from 0 to 99"),
            FieldError(("answers", "made_up"), "Not an OASys answer the risk tools use"),
        ],
    )
    anchors = {e.anchor: e.message for e in form.summary}
    assert anchors["answers.impulsivity"] == "Enter 0, 1 or 2"
    assert anchors["section_scores.accommodation"] == "Enter a section score from 0 to 99"
    assert anchors[""] == "Not an OASys answer the risk tools use"
