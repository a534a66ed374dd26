"""A breach from awareness to its outcome at court: the order of its steps, what each step needs before it may be
recorded, and the pre-submission check of the breach report.

Pure: no Django, no clock (dates are arguments). The steps are those the inspectors asked to see time-stamped
(domain notes, enforcement and recall section 1.5 and 1.6; rules section 3.3-3.4): the breach becomes known
(awareness), the decision to breach, the report drafted, checked, approved by a senior probation officer (SPO), sent
to court, presented, and the outcome. On the 2014-2021 preset a breach found by a community rehabilitation company
(CRC) is referred to the National Probation Service (NPS), which presents it within 2 working days of accepting the
referral (NPS SL015): that acceptance is a step too, when there was a referral.

The report's contents follow the breach pack the MoJ built for community and suspended orders (domain notes section
1.5, ``hmpps-breach-report-co-sso-api`` @f5d3b92a, ``model/Cosso.kt`` and its guidance): each failure with its date,
how the person was told of the requirements and of what failing would mean, the reasons they gave and why they were
not accepted, warnings given, compliance to date, risk history and a proportionate proposal. The check is
:func:`report_problems`: required sections present, dates consistent, every failure cited on the record and judged
unacceptable, and the spelling problems the caller found in the author's prose (the spell-check reads a dictionary,
so the caller runs it and passes the problems in). See docs/enforcement.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from openprobation.rules.dates import long_date


class Step(StrEnum):
    """A breach's steps, in order. ``REFERRAL_ACCEPTED`` happens only on a breach referred by a CRC (2014-2021)."""

    AWARE = "aware"
    DECIDED = "decided"
    REFERRAL_ACCEPTED = "referral_accepted"
    REPORT_DRAFTED = "report_drafted"
    REPORT_CHECKED = "report_checked"
    APPROVED = "approved"
    SENT = "sent"
    PRESENTED = "presented"
    OUTCOME = "outcome"


STEP_WORDS = {
    Step.AWARE: "Breach became known",
    Step.DECIDED: "Decision to breach",
    Step.REFERRAL_ACCEPTED: "Referral accepted by the NPS",
    Step.REPORT_DRAFTED: "Breach report drafted",
    Step.REPORT_CHECKED: "Breach report checked",
    Step.APPROVED: "Approved by the senior probation officer",
    Step.SENT: "Sent to court",
    Step.PRESENTED: "Presented at court",
    Step.OUTCOME: "Outcome recorded",
}


class Outcome(StrEnum):
    """What the court did with the breach (its end: the compliance count starts again from the day after)."""

    ORDER_CONTINUED = "order_continued"  # with a fine or more onerous requirements
    ORDER_AMENDED = "order_amended"
    REVOKED_RESENTENCED = "revoked_resentenced"
    CUSTODY_ACTIVATED = "custody_activated"  # a suspended sentence order's custody activated
    NOT_PROVEN = "not_proven"
    WITHDRAWN = "withdrawn"


OUTCOME_WORDS = {
    Outcome.ORDER_CONTINUED: "Breach proven: order continued (fine or more onerous requirements)",
    Outcome.ORDER_AMENDED: "Breach proven: order amended",
    Outcome.REVOKED_RESENTENCED: "Breach proven: order revoked and re-sentenced",
    Outcome.CUSTODY_ACTIVATED: "Breach proven: suspended custody activated",
    Outcome.NOT_PROVEN: "Breach not proven",
    Outcome.WITHDRAWN: "Breach withdrawn",
}


@dataclass(frozen=True)
class BreachState:
    """What a breach has recorded so far, as the transition rules need it. ``steps`` holds the day of each step
    recorded; ``report_version`` is the draft's version (0 with no draft), ``checked_version`` the version the
    latest check ran on (0 for none) and ``check_passed`` its result."""

    steps: Mapping[Step, dt.date] = field(default_factory=dict)
    report_version: int = 0
    checked_version: int = 0
    check_passed: bool = False
    referral_open: bool = False  # a CRC's referral to the NPS is awaiting acceptance


def _done(state: BreachState, step: Step) -> str | None:
    on = state.steps.get(step)
    if on is None:
        return None
    return f"{STEP_WORDS[step]} already recorded on {long_date(on)}: nothing was changed"


def transition_problems(
    state: BreachState, step: Step, *, on: dt.date, today: dt.date, override_reason: str = "",
    withdrawn: bool = False,
) -> list[tuple[str, str]]:
    """The (field, message) problems with recording ``step`` on ``on``; none when it may be recorded. A step is
    recorded once, after the step it follows, on a day not before that step nor after today; the report can change
    until it is approved; approval needs a check of the report as it stands that passed, or a reason for overriding
    a failed check; it is sent only once approved, presented only once sent, and its outcome recorded only once
    presented (a breach may be ``withdrawn`` at any point)."""
    ended = state.steps.get(Step.OUTCOME)
    if ended is not None:
        return [("status", f"This breach ended on {long_date(ended)} (its outcome is recorded): nothing was changed")]
    if on > today:
        return [("on", "The date must be today or in the past")]
    problems: list[tuple[str, str]] = []
    approved = state.steps.get(Step.APPROVED)
    if step in (Step.REPORT_DRAFTED, Step.REPORT_CHECKED) and approved is not None:
        return [("status", f"The report was approved on {long_date(approved)}: it can no longer be changed")]
    if step is Step.REPORT_CHECKED and state.report_version == 0:
        return [("status", "There is no report to check yet: save a draft first")]
    if step is Step.REFERRAL_ACCEPTED:
        already = _done(state, step)
        if already:
            return [("status", already)]
        if not state.referral_open:
            return [("status", "There is no breach referral from a community rehabilitation company awaiting "
                               "acceptance on this case")]  # fmt: skip
    if step is Step.APPROVED:
        already = _done(state, step)
        if already:
            return [("status", already)]
        if state.report_version == 0:
            return [("status", "There is no report to approve yet")]
        if state.checked_version != state.report_version:
            return [("status", "The report has changed since it was last checked (or was never checked): run the "
                               "check on the report as it stands before approving it")]  # fmt: skip
        if not state.check_passed and not override_reason.strip():
            problems.append(("override_reason", "The report did not pass its check: approve it only with a reason "
                                                "for overriding the check, or send it back to the author"))  # fmt: skip
    if step is Step.SENT:
        already = _done(state, step)
        if already:
            return [("status", already)]
        if approved is None:
            return [("status", "The report must be approved by a senior probation officer before it is sent")]
    if step is Step.PRESENTED:
        already = _done(state, step)
        if already:
            return [("status", already)]
        if Step.SENT not in state.steps:
            return [("status", "The breach must be sent to court before it is presented")]
    if step is Step.OUTCOME and Step.PRESENTED not in state.steps and not withdrawn:
        return [("status", "The breach must be presented at court before its outcome is recorded")]
    after = _previous_on(state, step)
    if after is not None and on < after[1]:
        problems.append(("on", f"The date must be on or after the step before it ({STEP_WORDS[after[0]].lower()}, "
                               f"{long_date(after[1])})"))  # fmt: skip
    return problems


def outcome_problems(state: BreachState, outcome: str, *, on: dt.date, today: dt.date) -> list[tuple[str, str]]:
    """The problems with recording the breach's outcome: one of :class:`Outcome`; a breach may be withdrawn at any
    point (the case manager's or the court's decision), any other outcome follows its presentation at court."""
    if outcome not in {o.value for o in Outcome}:
        return [("outcome", f"Choose the outcome: one of {', '.join(o.value for o in Outcome)}")]
    return transition_problems(state, Step.OUTCOME, on=on, today=today, withdrawn=outcome == Outcome.WITHDRAWN)


def _previous_on(state: BreachState, step: Step) -> tuple[Step, dt.date] | None:
    """The latest step recorded before ``step`` in the order, with its day."""
    order = list(Step)
    earlier = [(s, state.steps[s]) for s in order[: order.index(step)] if s in state.steps]
    return earlier[-1] if earlier else None


# ---- the breach report ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    hint: str


# The sections the author writes; the rest of the report (the person, the order and its requirements, each failure
# with its date and the decision's reasons, warnings given, RoSH history) is filled from the record.
SECTIONS = (
    Section("how_told", "How the person was told",
            "When and how the requirements and the consequences of failing to comply were explained (the induction), "
            "and how they were told of each failure and warning"),
    Section("reasons", "The reasons given and why they were not accepted",
            "What the person said about each failure, and why it was not accepted as a reason"),
    Section("steps_taken", "Steps taken to prevent the breach",
            "Letters, re-engagement, changes to appointments, diversity factors considered"),
    Section("compliance_to_date", "Compliance to date",
            "Appointments kept, progress on the requirements, what has gone well"),
    Section("risk_history", "Risk history",
            "Risk of serious harm at sentence and now, and what has changed"),
    Section("proposal", "Proposal",
            "A proportionate proposal to the court, and why"),
)  # fmt: skip
SECTION_KEYS = tuple(s.key for s in SECTIONS)
SECTION_TITLES = {s.key: s.title for s in SECTIONS}
CITED = "cited"  # the section of the check's problems about the failures cited
DATES = "dates"


@dataclass(frozen=True)
class FailureFacts:
    """A decision on a failure to comply, as the report check sees it."""

    decision_id: int
    failed_on: dt.date
    decided: bool
    acceptable: bool | None
    action: str = ""


@dataclass(frozen=True)
class ReportFacts:
    report_date: dt.date
    aware_on: dt.date
    decided_on: dt.date
    sentence_date: dt.date | None
    sections: Mapping[str, str]
    cited: Sequence[int]
    failures: Mapping[int, FailureFacts]  # every decision on the case, by id
    warnings_on: Sequence[dt.date] = ()


@dataclass(frozen=True)
class ReportProblem:
    section: str  # a SECTION_KEYS key, CITED or DATES
    message: str


def report_problems(facts: ReportFacts, spelling: Mapping[str, Sequence[str]] | None = None) -> list[ReportProblem]:
    """What stops the report being approved as it stands, section by section: a required section empty; no failure
    cited, or one cited that is not on the record, not decided yet, or not judged unacceptable; dates out of order
    (a failure before the sentence or after the report, the breach decided before it became known or after the
    report); and each spelling problem ``spelling`` lists for a section (the messages of the spell-check)."""
    problems: list[ReportProblem] = []
    for section in SECTIONS:
        if not facts.sections.get(section.key, "").strip():
            problems.append(ReportProblem(section.key, f"Write the section “{section.title}”"))
    problems.extend(_cited_problems(facts))
    problems.extend(_date_problems(facts))
    for key in SECTION_KEYS:
        for message in (spelling or {}).get(key, ()):
            problems.append(ReportProblem(key, f"{SECTION_TITLES[key]}: {message}"))
    return problems


def _cited_problems(facts: ReportFacts) -> list[ReportProblem]:
    if not facts.cited:
        return [ReportProblem(CITED, "Cite at least one failure to comply that was judged unacceptable")]
    problems = []
    for decision_id in dict.fromkeys(facts.cited):
        failure = facts.failures.get(decision_id)
        if failure is None:
            problems.append(ReportProblem(CITED, f"Failure {decision_id} is cited but is not on this case's record"))
        elif not failure.decided:
            problems.append(ReportProblem(CITED, f"The failure to comply on {long_date(failure.failed_on)} is cited "
                                                 "but has not been decided yet"))  # fmt: skip
        elif failure.acceptable:
            problems.append(ReportProblem(CITED, f"The failure to comply on {long_date(failure.failed_on)} was judged "
                                                 "acceptable, so it cannot be cited as a breach"))  # fmt: skip
    return problems


def _date_problems(facts: ReportFacts) -> list[ReportProblem]:
    problems = []
    if facts.decided_on < facts.aware_on:
        problems.append(ReportProblem(DATES, f"The breach was decided ({long_date(facts.decided_on)}) before it became "
                                             f"known ({long_date(facts.aware_on)})"))  # fmt: skip
    if facts.report_date < facts.decided_on:
        problems.append(ReportProblem(DATES, f"The report is dated {long_date(facts.report_date)}, before the decision "
                                             f"to breach ({long_date(facts.decided_on)})"))  # fmt: skip
    for decision_id in dict.fromkeys(facts.cited):
        failure = facts.failures.get(decision_id)
        if failure is None:
            continue
        if facts.sentence_date is not None and failure.failed_on < facts.sentence_date:
            problems.append(ReportProblem(DATES, f"The failure to comply on {long_date(failure.failed_on)} is before "
                                                 f"the sentence ({long_date(facts.sentence_date)})"))  # fmt: skip
        if failure.failed_on > facts.report_date:
            problems.append(ReportProblem(DATES, f"The failure to comply on {long_date(failure.failed_on)} is after "
                                                 f"the report's date ({long_date(facts.report_date)})"))  # fmt: skip
    for warned_on in facts.warnings_on:
        if warned_on > facts.report_date:
            problems.append(ReportProblem(DATES, f"A warning is dated {long_date(warned_on)}, after the report's date"))
    return problems
