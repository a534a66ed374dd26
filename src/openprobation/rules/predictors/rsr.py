"""RSR: Risk of Serious Recidivism (legacy OASys), the sum of SNSV, OSP/DC and OSP/IIC.

Rule: ``policy/rsr.toml`` (read from ministryofjustice/hmpps-arns-risk-actuarial-api at commit 52792f4).

    RSR% = half-up 2 dp of (SNSV% + OSP/DC% + OSP/IIC% + 0.383141762 for a woman with a sexual history),
           then <= 0 -> 0 and >= 100 -> 99.99; bands < 3 low, [3, 6.9) medium, >= 6.9 high.

An invalid component input makes the whole RSR invalid (every problem is reported); missing dynamic SNSV inputs
only make SNSV static, and the result says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from openprobation.rules.ops import SCALAR, Ops
from openprobation.rules.predictors.base import Policy, Problems, Term, load_policy
from openprobation.rules.predictors.osp import (
    OspDcInput,
    OspDcResult,
    OspIicResult,
    osp_dc_check,
    osp_dc_score,
    osp_iic_score,
)
from openprobation.rules.predictors.snsv import SnsvInput, SnsvResult, snsv_check, snsv_score

TOOL = "rsr"


@dataclass(frozen=True, kw_only=True)
class RsrInput(SnsvInput, OspDcInput):
    """Everything SNSV, OSP/DC and OSP/IIC need (the shared fields once)."""


@dataclass(frozen=True, kw_only=True)
class RsrResult:
    tool: str
    policy_version: str
    percent: Decimal
    band: str
    snsv_percent: Decimal
    osp_dc_percent: Decimal
    osp_iic_percent: Decimal
    snsv_model: str
    snsv: SnsvResult
    osp_dc: OspDcResult
    osp_iic: OspIicResult
    explanation: tuple[Term, ...]
    notes: tuple[str, ...] = ()


def policy() -> Policy:
    return load_policy(TOOL)


def rsr_calculate(data: RsrInput) -> RsrResult:
    problems = Problems()
    ages, model = snsv_check(data, problems)
    osp_dc_check(data, problems)
    problems.raise_if_any()
    assert ages is not None
    snsv = snsv_score(data, ages, model)
    dc = osp_dc_score(data)
    iic = osp_iic_score(data)
    return combine(
        snsv, dc, iic, female_with_sexual_history=data.gender == "female" and data.has_sexual_offence_history
    )


NANO = 10**9  # the women's constant is given to 9 decimal places of a percent


def rsr_formula(o: Ops, *, snsv: Any, osp_dc: Any, osp_iic: Any, female_with_sexual_history: Any) -> dict[str, Any]:
    """RSR from its components' percents in whole hundredths: the sum before the limits and the percent after
    them, both in whole hundredths, and the band."""
    pol = policy()
    constant = int(pol.decimal("female_sexual_history_percent") * NANO)
    nanos = (snsv + osp_dc + osp_iic) * (NANO // 100) + o.where(female_with_sexual_history, constant, 0)
    raw = (nanos + NANO // 200) // (NANO // 100)  # half-up to hundredths (every part is 0 or more)
    low, high_at, high = (int(pol.decimal(k) * 100) for k in ("clamp_low", "clamp_high_at", "clamp_high"))
    hundredths = o.where(raw <= low, low, o.where(raw >= high_at, high, raw))
    return {"raw": raw, "hundredths": hundredths, "band": o.band(hundredths, pol["bands"], scale=100)}


def _percent(hundredths: int) -> Decimal:
    return (Decimal(hundredths) / 100).quantize(Decimal("0.01"))


def _hundredths(percent: Decimal) -> int:
    return int(percent * 100)


def combine(snsv: SnsvResult, dc: OspDcResult, iic: OspIicResult, *, female_with_sexual_history: bool) -> RsrResult:
    pol = policy()
    constant = pol.decimal("female_sexual_history_percent") if female_with_sexual_history else Decimal(0)
    terms = (
        Term("snsv_percent", snsv.model, None, float(snsv.percent), detail=f"SNSV ({snsv.model} model)"),
        Term("osp_dc_percent", dc.band, None, float(dc.percent), detail=f"OSP/DC, {dc.points} points"),
        Term("osp_iic_percent", iic.band, None, float(iic.percent), detail=f"OSP/IIC rule {iic.rule}"),
        Term(
            "female_sexual_history",
            female_with_sexual_history,
            pol.text("female_sexual_history_percent"),
            float(constant),
            detail="added for a woman with a sexual-offence history",
        ),
    )
    f = rsr_formula(
        SCALAR,
        snsv=_hundredths(snsv.percent),
        osp_dc=_hundredths(dc.percent),
        osp_iic=_hundredths(iic.percent),
        female_with_sexual_history=female_with_sexual_history,
    )
    notes = [*snsv.notes, *dc.notes, *iic.notes]
    percent = _percent(f["hundredths"])
    if f["raw"] >= int(pol.decimal("clamp_high_at") * 100):
        notes.append(f"RSR of {_percent(f['raw'])}% limited to {percent}%")
    return RsrResult(
        tool=TOOL,
        policy_version=pol.policy_version,
        percent=percent,
        band=f["band"],
        snsv_percent=snsv.percent,
        osp_dc_percent=dc.percent,
        osp_iic_percent=iic.percent,
        snsv_model=snsv.model,
        snsv=snsv,
        osp_dc=dc,
        osp_iic=iic,
        explanation=terms,
        notes=tuple(notes),
    )
