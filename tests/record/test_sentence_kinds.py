"""Sentence kinds: determinate (a length), extended (a custodial term and an extension period, the length their sum)
and indeterminate (life, IPP, DPP: a tariff and no length); licence and sentence expiry dates; sentenced as a youth.
Through the API and the pages, each rule a field error that changes nothing. The clock is frozen at 24 Nov 2026."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from openprobation.core.models import AuditEvent
from openprobation.sentences.models import Event
from tests.factories import make_person
from tests.record.test_api import Api, problem_fields, table_snapshot

pytestmark = pytest.mark.django_db

BASE = {"offence_code": "00101", "conviction_date": "2020-03-02", "sentence_date": "2020-03-02",
        "sentence_type": "custody"}  # fmt: skip
LIFE = {**BASE, "sentence_kind": "indeterminate", "indeterminate_type": "life", "tariff_months": 180}
EXTENDED = {**BASE, "sentence_kind": "extended", "custodial_term_months": 72, "extension_period_months": 48}


@pytest.mark.parametrize(
    ("name", "body", "expected"),
    [
        ("determinate_has_a_length", {**BASE, "length_months": 24},
         {"sentence_kind": "determinate", "length_months": 24, "expected_end_date": "2022-03-02"}),
        ("life_has_a_tariff_and_no_length", LIFE,
         {"sentence_kind": "indeterminate", "indeterminate_type": "life", "tariff_months": 180, "length_months": None,
          "expected_end_date": None}),
        ("ipp_licence_may_have_a_licence_expiry_date",
         {**LIFE, "indeterminate_type": "ipp", "sentence_type": "licence", "release_date": "2030-01-06",
          "licence_expiry_date": "2040-01-06"},
         {"indeterminate_type": "ipp", "licence_expiry_date": "2040-01-06", "sentence_expiry_date": None}),
        ("dpp_sentenced_as_youth", {**LIFE, "indeterminate_type": "dpp", "sentenced_as_youth": True},
         {"indeterminate_type": "dpp", "sentenced_as_youth": True}),
        ("extended_length_is_custodial_term_plus_extension", EXTENDED,
         {"length_months": 120, "custodial_term_months": 72, "extension_period_months": 48,
          "expected_end_date": "2030-03-02", "indeterminate_type": None}),
        ("extended_length_given_equal_to_the_sum_is_accepted", {**EXTENDED, "length_months": 120},
         {"length_months": 120}),
        ("expiry_dates_on_a_determinate_custodial_sentence",
         {**BASE, "length_months": 24, "licence_expiry_date": "2022-03-01", "sentence_expiry_date": "2022-03-01"},
         {"licence_expiry_date": "2022-03-01", "sentence_expiry_date": "2022-03-01"}),
    ],
)  # fmt: skip
def test_sentence_kind_recorded_through_the_api(org, frozen_clock, name, body, expected):
    person = make_person(org)
    response = Api("po").post(f"/people/{person.crn}/events", body)
    assert response.status_code == 201, response.content
    got = response.json()
    assert {k: got[k] for k in expected} == expected
    audit = AuditEvent.objects.filter(action="event.created", crn=person.crn).order_by("-pk").first()
    assert audit is not None and audit.after["sentence_kind"] == got["sentence_kind"]


@pytest.mark.parametrize(
    ("name", "body", "fields"),
    [
        ("determinate_needs_a_length", BASE, {"length_months"}),
        ("determinate_has_no_tariff", {**BASE, "length_months": 12, "tariff_months": 60}, {"tariff_months"}),
        ("indeterminate_has_no_length", {**LIFE, "length_months": 12}, {"length_months"}),
        ("indeterminate_needs_a_tariff", {**LIFE, "tariff_months": None}, {"tariff_months"}),
        ("indeterminate_needs_its_type", {**LIFE, "indeterminate_type": None}, {"indeterminate_type"}),
        ("indeterminate_has_no_sentence_expiry_date", {**LIFE, "sentence_expiry_date": "2050-01-01"},
         {"sentence_expiry_date"}),
        ("life_licence_does_not_expire", {**LIFE, "licence_expiry_date": "2050-01-01"}, {"licence_expiry_date"}),
        ("dpp_is_a_youth_sentence", {**LIFE, "indeterminate_type": "dpp"}, {"sentenced_as_youth"}),
        ("indeterminate_is_custodial", {**LIFE, "sentence_type": "community_order"}, {"sentence_kind"}),
        ("extended_needs_both_terms", {**EXTENDED, "extension_period_months": None}, {"extension_period_months"}),
        ("extended_is_custodial", {**EXTENDED, "sentence_type": "community_order"}, {"sentence_kind"}),
        ("extended_length_must_be_the_sum", {**EXTENDED, "length_months": 100}, {"length_months"}),
        ("extended_has_no_tariff", {**EXTENDED, "tariff_months": 10}, {"tariff_months"}),
        ("determinate_has_no_extension", {**BASE, "length_months": 12, "extension_period_months": 12},
         {"extension_period_months"}),
        ("extended_terms_together_at_most_1200_months",
         {**EXTENDED, "custodial_term_months": 1100, "extension_period_months": 101}, {"extension_period_months"}),
        ("tariff_at_least_one_month", {**LIFE, "tariff_months": 0}, {"tariff_months"}),
        ("expiry_only_on_custodial_sentences",
         {**BASE, "sentence_type": "community_order", "length_months": 12, "licence_expiry_date": "2021-03-01"},
         {"licence_expiry_date"}),
        ("expiry_not_before_sentence", {**BASE, "length_months": 12, "sentence_expiry_date": "2020-03-01"},
         {"sentence_expiry_date"}),
        ("licence_expires_no_later_than_sentence",
         {**BASE, "length_months": 12, "licence_expiry_date": "2021-03-03", "sentence_expiry_date": "2021-03-02"},
         {"licence_expiry_date"}),
        ("expiry_not_before_release",
         {**BASE, "length_months": 12, "release_date": "2020-09-01", "licence_expiry_date": "2020-08-31"},
         {"licence_expiry_date"}),
    ],
)  # fmt: skip
def test_sentence_kind_rule_refused_as_a_field_error_changing_nothing(org, frozen_clock, name, body, fields):
    person = make_person(org)
    api = Api("po")
    before = table_snapshot()
    response = api.post(f"/people/{person.crn}/events", body)
    assert problem_fields(response) == fields
    assert table_snapshot() == before


def test_changing_the_kind_to_indeterminate_clears_the_length_and_expected_end(org, frozen_clock):
    person = make_person(org)  # event 1: a 12-month community order
    api = Api("po")
    event = api.post(f"/people/{person.crn}/events", {**BASE, "length_months": 24}).json()
    path = f"/people/{person.crn}/events/{event['number']}"
    refused = api.patch(path, {"version": 1, "sentence_kind": "indeterminate", "indeterminate_type": "ipp",
                               "tariff_months": 36})  # fmt: skip
    assert problem_fields(refused) == {"length_months"}  # the length must be cleared, not silently dropped
    changed = api.patch(path, {"version": 1, "sentence_kind": "indeterminate", "indeterminate_type": "ipp",
                               "tariff_months": 36, "length_months": None})  # fmt: skip
    assert changed.status_code == 200, changed.content
    assert (changed.json()["length_months"], changed.json()["expected_end_date"]) == (None, None)
    extended = api.patch(path, {"version": 2, "sentence_kind": "extended", "indeterminate_type": None,
                                "tariff_months": None, "custodial_term_months": 24, "extension_period_months": 12})
    assert extended.status_code == 200, extended.content
    assert (extended.json()["length_months"], extended.json()["expected_end_date"]) == (36, "2023-03-02")
    longer = api.patch(path, {"version": 3, "extension_period_months": 24})  # the length follows the terms
    assert (longer.json()["length_months"], longer.json()["expected_end_date"]) == (48, "2024-03-02")
    audit = AuditEvent.objects.filter(action="event.updated", crn=person.crn).order_by("pk")
    assert [a.after.get("sentence_kind") for a in audit] == ["indeterminate", "extended", None]


@pytest.mark.django_db(transaction=True)
def test_migration_0002_keeps_existing_events_as_determinate(org):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    person = make_person(org)
    before, after = [("sentences", "0001_initial")], [("sentences", "0002_sentence_kinds")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("sentences", "Event")
    kept = old.objects.create(
        person_id=person.pk, number=9, offence_code="00101", conviction_date=dt.date(2019, 1, 2),
        sentence_date=dt.date(2019, 1, 2), sentence_type="custody", length_months=18,
        expected_end_date=dt.date(2020, 7, 2),
    )  # fmt: skip
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    event = Event.objects.get(pk=kept.pk)
    assert (event.sentence_kind, event.length_months, event.expected_end_date, event.indeterminate_type,
            event.tariff_months, event.sentenced_as_youth) == ("determinate", 18, dt.date(2020, 7, 2), "", None, False)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


# --- the pages ---------------------------------------------------------------------------------------------------


def _client(staff) -> Client:
    client = Client()
    client.force_login(staff.user)
    return client


def _date(name: str, day: dt.date) -> dict[str, str]:
    return {f"{name}_day": str(day.day), f"{name}_month": str(day.month), f"{name}_year": str(day.year)}


FORM: dict[str, Any] = {"offence_code": "00101", **_date("conviction_date", dt.date(2010, 5, 4)),
                        **_date("sentence_date", dt.date(2010, 5, 4)), "sentence_type": "licence",
                        "sentenced_as_youth": "no", **_date("release_date", dt.date(2025, 6, 2))}  # fmt: skip


def test_record_a_life_licence_on_the_page(org, frozen_clock):
    person = make_person(org)
    url = reverse("web:event-new", args=[person.crn])
    page = _client(org.po).get(url).content.decode()
    assert "govuk-radios__conditional" in page and 'name="tariff_months"' in page
    response = _client(org.po).post(url, {**FORM, "sentence_kind": "indeterminate", "indeterminate_type": "life",
                                          "tariff_months": "144", "length_months": "99"})  # hidden: not kept
    assert response.status_code == 302, response.content.decode()
    event = Event.objects.get(person=person, number=2)
    assert (event.sentence_kind, event.indeterminate_type, event.tariff_months, event.length_months) == (
        "indeterminate", "life", 144, None)
    sentence = _client(org.po).get(reverse("web:case-sentence", args=[person.crn])).content.decode()
    assert "Indeterminate: Life" in sentence and "144 months" in sentence and "No fixed length" in sentence


@pytest.mark.parametrize(
    ("name", "form", "field", "message"),
    [
        ("indeterminate_needs_a_tariff", {"sentence_kind": "indeterminate", "indeterminate_type": "ipp"},
         "tariff_months", "Enter the tariff"),
        ("extended_needs_an_extension_period", {"sentence_kind": "extended", "custodial_term_months": "60"},
         "extension_period_months", "Enter the extension period"),
        ("a_term_is_a_whole_number", {"sentence_kind": "determinate", "length_months": "two"}, "length_months",
         "as a whole number"),
        ("dpp_needs_sentenced_as_youth", {"sentence_kind": "indeterminate", "indeterminate_type": "dpp",
                                          "tariff_months": "60"}, "sentenced_as_youth", "under 18"),
        ("life_licence_has_no_expiry", {"sentence_kind": "indeterminate", "indeterminate_type": "life",
                                        "tariff_months": "60", **_date("licence_expiry_date", dt.date(2040, 1, 1))},
         "licence_expiry_date", "A life licence has no expiry date"),
    ],
)  # fmt: skip
def test_sentence_form_shows_the_rule_as_a_field_error_and_saves_nothing(org, frozen_clock, name, form, field,
                                                                         message):
    person = make_person(org)
    before = table_snapshot()
    response = _client(org.po).post(reverse("web:event-new", args=[person.crn]), {**FORM, **form})
    page = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in page
    assert f'href="#{field}' in page and message in page
    assert table_snapshot() == before


def test_change_the_sentence_to_extended_on_the_page(org, frozen_clock):
    person = make_person(org)
    api = Api("po")
    api.post(f"/people/{person.crn}/events", {**BASE, "length_months": 24})
    url = reverse("web:event-sentence-change", args=[person.crn, 2])
    page = _client(org.po).get(url).content.decode()
    assert 'name="version" value="1"' in page and 'name="length_months" type="text" inputmode="numeric"' in page
    response = _client(org.po).post(url, {
        **_date("sentence_date", dt.date(2020, 3, 2)), "sentence_type": "custody", "sentence_kind": "extended",
        "custodial_term_months": "48", "extension_period_months": "36", "sentenced_as_youth": "yes",
        "length_months": "24", "version": "1"})  # fmt: skip
    assert response.status_code == 302, response.content.decode()
    event = Event.objects.get(person=person, number=2)
    assert (event.sentence_kind, event.length_months, event.sentenced_as_youth, event.version) == (
        "extended", 84, True, 2)


def test_quality_assurance_cannot_open_the_sentence_forms(org, frozen_clock):
    person = make_person(org)
    assert _client(org.qa).get(reverse("web:event-new", args=[person.crn])).status_code == 403
