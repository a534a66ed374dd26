"""Case audits: the standards, key questions and prompts an auditor works through, the sample of cases to audit, and
the evidence from the record put beside each prompt.

- :func:`case_audit_policy` reads policy/case_audit.toml: the four case-supervision standards, each with its three
  key questions (engagement, desistance, keeping other people safe) and the prompts under them, each prompt naming
  the evidence keys whose findings are shown beside it;
- :func:`draw_sample` draws a stratified random sample (by team and RoSH level), reproducible from its seed;
- :func:`evidence` answers each evidence key from a snapshot of the case (:class:`CaseFacts`): what it found and
  where in the record. The auditor judges; the evidence only puts the facts in front of them.

The key questions' rating rules are rules/ratings.py's.
"""

from __future__ import annotations

import datetime as dt
import random
import tomllib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

from openprobation.rules.dates import long_date
from openprobation.rules.ratings import KEY_QUESTIONS

CASE_STANDARDS = ("assessment", "planning", "implementation_and_delivery", "reviewing")


@dataclass(frozen=True)
class Prompt:
    standard: str
    key_question: str
    text: str
    evidence: tuple[str, ...]
    source: str
    verified: bool


@dataclass(frozen=True)
class CaseAuditPolicy:
    policy_version: str
    standard_titles: dict[str, str]
    questions: dict[tuple[str, str], str]  # (standard, key question) -> the question
    prompts: tuple[Prompt, ...]
    largest_sample: int
    unverified: tuple[str, ...]

    def prompts_for(self, standard: str, key_question: str) -> list[Prompt]:
        return [p for p in self.prompts if p.standard == standard and p.key_question == key_question]


@cache
def case_audit_policy() -> CaseAuditPolicy:
    raw = tomllib.loads(resources.files(__package__).joinpath("policy/case_audit.toml").read_text(encoding="utf-8"))
    sources = raw["sources"]
    titles = {name: raw["standards"][name]["title"] for name in CASE_STANDARDS}
    questions = {(s, q): raw["standards"][s][q] for s in CASE_STANDARDS for q in KEY_QUESTIONS}
    prompts = tuple(
        Prompt(
            p["standard"],
            p["key_question"],
            p["text"],
            tuple(p["evidence"]),
            p["source"],
            sources[p["source"]]["evidence"] == "V",
        )
        for p in raw["prompts"]
    )
    for p in prompts:
        assert p.standard in CASE_STANDARDS and p.key_question in KEY_QUESTIONS, p
        assert all(key in EVIDENCE_KEYS for key in p.evidence), p
    unverified = [f"key questions: {raw['key_question_wording']['note']}"]
    unverified += [
        f"prompt ({p.standard}, {p.key_question}): {sources[p.source]['title']}" for p in prompts if not p.verified
    ]
    return CaseAuditPolicy(
        policy_version=raw["policy_version"],
        standard_titles=titles,
        questions=questions,
        prompts=prompts,
        largest_sample=int(raw["sample"]["largest"]),
        unverified=tuple(unverified),
    )


# ---- the sample ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SampleCase:
    crn: str
    team: str  # team code
    rosh: str  # RoSH level at the draw, "" when none


def draw_sample(cases: Sequence[SampleCase], size: int, seed: int) -> list[SampleCase]:
    """A stratified random sample of ``size`` cases (all of them when there are fewer), reproducible from ``seed``.

    The strata are the (team, RoSH level) pairs. Each stratum gets its share of the sample in proportion to its
    cases (largest remainder; ties to the larger stratum, then the stratum's name), so every stratum of
    sufficient size is represented as it is in the population; within a stratum the cases are chosen at random
    from the cases in CRN order. The same cases, size and seed give the same sample, whatever order the cases come
    in. The result is in CRN order."""
    population = sorted(cases, key=lambda c: c.crn)
    if size >= len(population):
        return population
    strata: dict[tuple[str, str], list[SampleCase]] = defaultdict(list)
    for case in population:
        strata[(case.team, case.rosh)].append(case)
    total = len(population)
    quotas = {key: size * len(members) // total for key, members in strata.items()}
    remainders = sorted(strata, key=lambda k: (-(size * len(strata[k]) % total), -len(strata[k]), k))
    for key in remainders[: size - sum(quotas.values())]:
        quotas[key] += 1
    rng = random.Random(seed)
    chosen: list[SampleCase] = []
    for key in sorted(strata):
        chosen += rng.sample(strata[key], quotas[key])
    return sorted(chosen, key=lambda c: c.crn)


# ---- the evidence ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemFact:
    """A work item: what the case owed, by when, and whether it was done."""

    id: int
    kind: str
    label: str
    status: str  # open, done, cancelled
    due_date: dt.date
    closed_on: dt.date | None
    reason: str
    cancel_reason: str = ""


@dataclass(frozen=True)
class CheckFact:
    """A safeguarding enquiry with another agency."""

    id: int
    agency: str  # police_da, childrens_services, other
    status: str  # awaiting_response, response_received, used_in_assessment, closed
    requested_on: dt.date
    due_by: dt.date
    response_received_on: dt.date | None
    used_in: int | None  # the RoSH assessment it was used in
    subject: str  # whom it was about ("" for the person on probation)


@dataclass(frozen=True)
class AssessmentFact:
    id: int
    kind: str  # screening, full_analysis, review
    status: str  # draft, complete
    completed_on: dt.date | None


@dataclass(frozen=True)
class ContactFact:
    id: int
    type: str
    on: dt.date
    outcome: str


@dataclass(frozen=True)
class CaseFacts:
    """What the record says about one case, as the evidence rules need it."""

    today: dt.date
    first_allocated_on: dt.date | None
    items: tuple[ItemFact, ...] = ()
    checks: tuple[CheckFact, ...] = ()
    assessments: tuple[AssessmentFact, ...] = ()
    home_visit_contacts: tuple[ContactFact, ...] = ()


Status = Literal["met", "not_met", "open", "none"]


@dataclass(frozen=True)
class EvidenceLine:
    key: str
    status: Status  # met: done as required; not_met: late, missing or not used; open: not yet due; none: nothing
    finding: str
    where: str  # where in the record ("" when the finding is that nothing is recorded)


# Evidence keys answered from the case's work items of the same kind; the others have their own rule below.
ITEM_KEYS = (
    "first_appointment",
    "rosh_screening",
    "rosh_full_analysis",
    "sentence_plan",
    "risk_management_plan",
    "monthly_contact",
    "non_attendance_follow_up",
    "enforcement_decision",
    "breach_to_court",
    "home_visit",
    "reporting_change_countersign",
    "rosh_review",
)
CHECK_KEYS = {"police_da_check": "police_da", "childrens_services_check": "childrens_services"}
CHECK_WORDS = {"police_da": "Police domestic abuse check", "childrens_services": "Children's services check"}
EVIDENCE_KEYS = frozenset({*ITEM_KEYS, *CHECK_KEYS, "rosh_screening_before_allocation", "home_visit_contacts"})
NOTHING = {
    "first_appointment": "No first appointment was due on the record",
    "rosh_screening": "No RoSH screening was due on the record",
    "rosh_full_analysis": "No full RoSH analysis was due (no screening indicated risk)",
    "sentence_plan": "No sentence plan was due on the record",
    "risk_management_plan": "No risk management plan was due (no screening indicated risk)",
    "monthly_contact": "No monthly contact was due on the record",
    "non_attendance_follow_up": "No missed appointment needed following up",
    "enforcement_decision": "No failure to comply awaited a decision",
    "breach_to_court": "No breach went to court",
    "home_visit": "No home visit was required (RoSH high or child protection)",
    "reporting_change_countersign": "No reduction in reporting was asked for",
    "rosh_review": "No change on the record called for a RoSH review",
}


def _days(n: int) -> str:
    return f"{n} day{'' if n == 1 else 's'}"


def _item_line(key: str, item: ItemFact, today: dt.date) -> EvidenceLine:
    where = f"work item {item.id}: {item.reason}" if item.reason else f"work item {item.id}"
    due = long_date(item.due_date)
    if item.status == "done" and item.closed_on is not None:
        late = (item.closed_on - item.due_date).days
        if late <= 0:
            return EvidenceLine(
                key, "met", f"{item.label}: done {long_date(item.closed_on)}, in time (due {due})", where
            )
        return EvidenceLine(
            key, "not_met", f"{item.label}: done {long_date(item.closed_on)}, {_days(late)} late (due {due})", where
        )
    if item.status == "cancelled":
        return EvidenceLine(key, "none", f"{item.label} (due {due}): cancelled, {item.cancel_reason}", where)
    if item.due_date < today:
        return EvidenceLine(
            key,
            "not_met",
            f"{item.label}: not done, overdue by {_days((today - item.due_date).days)} (due {due})",
            where,
        )
    return EvidenceLine(key, "open", f"{item.label}: not yet done, due {due}", where)


def _check_line(key: str, check: CheckFact, today: dt.date) -> EvidenceLine:
    what = CHECK_WORDS[check.agency] + (f" on {check.subject}" if check.subject else "")
    where = f"safeguarding enquiry {check.id}"
    asked = f"asked {long_date(check.requested_on)}"
    if check.status == "used_in_assessment":
        assert check.response_received_on is not None
        return EvidenceLine(
            key,
            "met",
            f"{what}: {asked}, answered {long_date(check.response_received_on)} and used "
            f"in RoSH assessment {check.used_in}",
            where,
        )
    if check.status == "response_received":
        assert check.response_received_on is not None
        return EvidenceLine(
            key,
            "not_met",
            f"{what}: {asked}, answered {long_date(check.response_received_on)} but not used in a RoSH assessment",
            where,
        )
    if check.status == "closed":
        return EvidenceLine(key, "none", f"{what}: {asked}, closed without being used", where)
    if check.due_by < today:
        return EvidenceLine(key, "not_met", f"{what}: {asked}, no answer, due {long_date(check.due_by)}", where)
    return EvidenceLine(key, "open", f"{what}: {asked}, answer due {long_date(check.due_by)}", where)


def _screening_before_allocation(facts: CaseFacts) -> EvidenceLine:
    key = "rosh_screening_before_allocation"
    done = sorted(
        (
            a
            for a in facts.assessments
            if a.kind == "screening" and a.status == "complete" and a.completed_on is not None
        ),
        key=lambda a: (a.completed_on, a.id),
    )
    if facts.first_allocated_on is None:
        return EvidenceLine(key, "none", "The case has not been allocated", "")
    allocated = long_date(facts.first_allocated_on)
    if not done:
        return EvidenceLine(key, "not_met", f"No completed RoSH screening; allocated {allocated}", "")
    first = done[0]
    assert first.completed_on is not None
    where = f"RoSH assessment {first.id}"
    if first.completed_on <= facts.first_allocated_on:
        return EvidenceLine(
            key,
            "met",
            f"RoSH screening completed {long_date(first.completed_on)}, before allocation on {allocated}",
            where,
        )
    return EvidenceLine(
        key,
        "not_met",
        f"RoSH screening completed {long_date(first.completed_on)}, after allocation on {allocated}",
        where,
    )


def _home_visit_contacts(facts: CaseFacts) -> list[EvidenceLine]:
    key = "home_visit_contacts"
    if not facts.home_visit_contacts:
        return [EvidenceLine(key, "none", "No home visit is recorded as a contact", "")]
    return [
        EvidenceLine(
            key,
            "met" if c.outcome in ("attended_complied", "attended_failed_to_comply") else "none",
            f"Home visit on {long_date(c.on)}"
            + (f": {c.outcome.replace('_', ' ')}" if c.outcome else ": no outcome recorded"),
            f"contact {c.id}",
        )
        for c in sorted(facts.home_visit_contacts, key=lambda c: (c.on, c.id))
    ]


def evidence(key: str, facts: CaseFacts) -> list[EvidenceLine]:
    """What the record says for one evidence key, oldest first; one ``none`` line when it says nothing."""
    if key in CHECK_KEYS:
        agency = CHECK_KEYS[key]
        lines = [
            _check_line(key, c, facts.today)
            for c in sorted(facts.checks, key=lambda c: (c.requested_on, c.id))
            if c.agency == agency
        ]
        return lines or [EvidenceLine(key, "none", f"No {CHECK_WORDS[agency].lower()} is recorded", "")]
    if key == "rosh_screening_before_allocation":
        return [_screening_before_allocation(facts)]
    if key == "home_visit_contacts":
        return _home_visit_contacts(facts)
    if key in ITEM_KEYS:
        items = sorted((i for i in facts.items if i.kind == key), key=lambda i: (i.due_date, i.id))
        return [_item_line(key, i, facts.today) for i in items] or [EvidenceLine(key, "none", NOTHING[key], "")]
    raise KeyError(key)


def evidence_for_prompt(prompt: Prompt, facts: CaseFacts) -> list[EvidenceLine]:
    return [line for key in prompt.evidence for line in evidence(key, facts)]
