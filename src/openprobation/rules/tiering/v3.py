"""Tier V3: one tier from A (highest) to G, plus NOT_SUPERVISED and MISSING, with a provisional flag.

Policy: ``policy/tier_v3.toml`` (read from ministryofjustice/hmpps-tier at commit affac98a). Each step gives a
tier or nothing and the highest wins: (1) reoffending, ARP x CSRP table; (2) sexual reoffending from DC-SRP;
(3) MAPPA and RoSH; (4) lifer/IPP released recently; (5) domestic abuse; (6) stalking; (7) child protection;
(8) OASys sexual-offence history.

Provisional when a predictor is static and a dynamic score could raise the tier (unless the other steps
already reach the highest tier the static predictor could give), or when RoSH is missing and a RoSH could raise
it (A with MAPPA, C without).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from openprobation.rules.dates import add_months
from openprobation.rules.predictors.base import Policy, Problems, Term, load_policy
from openprobation.rules.tiering.v2 import Rosh, check_common, check_registrations, read_rosh

NOT_SUPERVISED = "NOT_SUPERVISED"
MISSING = "MISSING"
DcSrpBand = Literal["low", "medium", "high", "very_high", "not_applicable"]


@dataclass(frozen=True, kw_only=True)
class DcSrp:
    """The DC-SRP (direct-contact sexual reoffending predictor) as the spec's ``dc_srp``: its score and its band.
    Both are needed: within a medium band the score decides the tier (a band lowered by the risk-reduction rule)."""

    percent: Decimal
    band: DcSrpBand


@dataclass(frozen=True, kw_only=True)
class TierV3Input:
    supervised: bool = True  # False when nDelius has no active event
    arp_percent: Decimal | None = None
    arp_static: bool | None = None
    csrp_percent: Decimal | None = None
    csrp_static: bool | None = None
    # The DC-SRP: {"percent": .., "band": ..} as dc_srp (the specification's field), or the same two values as the
    # flat fields dc_srp_percent and dc_srp_band (kept for clients that already send them); not both.
    dc_srp: DcSrp | None = None
    dc_srp_percent: Decimal | None = None
    dc_srp_band: DcSrpBand | None = None
    rosh: Rosh | None = None
    mappa_level: int | None = None
    mappa_category: int | None = None
    registrations: tuple[str, ...] = ()
    latest_release_date: dt.date | None = None
    calculation_date: dt.date | None = None
    has_sexual_offence_history: bool | None = None


@dataclass(frozen=True, kw_only=True)
class TierV3Result:
    tool: str
    version: int
    policy_version: str
    tier: str
    provisional: bool
    explanation: tuple[Term, ...]
    notes: tuple[str, ...] = ()


def policy() -> Policy:
    return load_policy("tier_v3")


def tier_v3_check(data: TierV3Input, problems: Problems) -> None:
    pol = policy()
    check_common(problems, rsr_percent=None, mappa_level=data.mappa_level, mappa_category=data.mappa_category)
    check_registrations(
        problems,
        rosh=data.rosh,
        registrations=data.registrations,
        mappa_level=data.mappa_level,
        mappa_category=data.mappa_category,
    )
    for name in ("arp", "csrp"):
        value = getattr(data, f"{name}_percent")
        if value is not None and not Decimal(0) <= value <= Decimal(100):
            problems.add(f"{name}_percent", f"Enter the {name.upper()} as a percentage from 0 to 100")
        if value is not None and getattr(data, f"{name}_static") is None:
            problems.add(f"{name}_static", f"Say whether the {name.upper()} score is static (true) or dynamic (false)")
    if data.dc_srp is not None and (data.dc_srp_percent is not None or data.dc_srp_band is not None):
        problems.add("dc_srp", "Give the DC-SRP once: as dc_srp, or as dc_srp_percent and dc_srp_band, not both")
    score, band = dc_srp(data)
    percent_field, band_field = ("dc_srp.percent", "dc_srp.band") if data.dc_srp else ("dc_srp_percent", "dc_srp_band")
    if score is not None and not Decimal(0) <= score <= Decimal(100):
        problems.add(percent_field, "Enter the DC-SRP as a percentage from 0 to 100")
    elif score is not None and score > 0 and band is None:
        problems.add(band_field, "Enter the DC-SRP band that goes with the score")
    elif score is not None and score > 0 and band == "medium":
        lowest = min(Decimal(row["from"]) for row in pol["sexual"]["medium"])
        if score < lowest:
            problems.add(percent_field, f"A medium DC-SRP band needs a score of at least {lowest}%: check both")
    if pol["lifer"]["code"] in data.registrations and data.latest_release_date is not None:
        if data.calculation_date is None:
            problems.add("calculation_date", "Enter the calculation date: needed to tell how long ago the release was")
        elif data.latest_release_date > data.calculation_date:
            problems.add("latest_release_date", "The latest release date cannot be after the calculation date")


def dc_srp(data: TierV3Input) -> tuple[Decimal | None, DcSrpBand | None]:
    """The DC-SRP score and band, from ``dc_srp`` or the flat fields."""
    if data.dc_srp is not None:
        return data.dc_srp.percent, data.dc_srp.band
    return data.dc_srp_percent, data.dc_srp_band


def tier_v3_calculate(data: TierV3Input) -> TierV3Result:
    problems = Problems()
    tier_v3_check(data, problems)
    problems.raise_if_any()
    pol = policy()

    def result(tier: str, provisional: bool, terms: Iterable[Term], notes: Iterable[str]) -> TierV3Result:
        return TierV3Result(
            tool="tier",
            version=3,
            policy_version=pol.policy_version,
            tier=tier,
            provisional=provisional,
            explanation=tuple(terms),
            notes=tuple(notes),
        )

    if not data.supervised:
        return result(NOT_SUPERVISED, False, (), ("No active event: not supervised",))
    if data.arp_percent is None or data.csrp_percent is None:
        missing = [n for n in ("arp_percent", "csrp_percent") if getattr(data, n) is None]
        return result(MISSING, False, (), ("No predictor scores (" + ", ".join(missing) + "): tier missing",))

    notes: list[str] = []
    rosh = read_rosh(data.rosh, data.registrations)
    if rosh.from_registrations:
        notes.append(f"No rosh given: RoSH {rosh.level} taken from the {rosh.codes[0]} registration")
    reoffending = reoffending_tier(pol, data.arp_percent, data.csrp_percent)
    steps: dict[str, tuple[str | None, object]] = {
        "reoffending": (reoffending, f"ARP {data.arp_percent}%, CSRP {data.csrp_percent}%"),
        "sexual_reoffending": (_sexual(pol, data), dc_srp(data)[1]),
        "mappa_and_rosh": (
            _mappa_rosh(pol, data.mappa_category, rosh.level),
            f"MAPPA category {data.mappa_category}, RoSH {rosh.describe()}",
        ),
        "lifer_or_ipp": (_lifer(pol, data, notes), data.latest_release_date and data.latest_release_date.isoformat()),
    }
    for code, tier in pol["registrations"].items():
        steps[f"registration_{code}"] = (tier if code in data.registrations else None, code in data.registrations)
    history = pol["sexual_offence_history"]["tier"] if data.has_sexual_offence_history else None
    steps["sexual_offence_history"] = (history, data.has_sexual_offence_history)

    tiers = {name: tier for name, (tier, _) in steps.items()}
    final = highest(pol, tiers.values())
    assert final is not None  # the reoffending table always gives a tier
    terms = [
        Term(
            name,
            value if isinstance(value, str | bool | int | float) or value is None else str(value),
            None,
            tier or "",
            detail="" if tier else "no contribution",
        )
        for name, (tier, value) in steps.items()
    ]
    provisional = _provisional(pol, data, rosh.level, tiers, notes)
    return result(final, provisional, terms, notes)


def highest(pol: Policy, tiers: Iterable[str | None]) -> str | None:
    order: list[str] = pol["order"]
    present = [t for t in tiers if t]
    return min(present, key=order.index) if present else None


def at_least(pol: Policy, tier: str | None, target: str) -> bool:
    order: list[str] = pol["order"]
    return tier is not None and order.index(tier) <= order.index(target)


def reoffending_tier(pol: Policy, arp: Decimal, csrp: Decimal) -> str:
    r = pol["reoffending"]
    row = next(i for i, t in enumerate(r["csrp_rows"]) if csrp >= Decimal(t))
    column = next(i for i, t in enumerate(r["arp_columns"]) if arp >= Decimal(t))
    return str(r["table"][row][column])


def _sexual(pol: Policy, data: TierV3Input) -> str | None:
    score, band = dc_srp(data)
    if score is None or score <= 0 or band is None or band == "not_applicable":
        return None
    if band == "medium":
        return next(str(row["tier"]) for row in pol["sexual"]["medium"] if score >= Decimal(row["from"]))
    return str(pol["sexual"]["band"][band])


def _mappa_rosh(pol: Policy, mappa_category: int | None, rosh: Rosh | None) -> str | None:
    if mappa_category is not None:
        return str(pol["mappa_rosh"]["with_mappa"][rosh or "none"])
    return pol["mappa_rosh"]["without_mappa"].get(rosh or "none")


def _lifer(pol: Policy, data: TierV3Input, notes: list[str]) -> str | None:
    lifer = pol["lifer"]
    if lifer["code"] not in data.registrations:
        return None
    if data.latest_release_date is None:
        notes.append("Lifer/IPP with no release date: no lifer step")
        return None
    assert data.calculation_date is not None
    for row in lifer["released_within"]:
        if data.calculation_date < add_months(data.latest_release_date, int(row["months"])):
            return str(row["tier"])
    return str(lifer["older"])


def _provisional(
    pol: Policy, data: TierV3Input, rosh: Rosh | None, tiers: dict[str, str | None], notes: list[str]
) -> bool:
    assert data.arp_percent is not None and data.csrp_percent is not None
    others = highest(pol, [t for name, t in tiers.items() if name != "reoffending"])
    provisional = False
    if data.arp_static or data.csrp_static:
        infinity = Decimal(100)
        could_be = reoffending_tier(
            pol,
            infinity if data.arp_static else data.arp_percent,
            infinity if data.csrp_static else data.csrp_percent,
        )
        if not at_least(pol, others, could_be):
            provisional = True
            notes.append(f"Provisional: a static predictor is used and a dynamic score could give tier {could_be}")
    if rosh is None:
        dynamic = not data.arp_static and not data.csrp_static
        without_rosh = highest(
            pol, [t for name, t in tiers.items() if name != "mappa_and_rosh" and (dynamic or name != "reoffending")]
        )
        needed = pol["provisional"]["missing_rosh"][
            "with_mappa" if data.mappa_category is not None else "without_mappa"
        ]
        if not at_least(pol, without_rosh, needed):
            provisional = True
            notes.append(f"Provisional: no RoSH, and a RoSH could give tier {needed}")
    return provisional
