"""The demo's contact notes and the warning signs they carry (demo/reference.py, demo/showcase.py).

The generator passes only the signal notes through the signal scan: every other note it writes must be signal-free,
so these tests scan every one of them. Each signal note must raise what it was written for, and the fixed case must
raise the signals of the pattern it replays.
"""

from __future__ import annotations

import datetime as dt

import pytest

from openprobation.demo import casework, showcase
from openprobation.demo import reference as ref
from openprobation.rules import work_item_decisions as rules
from openprobation.rules.signal_policy import SIGNALS
from openprobation.rules.signals import signals_scan

ORDINARY_POOLS = {
    "NOTES_ATTENDED": ref.NOTES_ATTENDED, "NOTES_HOME_VISIT": ref.NOTES_HOME_VISIT, "NOTES_PHONE": ref.NOTES_PHONE,
    "NOTES_FTA_ACCEPTABLE": ref.NOTES_FTA_ACCEPTABLE, "NOTES_FTA_UNACCEPTABLE": ref.NOTES_FTA_UNACCEPTABLE,
    "NOTES_RESCHEDULED": ref.NOTES_RESCHEDULED, "NOTES_OTHER_AGENCY": ref.NOTES_OTHER_AGENCY,
    "NOTES_GENERAL": ref.NOTES_GENERAL, "NOTES_THIRD_PARTY": ref.NOTES_THIRD_PARTY,
}  # fmt: skip
ORDINARY = sorted(
    {text for pool in ORDINARY_POOLS.values() for text, _needs in pool}
    | set(ref.NOTES_FUTURE)
    | {ref.NOTE_POLICE_CALL_OUTS, ref.NOTE_CHILD_IN_NEED, "Video call with the person in prison: release plan and "
       "accommodation discussed.", "Pre-release planning call."}
    | set(showcase.ORDINARY) | {showcase.HOME_VISIT, "Planned supervision session."}
)  # fmt: skip
SIGNAL_POOLS = {
    "SIGNAL_NOTES_ATTENDED": ref.SIGNAL_NOTES_ATTENDED, "SIGNAL_NOTES_HOME_VISIT": ref.SIGNAL_NOTES_HOME_VISIT,
    "SIGNAL_NOTES_PHONE": ref.SIGNAL_NOTES_PHONE, "SIGNAL_NOTES_OTHER_AGENCY": ref.SIGNAL_NOTES_OTHER_AGENCY,
    "SIGNAL_NOTES_THIRD_PARTY": ref.SIGNAL_NOTES_THIRD_PARTY,
}  # fmt: skip
SIGNAL_NOTES = sorted({text for pool in SIGNAL_POOLS.values() for text, _needs in pool})


def test_every_pool_is_listed_here():
    """A new pool in reference.py is scanned by one of the tests below."""
    pools = {name for name in dir(ref) if name.startswith(("NOTES_", "SIGNAL_NOTES_"))}
    assert pools == set(ORDINARY_POOLS) | set(SIGNAL_POOLS) | {"NOTES_FUTURE"}


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_notes_are_signal_free(text):
    """So the generator need not scan them: only the signal notes carry warning signs."""
    assert signals_scan(text) == ()


@pytest.mark.parametrize("text", SIGNAL_NOTES)
def test_signal_notes_raise_a_signal(text):
    assert signals_scan(text)


def test_the_signal_notes_cover_every_signal_and_the_commonest_most_often():
    raised = [hit.signal for text in SIGNAL_NOTES for hit in casework.first_hits(signals_scan(text))]
    assert set(raised) == set(SIGNALS)
    for common in ("substance_relapse", "accommodation_loss", "police_involvement"):
        for rare in ("weapons", "stalking_harassment", "victim_contact"):
            assert raised.count(common) > raised.count(rare), (common, rare)


@pytest.mark.parametrize(
    ("text", "signals"),
    [
        (showcase.NEW_PARTNER_1, ["new_relationship"]),
        (showcase.NEW_PARTNER_2, ["relationship_ended", "new_relationship"]),
        (showcase.NEW_PARTNER_3, ["new_relationship"]),
        (showcase.PARTNER_UNSAFE, ["feels_unsafe"]),
        (showcase.REDUCTION_ASKED, []),
        (showcase.NURSE_REPORT, ["stalking_harassment", "feels_unsafe"]),
    ],
)
def test_the_fixed_case_notes_raise_the_pattern(text, signals):
    assert [hit.signal for hit in casework.first_hits(signals_scan(text))] == signals


# ---- the event a note makes, with the case's facts on its day -------------------------------------------------

DAY = dt.date(2026, 6, 10)


def _record(sentence_type="licence", release=dt.date(2026, 1, 5), registrations=(), disclose=(), children=()):
    return casework.CaseRecord(
        sentence=rules.SentenceFacts(1, sentence_type, dt.date(2020, 1, 6), release), allocations=(),
        registrations=registrations, household=(), contacts=(), history_from=DAY, rosh="medium",
        disclose_relationships=disclose, children_at_home=children,
    )  # fmt: skip


def _found(record, contact_type="third_party_report"):
    hits = casework.first_hits(signals_scan("Sister phoned: says he has a new girlfriend."))
    return casework.signals_found(record, casework.SignalNote(DAY, contact_type, 7, hits))


@pytest.mark.parametrize(
    ("name", "record", "contact_type", "expected"),
    [
        ("licence", _record(), "third_party_report",
         dict(on_licence=True, reported_by_other=True, domestic_abuse_history=False, disclose_relationships=False)),
        ("own words", _record(), "office_appointment", dict(reported_by_other=False)),
        ("community order", _record("community_order", None), "note", dict(on_licence=False)),
        ("custody before release", _record("custody", DAY + dt.timedelta(days=1)), "note", dict(on_licence=False)),
        ("custody released that day", _record("custody", DAY), "note", dict(on_licence=True)),
        ("domestic abuse registered by then", _record(registrations=(rules.RegistrationFacts(1, "ADVP", DAY),)),
         "note", dict(domestic_abuse_history=True)),
        ("domestic abuse registered the day after",
         _record(registrations=(rules.RegistrationFacts(1, "ADVP", DAY + dt.timedelta(days=1)),)), "note",
         dict(domestic_abuse_history=False)),
        ("disclose condition in force", _record(disclose=((DAY, None),)), "note", dict(disclose_relationships=True)),
        ("disclose condition ended the day before", _record(disclose=((None, DAY - dt.timedelta(days=1)),)), "note",
         dict(disclose_relationships=False)),
        ("disclose condition on a community order", _record("community_order", None, disclose=((None, None),)),
         "note", dict(disclose_relationships=False)),
        ("a child at home by then", _record(children=(DAY,)), "note", dict(children_in_household=True)),
        ("a child born the day after", _record(children=(DAY + dt.timedelta(days=1),)), "note",
         dict(children_in_household=False)),
    ],
)  # fmt: skip
def test_a_note_is_the_event_live_recording_makes(name, record, contact_type, expected):
    event = _found(record, contact_type)
    assert event.signals == (("new_relationship", "Sister phoned: says he has a new girlfriend."),)
    assert event.day == DAY and event.contact_id == 7
    assert {k: getattr(event, k) for k in expected} == expected
