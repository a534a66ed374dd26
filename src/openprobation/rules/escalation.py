"""Risk escalation: which higher level of management a case may be escalated to, and what changed in its risk since
the baseline (its allocation, or the last escalation decided, whichever is later).

Pure: the escalation app reads the record into :class:`RiskPicture` values and stores what these functions say with
the request (a snapshot), so a later change to the record does not rewrite the evidence. Sources: domain notes,
rules section 2.3 (PI 57/2014: a CRC refers, without delay, a case whose RoSH may have risen to high, for NPS risk
review) and 2.5 (MAPPA levels 1-3). See docs/recall.md, "Risk escalation".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from openprobation.rules.dates import long_date
from openprobation.rules.registrations import ROSH_ORDER

# The timescale preset under which the CRC to NPS referral exists (2014-2021: Transforming Rehabilitation).
REFERRAL_PRESET = "contracts_2014"
# Grades that hold a case at probation-officer level already.
PO_GRADES = frozenset({"po", "spo"})
# Scores compared between the baseline and now: the stored calculation's headline score (percent).
SCORED_TOOLS = {"rsr": "RSR", "ogrs3": "OGRS3"}
FACTOR_WORDS = {"rosh": "RoSH", "mappa": "MAPPA", "rsr": "RSR", "ogrs3": "OGRS3", "tier": "Tier"}
ROSH_WORDS = {"low": "low", "medium": "medium", "high": "high", "very_high": "very high"}


class Target(StrEnum):
    """Where the case is asked to go."""

    PROBATION_OFFICER = "probation_officer"  # within one service: from a PSO or PQiP to a probation officer
    MAPPA_LEVEL_2 = "mappa_level_2"
    MAPPA_LEVEL_3 = "mappa_level_3"
    NPS = "nps"  # 2014-2021: the CRC to NPS risk-escalation referral


TARGET_WORDS = {
    Target.PROBATION_OFFICER: "To a probation officer",
    Target.MAPPA_LEVEL_2: "To MAPPA level 2 (active multi-agency management)",
    Target.MAPPA_LEVEL_3: "To MAPPA level 3 (senior multi-agency management)",
    Target.NPS: "CRC to NPS risk-escalation referral",
}
MAPPA_TARGETS = {Target.MAPPA_LEVEL_2: 2, Target.MAPPA_LEVEL_3: 3}
# Targets where accepting moves the case to a named probation officer (through the allocation service).
REALLOCATING_TARGETS = frozenset({Target.PROBATION_OFFICER, Target.NPS})


@dataclass(frozen=True)
class RiskPicture:
    """A case's risk as the record showed it on a day. ``mappa_level`` None: not a MAPPA case."""

    on: dt.date
    rosh: str | None = None
    mappa_level: int | None = None
    mappa_category: int | None = None
    scores: tuple[tuple[str, Decimal | None], ...] = ()  # (tool, percent) for SCORED_TOOLS
    tier: str | None = None

    def score(self, tool: str) -> Decimal | None:
        return dict(self.scores).get(tool)


@dataclass(frozen=True)
class RiskChange:
    """One risk factor at the baseline and now. ``direction``: raised, lowered, new, ended, changed or unchanged."""

    factor: str
    before: str
    now: str
    direction: str
    words: str

    @property
    def changed(self) -> bool:
        return self.direction != "unchanged"

    def as_dict(self) -> dict[str, str]:
        return {"factor": self.factor, "label": FACTOR_WORDS[self.factor], "before": self.before, "now": self.now,
                "direction": self.direction,
                "words": self.words}  # fmt: skip


def _rosh_words(level: str | None) -> str:
    return ROSH_WORDS.get(level or "", "none recorded")


def _rank(level: str | None) -> int:
    return ROSH_ORDER.index(level) if level in ROSH_ORDER else -1


def _direction(before: int | Decimal | None, now: int | Decimal | None) -> str:
    if before == now:
        return "unchanged"
    if before is None:
        return "new"
    if now is None:
        return "ended"
    return "raised" if now > before else "lowered"


def _mappa_words(level: int | None, category: int | None) -> str:
    if level is None:
        return "not a MAPPA case"
    return f"level {level or 'not recorded'}, category {category or 'not recorded'}"


def _percent(value: Decimal | None) -> str:
    return "not calculated" if value is None else f"{value:.2f}%"


def risk_changes(before: RiskPicture, now: RiskPicture, *, since: str) -> list[RiskChange]:
    """Each factor at the baseline (``since`` says what that was, e.g. "allocation on 5 January 2026") and now:
    RoSH, MAPPA level, RSR and OGRS3 scores, and tier. Every factor is listed; ``changed`` says which moved."""
    changes = []
    rosh = "unchanged" if before.rosh == now.rosh else _direction(
        _rank(before.rosh) if before.rosh else None, _rank(now.rosh) if now.rosh else None)  # fmt: skip
    changes.append(RiskChange("rosh", _rosh_words(before.rosh), _rosh_words(now.rosh), rosh,
                              f"RoSH {_rosh_words(now.rosh)} (at {since}: {_rosh_words(before.rosh)})"))  # fmt: skip
    mappa = _direction(before.mappa_level, now.mappa_level)
    if mappa == "unchanged" and before.mappa_category != now.mappa_category:
        mappa = "changed"
    changes.append(RiskChange(
        "mappa", _mappa_words(before.mappa_level, before.mappa_category),
        _mappa_words(now.mappa_level, now.mappa_category), mappa,
        f"MAPPA {_mappa_words(now.mappa_level, now.mappa_category)} (at {since}: "
        f"{_mappa_words(before.mappa_level, before.mappa_category)})"))  # fmt: skip
    for tool, name in SCORED_TOOLS.items():
        was, is_now = before.score(tool), now.score(tool)
        direction = _direction(was, is_now)
        moved = ""
        if was is not None and is_now is not None and was != is_now:
            moved = f", {'up' if is_now > was else 'down'} {abs(is_now - was):.2f} points"
        changes.append(RiskChange(tool, _percent(was), _percent(is_now), direction,
                                  f"{name} {_percent(is_now)} (at {since}: {_percent(was)}{moved})"))  # fmt: skip
    tier = "unchanged" if before.tier == now.tier else ("new" if not before.tier else
                                                        "ended" if not now.tier else "changed")  # fmt: skip
    changes.append(RiskChange("tier", before.tier or "not calculated", now.tier or "not calculated", tier,
                              f"Tier {now.tier or 'not calculated'} (at {since}: {before.tier or 'not calculated'})"))
    return changes


def baseline_words(kind: str, on: dt.date) -> str:
    """"allocation on 5 January 2026" or "the last escalation on 3 March 2026"."""
    return f"{'the last escalation' if kind == 'escalation' else 'allocation'} on {long_date(on)}"


def target_problem(target: str, *, now: RiskPicture, holder_grade: str | None, preset: str) -> str | None:
    """Why a case cannot be escalated to ``target`` (None when it can): a target it is already at (a case held by a
    probation officer; a MAPPA level it is at or above), or the CRC to NPS referral outside the 2014-2021 preset."""
    if target not in {t.value for t in Target}:
        return "Choose where the case is to be escalated to"
    if target == Target.PROBATION_OFFICER and holder_grade in PO_GRADES:
        return "The case is already held by a probation officer: choose a MAPPA level, or do not escalate"
    if target in MAPPA_TARGETS and now.mappa_level is not None and now.mappa_level >= MAPPA_TARGETS[Target(target)]:
        return f"The case is already managed at MAPPA level {now.mappa_level}: it cannot be escalated to that level"
    if target == Target.NPS and preset != REFERRAL_PRESET:
        return ("The CRC to NPS referral belongs to the 2014-2021 contracts; under the timescales in force, escalate "
                "to a probation officer or a MAPPA level")
    return None


def targets_allowed(*, now: RiskPicture, holder_grade: str | None, preset: str) -> list[Target]:
    """The targets :func:`target_problem` allows, in order (for pages to offer only what can succeed)."""
    return [t for t in Target if target_problem(t, now=now, holder_grade=holder_grade, preset=preset) is None]
