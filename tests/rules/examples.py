"""Valid payloads for each tool, as a caller would send them; tests change one field at a time."""

from __future__ import annotations

from typing import Any

# Male, born 1990-03-15, convicted 2024-01-10 (aged 33) of 00101 (violence), 5 sanctions, first at 17.
OGRS3: dict[str, Any] = {
    "gender": "male",
    "date_of_birth": "1990-03-15",
    "conviction_date": "2024-01-10",
    "follow_up_start": "2024-02-01",
    "total_sanctions": 5,
    "age_at_first_sanction": 17,
    "offence_code": "00101",
}

SNSV: dict[str, Any] = {**OGRS3, "assessment_date": "2024-08-01", "violent_sanctions": 2}

SNSV_DYNAMIC_ANSWERS: dict[str, Any] = {
    "weapon_used": True,
    "accommodation_suitability": 1,
    "unemployed": True,
    "partner_relationship": 0,
    "current_alcohol_use": 2,
    "binge_drinking": 1,
    "impulsivity": 1,
    "temper_control": 2,
    "pro_criminal_attitudes": 0,
    "domestic_violence_perpetrator": False,
    "previous_convictions": {
        "homicide": False,
        "wounding_gbh": True,
        "kidnapping": False,
        "firearms": False,
        "robbery": True,
        "aggravated_burglary": False,
        "weapon": False,
        "criminal_damage": False,
        "arson": False,
    },
}

OSP_IIC: dict[str, Any] = {
    "gender": "male",
    "has_sexual_offence_history": True,
    "contact_adult_sexual_sanctions": 2,
    "contact_child_sexual_sanctions": 1,
    "non_contact_sexual_sanctions": 0,
    "indecent_image_sanctions": 1,
}

# Born 1980-05-01: 43 at the start of follow-up, 40 at the last sexual sanction.
OSP_DC: dict[str, Any] = {
    **OSP_IIC,
    "date_of_birth": "1980-05-01",
    "follow_up_start": "2024-02-01",
    "assessment_date": "2024-08-01",
    "total_sanctions": 4,
    "stranger_victim": False,
    "last_sexual_sanction_date": "2020-06-01",
}

RSR: dict[str, Any] = {**SNSV, **{k: v for k, v in OSP_DC.items() if k not in SNSV}}

OVP: dict[str, Any] = {
    "gender": "male",
    "date_of_birth": "1990-03-15",
    "follow_up_start": "2024-02-01",
    "total_sanctions": 6,
    "violent_sanctions": 3,
    "does_not_recognise_impact": True,
    "no_fixed_abode": False,
    "unemployed": True,
    "current_alcohol_use": 1,
    "binge_drinking": 2,
    "current_psychiatric_treatment": False,
    "temper_control": 1,
    "pro_criminal_attitudes": 2,
}

OGP: dict[str, Any] = {
    **OGRS3,
    "no_fixed_abode": True,
    "unemployed": False,
    "activities_encourage_offending": 1,
    "drug_misuse": 2,
    "motivation_to_tackle_drug_misuse": 0,
    "problem_solving": 1,
    "awareness_of_consequences": 1,
    "understands_others": 1,
    "pro_criminal_attitudes": 2,
}

TIER_V2: dict[str, Any] = {
    "gender": "male",
    "has_layer3_assessment": True,
    "mandate_for_change": True,
    "needs_assessment_type": "oasys",
    "needs": {},
}

TIER_V3: dict[str, Any] = {
    "version": 3,
    "arp_percent": 10,
    "arp_static": False,
    "csrp_percent": 0.2,
    "csrp_static": False,
    "rosh": "low",
}

ALL: dict[str, dict[str, Any]] = {
    "ogrs3": OGRS3,
    "snsv": SNSV,
    "osp-dc": OSP_DC,
    "osp-iic": OSP_IIC,
    "rsr": RSR,
    "ovp": OVP,
    "ogp": OGP,
    "tier": TIER_V2,
}
