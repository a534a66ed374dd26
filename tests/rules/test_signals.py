"""The warning-sign rules: each signal raised by what should raise it and not by negations, hypotheticals, advice,
old history or other people's relationships; reported speech from third parties and practitioner shorthand kept."""

from __future__ import annotations

import pytest

from openprobation.rules.signal_policy import SIGNALS, signal_policy
from openprobation.rules.signals import signals_scan, signals_scan_many


def raised(text: str) -> set[str]:
    return {hit.signal for hit in signals_scan(text)}


# (case id, note, signal): the note raises the signal.
POSITIVE = [
    (
        "new_relationship.disclosed",
        "He disclosed a new relationship with a woman he met at the gym.",
        "new_relationship",
    ),
    ("new_relationship.shorthand_gf", "New gf approx 3/52, lives sep.", "new_relationship"),
    ("new_relationship.seeing_someone", "He has been seeing someone since September.", "new_relationship"),
    ("new_relationship.third_party", "His mother says he has a new lady friend and stays at hers.", "new_relationship"),
    (
        "new_relationship.unpunctuated",
        "seen today says he has a new girlfriend they met at the pub",
        "new_relationship",
    ),
    ("relationship_ended.split_up", "He and his partner split up on Saturday.", "relationship_ended"),
    ("relationship_ended.third_party", "Partner rang to say she has ended the relationship.", "relationship_ended"),
    ("stalking.following", "His ex reports he has been following her to work at 4am.", "stalking_harassment"),
    ("stalking.turning_up", "She says he keeps turning up at her house uninvited.", "stalking_harassment"),
    ("stalking.repeated_calls", "Ex-partner says he is ringing her 30 times a day.", "stalking_harassment"),
    ("stalking.misspelt", "He has been harrassing her since Xmas.", "stalking_harassment"),
    ("stalking.denied_allegation", "She says he has been following her, which he denies.", "stalking_harassment"),
    ("threats.threat_to_kill", "Partner reports he threatened to kill her last night.", "threats"),
    ("threats.conditional", "He said that if her new boyfriend comes round he will batter him.", "threats"),
    ("threats.misspelt", "Police: PoP threatend his neighbour.", "threats"),
    ("controlling.phone", "She told me he checks her phone every evening.", "controlling_behaviour"),
    ("controlling.money", "He controls the money and she gets pocket money.", "controlling_behaviour"),
    ("controlling.spelling", "Partner describes his behavior as controling.", "controlling_behaviour"),
    ("weapons.knife", "Police found a kitchen knife in his waistband.", "weapons"),
    ("weapons.home_visit", "On the HV I saw a crossbow on the wardrobe.", "weapons"),
    ("children.pregnancy", "Gf 20/40 pregnant.", "children"),
    ("children.under_fives", "Pt's gf has 2 x u5s who stay at his flat.", "children"),
    ("children.contact", "He has his son every other weekend.", "children"),
    ("victim_contact.exclusion_zone", "EM alert: he entered the exclusion zone at 02:14.", "victim_contact"),
    ("victim_contact.restraining_order", "Arrested for breaching the restraining order.", "victim_contact"),
    ("victim_contact.message", "He admitted sending the victim a message.", "victim_contact"),
    ("feels_unsafe.scared", "Partner says she is scared of him when he drinks.", "feels_unsafe"),
    ("feels_unsafe.not_safe", "She says she does not feel safe at home.", "feels_unsafe"),
    ("police.arrested", "Arrested Fri for theft, NFA.", "police_involvement"),
    ("police.callout_shorthand", "DA call out to his address w/e.", "police_involvement"),
    ("police.attended", "Police attended a domestic at the address last night.", "police_involvement"),
    ("substance.drinking_again", "Admitted he has been drinking again since the w/e.", "substance_relapse"),
    ("substance.positive_test", "Pos test for cocaine at DIP today.", "substance_relapse"),
    ("self_harm.cutting", "He disclosed cutting his arms again this week.", "self_harm"),
    ("self_harm.said_he_would", "He told his mum he would kill himself.", "self_harm"),
    ("self_harm.shorthand", "Disclosed SH (cutting) last night.", "self_harm"),
    ("accommodation.section_21", "S21 served, has to leave by end of month.", "accommodation_loss"),
    ("accommodation.no_fixed_abode", "He is now NFA and sleeping in his car.", "accommodation_loss"),
]

# (case id, note, signal): the note does not raise the signal.
NEGATIVE = [
    ("new_relationship.denied", "He denies any new relationship.", "new_relationship"),
    ("new_relationship.hypothetical", "If he starts a relationship he must tell me.", "new_relationship"),
    ("new_relationship.advice", "Reminded him to disclose any new relationship.", "new_relationship"),
    ("new_relationship.ex_has_new_partner", "He sent messages to her new boyfriend.", "new_relationship"),
    ("new_relationship.programme", "Discussed the Building Better Relationships programme.", "new_relationship"),
    ("relationship_ended.historic", "His previous relationship ended in 2017.", "relationship_ended"),
    ("stalking.historic_conviction", "Previous convictions include harassment in 2012.", "stalking_harassment"),
    ("stalking.follow_up", "Follow up with the housing officer next week.", "stalking_harassment"),
    ("stalking.following_release", "Following his release he moved to the hostel.", "stalking_harassment"),
    ("threats.none", "No threats made, he was calm throughout.", "threats"),
    ("threats.eviction", "Housing secure, no threat of eviction.", "threats"),
    ("threats.index_offence", "Index offence: threats to kill his then partner in 2018.", "threats"),
    ("controlling.temper", "We talked about controlling his temper at work.", "controlling_behaviour"),
    ("weapons.none_seen", "No weapons seen at the property.", "weapons"),
    ("weapons.course", "He completed the knife crime awareness programme.", "weapons"),
    ("weapons.historic", "Index offence in 2015 involved a knife.", "weapons"),
    ("children.none", "No children in the household.", "children"),
    ("children.agency", "Children's services check requested.", "children"),
    ("children.adults", "His own children are adults.", "children"),
    ("children.advice", "Any contact with children must be approved in advance.", "children"),
    ("victim_contact.none", "No contact with the victim and he is aware of the exclusion zone.", "victim_contact"),
    ("victim_contact.advice", "Explained that any contact with the victim would be a breach.", "victim_contact"),
    ("feels_unsafe.feels_safe", "His partner said she feels safe and has no concerns.", "feels_unsafe"),
    ("feels_unsafe.no_longer", "He says he doesn't feel unsafe at the hostel anymore.", "feels_unsafe"),
    ("police.none", "He has not been arrested since our last appointment.", "police_involvement"),
    (
        "police.hypothetical",
        "Advised that if police are called to the address I will be informed.",
        "police_involvement",
    ),
    ("police.before_custody", "Prior to custody he was arrested many times.", "police_involvement"),
    ("police.da_check", "Police DA check: nil trace.", "police_involvement"),
    ("substance.denied", "He denies drinking since release.", "substance_relapse"),
    ("substance.relapse_prevention", "Relapse prevention session completed.", "substance_relapse"),
    ("substance.years_ago", "He spoke about his history of heroin use in his twenties.", "substance_relapse"),
    ("self_harm.historic", "Historic self-harm as a teenager, nothing recent.", "self_harm"),
    ("self_harm.asked", "Asked about self-harm, he has no thoughts of harming himself.", "self_harm"),
    ("self_harm.safety_plan", "Should he have thoughts of self harm he will call the crisis team.", "self_harm"),
    ("accommodation.hypothetical", "If he lost his tenancy he would present as homeless.", "accommodation_loss"),
    ("accommodation.nfa_after_arrest", "Arrested Fri for theft, NFA.", "accommodation_loss"),
    ("accommodation.before_sentence", "He talked about being homeless before his sentence.", "accommodation_loss"),
]


@pytest.mark.parametrize(("note", "signal"), [c[1:] for c in POSITIVE], ids=[c[0] for c in POSITIVE])
def test_signal_raised(note, signal):
    assert signal in raised(note)


@pytest.mark.parametrize(("note", "signal"), [c[1:] for c in NEGATIVE], ids=[c[0] for c in NEGATIVE])
def test_signal_not_raised(note, signal):
    assert signal not in raised(note)


def test_every_signal_has_positive_and_negative_cases():
    assert {c[2] for c in POSITIVE} == set(SIGNALS) == {c[2] for c in NEGATIVE}


def test_a_hit_names_signal_severity_evidence_sentence_and_rule():
    (hit,) = signals_scan("Seen in office. Ex partner says he keeps turning up at her work. Next appt 2/52.")
    assert hit.as_dict() == {
        "signal": "stalking_harassment",
        "severity": "high",
        "evidence": "turning up at her work",
        "sentence": "Ex partner says he keeps turning up at her work.",
        "rule": "stalking_harassment.following_and_loitering",
    }


def test_severity_comes_from_the_policy():
    policy = signal_policy()
    for hit in signals_scan("She is scared. He has a new gf."):
        assert hit.severity == policy.severities[hit.signal]


def test_a_note_with_several_signals_raises_each_once_per_sentence_in_order():
    hits = signals_scan(
        "Ex partner called: since she finished with him he has been turning up at her house at "
        "night, banging on the door and shouting that he will hurt her. She is terrified."
    )
    assert [h.signal for h in hits] == ["relationship_ended", "stalking_harassment", "threats", "feels_unsafe"]


def test_clause_break_stops_a_negation():
    assert "new_relationship" in raised("No police call-outs but he says he has a new gf.")


def test_a_present_cue_overrides_history():
    assert "self_harm" in raised("He has a history of self-harm and has started cutting himself again.")


def test_a_long_unpunctuated_note_shows_the_words_around_the_evidence():
    note = " ".join(["seen in office talked about work"] * 20) + " he has a new girlfriend " + "mum ok " * 40
    (hit,) = signals_scan(note)
    assert hit.evidence == "new girlfriend" and "new girlfriend" in hit.sentence
    assert len(hit.sentence) <= 302 and hit.sentence.startswith("…") and hit.sentence.endswith("…")


def test_curly_quotes_and_capitals_are_read_as_plain_text():
    assert "threats" in raised("He said \u201cI\u2019LL KILL YOU\u201d to her.")


def test_a_batch_gives_what_each_note_gives_alone():
    notes = ["He has a new gf.", "No concerns.", "She is scared of him.", ""]
    assert list(signals_scan_many(notes)) == [signals_scan(n) for n in notes]


def test_empty_and_whitespace_notes_raise_nothing():
    assert signals_scan("") == () == signals_scan("   \n ")
