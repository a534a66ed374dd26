"""Risk explanations in words for the pages: the calculators' term and input names, coded values and notes as a
practitioner would read them. The API keeps the code names (they are its contract); this is presentation only.

Names with no entry below are spelt out from the code (underscores as spaces, the tools' initials in capitals), so
a new term is readable the day it is added and can be given better words here.
"""

from __future__ import annotations

import re
from typing import Any

TOOLS = ("ogrs3", "ogrs", "ogp", "ovp", "osp", "rsr", "snsv", "iic", "dc", "rosh", "mappa", "iom", "vatp", "oasys",
         "pnc", "psr", "dcsrp", "nfa")  # fmt: skip

WORDS = {
    "activities_encourage_offending": "Activities encourage offending",
    "age_and_gender": "Age and gender",
    "age_at_follow_up_start": "Age at the start of the follow-up",
    "age_at_last_sexual_sanction": "Age at the last sexual sanction",
    "any_sanction": "Any sanction",
    "complexity_factors": "Complexity factors",
    "contact_adult_sexual_sanctions": "Contact sexual sanctions against adults",
    "contact_child_sexual_sanctions": "Contact sexual sanctions against children",
    "current_psychiatric_treatment": "Current psychiatric treatment",
    "does_not_recognise_impact": "Does not recognise the impact of the offending",
    "female_sexual_history": "Female with a sexual offending history",
    "hierarchy_rule": "Which rule decided the tier",
    "indecent_image_sanctions": "Indecent image sanctions",
    "intercept": "Starting value",
    "one_year_intercept": "Starting value (one year)",
    "two_year_intercept": "Starting value (two years)",
    "iom_nominal": "Integrated offender management nominal",
    "mandate_for_change": "Mandate for change",
    "mappa_level": "MAPPA level",
    "months_since_follow_up_start": "Months since the follow-up started",
    "no_fixed_abode": "No fixed abode",
    "non_contact_sexual_sanctions": "Non-contact sexual sanctions",
    "non_violent_sanctions": "Non-violent sanctions",
    "offence_vatp": "Offence (violence against the person)",
    "offending_rate": "Offending rate",
    "ogrs3_two_year_percent": "OGRS3 two-year score (%)",
    "osp_dc_percent": "OSP/DC score (%)",
    "osp_iic_percent": "OSP/IIC score (%)",
    "snsv_percent": "SNSV score (%)",
    "prior_sanction": "Prior sanction",
    "pro_criminal_attitudes": "Pro-criminal attitudes",
    "sanction_rate": "Sanction rate",
    "sanction_status": "Sanction status",
    "stranger_victim": "Stranger victim",
    "temper_control": "Temper control",
    "total_sanctions": "Total sanctions",
    "violence_rate": "Violence rate",
    "violent_sanctions": "Violent sanctions",
    "weapon_used": "Weapon used",
    "accommodation_suitability": "Suitability of accommodation",
    "partner_relationship": "Relationship with partner",
    "current_alcohol_use": "Current alcohol use",
    "binge_drinking": "Binge drinking",
    "domestic_violence_perpetrator": "Perpetrator of domestic violence",
    "previous_convictions": "Previous convictions",
    "in_custody": "In custody",
    "most_recent_offence_date": "Date of the most recent offence",
    "most_recent_sexual_offence_date": "Date of the most recent sexual offence",
    "education_training_employment": "Education, training and employment",
    "emotional_wellbeing": "Emotional wellbeing",
    "lifestyle_associates": "Lifestyle and associates",
    "thinking_behaviour": "Thinking and behaviour",
    "not_applicable": "Not applicable",
    "very_high": "Very high",
    "one_indecent_image_sanction": "One indecent image sanction",
}

_IDENTIFIER = re.compile(r"\b[a-z][a-z0-9]*(?:[._][a-z0-9]+)+\b")


def _spelt(code: str) -> str:
    words = re.split(r"[._]", code)
    out = [w.upper() if w in TOOLS else w for w in words]
    text = " ".join(out)
    return text[:1].upper() + text[1:]


def name_words(code: str) -> str:
    """A term or input name in words: ``snsv_percent`` -> "SNSV score (%)", ``needs.drug_misuse`` -> "Needs: drug
    misuse"."""
    if code in WORDS:
        return WORDS[code]
    if "." in code:
        head, _, tail = code.partition(".")
        return f"{name_words(head)}: {name_words(tail)[:1].lower()}{name_words(tail)[1:]}"
    return _spelt(code)


def value_words(value: Any) -> str:
    """A term's input value in words: yes/no, "not recorded", a coded value's words; numbers as they are."""
    if value is None or value == "":
        return "Not recorded"
    if isinstance(value, bool) or value in ("True", "False", "true", "false"):
        return "Yes" if value in (True, "True", "true") else "No"
    text = str(value)
    if re.fullmatch(r"[a-z]+(?:_[a-z0-9]+)+|[a-z]+", text):
        return WORDS.get(text, _spelt(text))
    return text


def sentence_words(text: str) -> str:
    """A note or message with any code names in it written as words: "Dynamic inputs missing (weapon_used,
    binge_drinking)" -> "Dynamic inputs missing (weapon used, binge drinking)"."""
    return _IDENTIFIER.sub(lambda m: _in_a_sentence(name_words(m.group(0))), text)


def _in_a_sentence(words: str) -> str:
    first = words.split(" ", 1)[0]
    return words if first.isupper() and len(first) > 1 else words[:1].lower() + words[1:]
