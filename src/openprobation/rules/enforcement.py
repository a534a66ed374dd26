"""Enforcement of failures to comply: which enforcement actions a decision may record, when the policy calls for a
breach rather than another warning, the period over which failures to comply are counted, and the words of the
compliance summary.

Pure: no Django, no clock (dates are arguments). The number of warnings before breach and the counting period are
policy data (``policy/enforcement.toml``, with its sources and what is unverified). The facts are in OpenProbation's
domain notes (enforcement and recall, section 1; rules section 3.4): a failure to comply is an appointment attended
without complying or an unacceptable absence (MoJ Manage People on Probation counts exactly these); deciding it
acceptable takes no enforcement action; unacceptable, a warning letter (first, second or final) or a breach of the
order (on licence, recall initiated: NDelius records both as "breach/recall initiated"); the first unacceptable
failure in the period is warned and the next breached unless the policy says otherwise, and a practitioner may
breach at once on professional judgement. See docs/enforcement.md.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources

from openprobation.rules.dates import add_months


class Action(StrEnum):
    """What a decision on a failure to comply does."""

    NO_FURTHER_ACTION = "no_further_action"
    WARNING = "warning"
    BREACH = "breach"  # breach of the order; on licence, recall initiated


class WarningType(StrEnum):
    FIRST = "first"
    SECOND = "second"
    FINAL = "final"


# The contact outcomes that are failures to comply (the names used by the case record).
FAILURE_OUTCOMES = frozenset({"attended_failed_to_comply", "failed_to_attend_unacceptable"})
# Possible failures to comply found in what is reported rather than in an appointment's outcome, decided the same
# way: a relationship reported by someone else on a licence with a condition to disclose developing relationships
# (docs/signals.md, "Prompts"). Judged acceptable when it was disclosed after all.
POSSIBLE_FAILURES = {
    "undisclosed_relationship": "a relationship reported by someone else, on a licence with a condition to "
    "disclose developing relationships",
}


@dataclass(frozen=True)
class EnforcementPolicy:
    policy_version: str
    effective_from: dt.date
    warnings_before_breach: int
    period_months: int
    unverified: tuple[str, ...]


def parse_policy(table: dict[str, object]) -> EnforcementPolicy:
    warnings = table["warnings_before_breach"]
    months = table["period_months"]
    if not isinstance(warnings, int) or isinstance(warnings, bool) or warnings < 0:
        raise ValueError("warnings_before_breach must be a whole number, 0 or more")
    if not isinstance(months, int) or isinstance(months, bool) or months < 1:
        raise ValueError("period_months must be a whole number of months, 1 or more")
    unverified = table.get("unverified", [])
    assert isinstance(unverified, list)
    effective_from = table["effective_from"]
    assert isinstance(effective_from, dt.date)
    return EnforcementPolicy(
        policy_version=str(table["policy_version"]),
        effective_from=effective_from,
        warnings_before_breach=warnings,
        period_months=months,
        unverified=tuple(str(u["value"]) for u in unverified),
    )


@cache
def enforcement_policy() -> EnforcementPolicy:
    text = resources.files(__package__).joinpath("policy/enforcement.toml").read_text(encoding="utf-8")
    return parse_policy(tomllib.loads(text))


# ---- what a decision may record -----------------------------------------------------------------------------------


def actions_allowed(outcome: str, acceptable: bool) -> tuple[Action, ...]:
    """The actions a decision on a failure with this ``outcome`` may record: none for an outcome that is not a failure
    to comply; no further action when it is judged acceptable; a warning or a breach when unacceptable."""
    if outcome not in FAILURE_OUTCOMES and outcome not in POSSIBLE_FAILURES:
        return ()
    if acceptable:
        return (Action.NO_FURTHER_ACTION,)
    return (Action.WARNING, Action.BREACH)


@dataclass(frozen=True)
class WarningOrBreach:
    """What the policy allows for an unacceptable failure, given the warnings already given in the period."""

    warnings_given: int
    breach_required: bool
    warnings_allowed: tuple[WarningType, ...]


def warning_or_breach(warnings_given: int, policy: EnforcementPolicy) -> WarningOrBreach:
    """With fewer warnings in the period than the policy allows before breach, a warning may be given (the first,
    the second, or a final warning at any point) or the failure breached on judgement; once the warnings allowed have
    been given, the failure is breached."""
    if warnings_given >= policy.warnings_before_breach:
        return WarningOrBreach(warnings_given, True, ())
    ordinal = (WarningType.FIRST,) if warnings_given == 0 else (WarningType.SECOND,) if warnings_given == 1 else ()
    return WarningOrBreach(warnings_given, False, (*ordinal, WarningType.FINAL))


def decision_problems(
    *,
    outcome: str,
    acceptable: bool,
    action: str,
    warning_type: str | None,
    warnings_given: int,
    policy: EnforcementPolicy,
) -> list[tuple[str, str]]:
    """The (field, message) problems with a decision; none when it may be recorded."""
    allowed = actions_allowed(outcome, acceptable)
    if not allowed:
        return [("outcome", "This contact's outcome is not a failure to comply, so there is nothing to decide")]
    if action not in allowed:
        words = " or ".join(ACTION_WORDS[a] for a in allowed)
        judged = "acceptable" if acceptable else "unacceptable"
        return [("action", f"A failure judged {judged} allows {words}")]
    problems: list[tuple[str, str]] = []
    if action == Action.WARNING:
        rule = warning_or_breach(warnings_given, policy)
        if rule.breach_required:
            problems.append(("action", f"{plural(warnings_given, 'warning')} already given since the period began: "
                                       "under the policy this failure is breached, not warned"))
        elif warning_type not in rule.warnings_allowed:
            words = " or ".join(WARNING_WORDS[w] for w in rule.warnings_allowed)
            problems.append(("warning_type", f"Choose {words} ({plural(warnings_given, 'warning')} given so far)"))
    elif warning_type:
        problems.append(("warning_type", "Only a warning has a warning type"))
    return problems


ACTION_WORDS = {Action.NO_FURTHER_ACTION: "no further action", Action.WARNING: "a warning",
                Action.BREACH: "a breach (or, on licence, recall initiated)"}  # fmt: skip
WARNING_WORDS = {WarningType.FIRST: "a first warning", WarningType.SECOND: "a second warning",
                 WarningType.FINAL: "a final warning"}  # fmt: skip


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


# ---- the compliance summary ---------------------------------------------------------------------------------------


def counted_from(
    today: dt.date,
    policy: EnforcementPolicy,
    *,
    sentence_start: dt.date | None,
    referral: dt.date | None,
    last_breach_end: dt.date | None,
) -> dt.date:
    """The first day on which failures to comply (and warnings) count: the latest of the start of the period
    (``period_months`` before today), the sentence start, the referral and the end of the last breach."""
    period_start = add_months(today, -policy.period_months)
    return max(d for d in (period_start, sentence_start, referral, last_breach_end) if d is not None)


@dataclass(frozen=True)
class ComplianceBanner:
    text: str
    colour: str  # a GOV.UK tag colour: "red", "green" or "grey"


def compliance_banner(failures: int, breach_in_progress: bool) -> ComplianceBanner:
    """The summary line (MoJ Manage People on Probation, getComplianceStatus): a breach in progress whatever the
    count; otherwise none, one, or several failures to comply within the period."""
    if breach_in_progress:
        return ComplianceBanner("Breach in progress", "red")
    if failures == 0:
        return ComplianceBanner("No failures to comply within 12 months", "green")
    if failures == 1:
        return ComplianceBanner("1 failure to comply within 12 months", "grey")
    return ComplianceBanner(f"{failures} failures to comply within 12 months. No breach in progress yet.", "red")
