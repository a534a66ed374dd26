"""The breach from decision to outcome, and the enforcement documents. One transaction each, audited.

Each step is recorded once, in order, under ``rules.breach.transition_problems`` (a refused step changes nothing):
the report drafted (``breach_report_save``: any number of times until it is approved, each save a new version)
and checked (``breach_report_check``: the pre-submission check, stored with the version it ran on), approved by a
senior probation officer (``breach_approve``: only a report whose check of the version as it stands passed, or with
a recorded reason for overriding it), sent to court, presented (closing the clock to court) and its outcome
(``breach_outcome_record``: the breach ends, so the compliance count starts again). On the 2014-2021 preset the NPS
accepting a CRC's referral (``breach_referral_accept``) closes the 8-working-day referral clock and starts the
2-working-day clock to court. The warning letter of a warning is generated from the record
(``warning_letter_generate``). See docs/enforcement.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from openprobation.core import clock
from openprobation.core.audit import audit_record
from openprobation.core.errors import Collector, NotFound, ValidationFailed, VersionConflict
from openprobation.enforcement import documents, selectors
from openprobation.enforcement.choices import DecisionStatus, EnforcementAction
from openprobation.enforcement.models import Breach, BreachReport, EnforcementDecision
from openprobation.organisation.choices import Role
from openprobation.people.access import Actor, require_role, require_write
from openprobation.people.models import Person
from openprobation.rules import breach as rules
from openprobation.rules.dates import long_date
from openprobation.rules.timescales import ItemKind, Trigger
from openprobation.workitems import generate
from openprobation.workitems.choices import WorkItemStatus
from openprobation.workitems.models import WorkItem

SECTION_LIMIT = 8000  # characters in each section the author writes
OVERRIDE_LIMIT = 4000


def _locked(person: Person, breach_id: int) -> Breach:
    Person.objects.select_for_update().filter(pk=person.pk).first()  # one change at a time on a case
    breach = Breach.objects.select_for_update().filter(person=person, pk=breach_id).first()
    if breach is None:
        raise NotFound(f"No breach {breach_id} on case {person.crn}")
    return breach


def _report(breach: Breach) -> BreachReport | None:
    return BreachReport.objects.filter(breach=breach).first()


def _day(at: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(at) if at is not None else None


def state_of(breach: Breach, report: BreachReport | None) -> rules.BreachState:
    """The breach as ``rules.breach`` sees it."""
    when: dict[rules.Step, dt.date | None] = {
        rules.Step.AWARE: breach.aware_on,
        rules.Step.DECIDED: breach.started_on,
        rules.Step.REFERRAL_ACCEPTED: breach.referral_accepted_on,
        rules.Step.REPORT_DRAFTED: _day(report.drafted_at) if report is not None else None,
        rules.Step.REPORT_CHECKED: _day(report.checked_at) if report is not None else None,
        rules.Step.APPROVED: _day(breach.approved_at),
        rules.Step.SENT: breach.sent_on,
        rules.Step.PRESENTED: breach.presented_on,
        rules.Step.OUTCOME: breach.ended_on,
    }
    referral_open = WorkItem.objects.filter(person_id=breach.person_id, kind=ItemKind.BREACH_REFERRAL,
                                            status=WorkItemStatus.OPEN).exists()  # fmt: skip
    return rules.BreachState(
        steps={step: on for step, on in when.items() if on is not None},
        report_version=report.version if report is not None else 0,
        checked_version=report.checked_version if report is not None else 0,
        check_passed=report.check_passed if report is not None else False,
        referral_open=referral_open,
    )


def _refuse_if(problems: list[tuple[str, str]]) -> None:
    c = Collector()
    for field, message in problems:
        c.add(field, message)
    c.raise_if_any()


def _check_version(breach: Breach, version: int) -> None:
    if breach.version != version:
        raise VersionConflict(breach.version)


# ---- the report -------------------------------------------------------------------------------------------------


def breach_report_save(
    *,
    actor: Actor,
    person: Person,
    breach_id: int,
    version: int | None,
    sections: Mapping[str, str],
    cited: Sequence[int],
) -> BreachReport:
    """Save the report's draft (a new one with ``version`` None, or a change to the version given): the sections the
    author writes and the failures it cites. Any change after a check means the check must run again. Refused once
    the report is approved or the breach has ended."""
    staff = require_write(actor)
    today = clock.today()
    with transaction.atomic():
        breach = _locked(person, breach_id)
        report = BreachReport.objects.select_for_update().filter(breach=breach).first()
        _refuse_if(rules.transition_problems(state_of(breach, report), rules.Step.REPORT_DRAFTED, on=today,
                                             today=today))  # fmt: skip
        if report is not None and version != report.version:
            raise VersionConflict(report.version)
        c = Collector()
        unknown = sorted(set(sections) - set(rules.SECTION_KEYS))
        if unknown:
            c.add("sections", f"No such section: {', '.join(unknown)} (sections: {', '.join(rules.SECTION_KEYS)})")
        for key, text in sections.items():
            if key in rules.SECTION_KEYS and len(text) > SECTION_LIMIT:
                c.add(f"sections.{key}", f"{rules.SECTION_TITLES[key]} must be {SECTION_LIMIT} characters or fewer")
        c.raise_if_any()
        before = _report_snapshot(report)
        if report is None:
            report = BreachReport(breach=breach, report_date=today, author=staff, drafted_at=clock.now())
        else:
            report.version += 1
            report.report_date = today
            report.drafted_at = clock.now()
        for key in rules.SECTION_KEYS:
            if key in sections:
                setattr(report, key, sections[key])
        report.cited = [int(i) for i in dict.fromkeys(cited)]
        report.save()
        audit_record(actor=actor, action="breach_report.drafted", crn=person.crn, entity="breach", entity_id=breach.pk,
                     before=before, after=_report_snapshot(report))  # fmt: skip
    return report


def _report_snapshot(report: BreachReport | None) -> dict[str, Any] | None:
    if report is None:
        return None
    return {"version": report.version, "cited": list(report.cited),
            **{key: getattr(report, key) for key in rules.SECTION_KEYS}}  # fmt: skip


def breach_report_check(*, actor: Actor, person: Person, breach_id: int, version: int) -> BreachReport:
    """Run the pre-submission check on the report as it stands (``version``) and keep the result: the problems are
    listed for the author, and approval needs a check of this version that passed (or an override)."""
    staff = require_write(actor)
    today = clock.today()
    with transaction.atomic():
        breach = _locked(person, breach_id)
        report = BreachReport.objects.select_for_update().filter(breach=breach).first()
        _refuse_if(rules.transition_problems(state_of(breach, report), rules.Step.REPORT_CHECKED, on=today,
                                             today=today))  # fmt: skip
        assert report is not None  # the rule refuses a check with no report
        if report.version != version:
            raise VersionConflict(report.version)
        problems = rules.report_problems(documents.report_facts(report), documents.spelling_problems(report))
        report.checked_at = clock.now()
        report.checked_by = staff
        report.checked_version = report.version
        report.check_passed = not problems
        report.problems = [{"section": p.section, "message": p.message} for p in problems]
        report.save()
        audit_record(actor=actor, action="breach_report.checked", crn=person.crn, entity="breach",
                     entity_id=breach.pk, after={"version": report.version, "passed": report.check_passed,
                                                 "problems": len(problems)})  # fmt: skip
    return report


# ---- the steps --------------------------------------------------------------------------------------------------


def breach_approve(*, actor: Actor, person: Person, breach_id: int, version: int, override_reason: str = "") -> Breach:
    """The senior probation officer approves the report: only one whose check of the version as it stands passed,
    or, if it failed, with the reason for overriding the check (recorded)."""
    staff = require_role(actor, Role.SPO)
    today = clock.today()
    with transaction.atomic():
        breach = _locked(person, breach_id)
        report = _report(breach)
        _refuse_if(rules.transition_problems(state_of(breach, report), rules.Step.APPROVED, on=today, today=today,
                                             override_reason=override_reason))  # fmt: skip
        _check_version(breach, version)
        if len(override_reason) > OVERRIDE_LIMIT:
            raise ValidationFailed.single("override_reason", f"The reason must be {OVERRIDE_LIMIT} characters or fewer")
        assert report is not None
        breach.approved_at = clock.now()
        breach.approved_by = staff
        breach.override_reason = "" if report.check_passed else override_reason.strip()
        breach.version += 1
        breach.save()
        audit_record(actor=actor, action="breach.approved", crn=person.crn, entity="breach", entity_id=breach.pk,
                     after={"report_version": report.version, "check_passed": report.check_passed,
                            "override_reason": breach.override_reason},
                     reason=breach.override_reason)  # fmt: skip
    return breach


def _step_on(breach: Breach, step: rules.Step, on: dt.date, *, version: int) -> rules.BreachState:
    state = state_of(breach, _report(breach))
    _refuse_if(rules.transition_problems(state, step, on=on, today=clock.today()))
    _check_version(breach, version)
    return state


def breach_referral_accept(*, actor: Actor, person: Person, breach_id: int, version: int,
                           on: dt.date | None = None) -> Breach:  # fmt: skip
    """The NPS accepts a CRC's breach referral (2014-2021): the referral clock closes, the clock to court started at
    awareness is replaced by the 2-working-day clock from the acceptance (NPS SL015)."""
    require_write(actor)
    on = on or clock.today()
    with transaction.atomic():
        breach = _locked(person, breach_id)
        _step_on(breach, rules.Step.REFERRAL_ACCEPTED, on, version=version)
        breach.referral_accepted_on = on
        breach.version += 1
        breach.save()
        note = f"Breach referral accepted by the NPS on {long_date(on)}"
        generate.close_open_items(actor=actor, person=person, kinds=[ItemKind.BREACH_REFERRAL], on=on, note=note)
        for item in WorkItem.objects.filter(person=person, kind=ItemKind.BREACH_TO_COURT, status=WorkItemStatus.OPEN,
                                            trigger=Trigger.FAILURE_TO_COMPLY_KNOWN):  # fmt: skip
            generate.cancel_item(actor=actor, person=person, item=item,
                                 reason=f"{note}: the breach is now timed from the acceptance")  # fmt: skip
        generate.work_items_generate_for(actor=actor, trigger=Trigger.BREACH_REFERRAL_ACCEPTED, person=person,
                                         occurred_on=on, event=breach.event, field="on")  # fmt: skip
        audit_record(actor=actor, action="breach.referral_accepted", crn=person.crn, entity="breach",
                     entity_id=breach.pk, after={"referral_accepted_on": on})  # fmt: skip
    return breach


def breach_send(*, actor: Actor, person: Person, breach_id: int, version: int, on: dt.date | None = None) -> Breach:
    """The approved breach sent to court (the enforcement action the 2007 standards time is then taken)."""
    require_write(actor)
    on = on or clock.today()
    with transaction.atomic():
        breach = _locked(person, breach_id)
        _step_on(breach, rules.Step.SENT, on, version=version)
        breach.sent_on = on
        breach.version += 1
        breach.save()
        generate.close_open_items(actor=actor, person=person, kinds=[ItemKind.ENFORCEMENT_ACTION], on=on,
                                  note=f"Breach sent to court on {long_date(on)}")  # fmt: skip
        audit_record(actor=actor, action="breach.sent", crn=person.crn, entity="breach", entity_id=breach.pk,
                     after={"sent_on": on})  # fmt: skip
    return breach


def breach_present(*, actor: Actor, person: Person, breach_id: int, version: int,
                   on: dt.date | None = None) -> Breach:  # fmt: skip
    """The breach presented at court: the clock to court closes on that day."""
    require_write(actor)
    on = on or clock.today()
    with transaction.atomic():
        breach = _locked(person, breach_id)
        _step_on(breach, rules.Step.PRESENTED, on, version=version)
        breach.presented_on = on
        breach.version += 1
        breach.save()
        generate.close_open_items(actor=actor, person=person, kinds=[ItemKind.BREACH_TO_COURT], on=on,
                                  note=f"Breach presented at court on {long_date(on)}")  # fmt: skip
        audit_record(actor=actor, action="breach.presented", crn=person.crn, entity="breach", entity_id=breach.pk,
                     after={"presented_on": on})  # fmt: skip
    return breach


def breach_outcome_record(*, actor: Actor, person: Person, breach_id: int, version: int, outcome: str,
                          on: dt.date | None = None) -> Breach:  # fmt: skip
    """The breach's outcome: it ends on ``on``, and the compliance count starts again from then. A breach may be
    withdrawn at any point (its clocks still running are cancelled); any other outcome follows its presentation."""
    require_write(actor)
    on = on or clock.today()
    with transaction.atomic():
        breach = _locked(person, breach_id)
        _refuse_if(rules.outcome_problems(state_of(breach, _report(breach)), outcome, on=on, today=clock.today()))
        _check_version(breach, version)
        breach.outcome = outcome
        breach.ended_on = on
        breach.version += 1
        breach.save()
        for item in WorkItem.objects.filter(person=person, status=WorkItemStatus.OPEN,
                                            kind__in=[ItemKind.BREACH_TO_COURT, ItemKind.BREACH_REFERRAL,
                                                      ItemKind.ENFORCEMENT_ACTION]):  # fmt: skip
            words = rules.OUTCOME_WORDS[rules.Outcome(outcome)]
            generate.cancel_item(actor=actor, person=person, item=item,
                                 reason=f"Breach ended on {long_date(on)}: {words}")  # fmt: skip
        audit_record(actor=actor, action="breach.ended", crn=person.crn, entity="breach", entity_id=breach.pk,
                     after={"outcome": outcome, "ended_on": on})  # fmt: skip
    return breach


# ---- documents --------------------------------------------------------------------------------------------------


def breach_report_document(*, person: Person, breach_id: int) -> documents.Document:
    """The breach report's PDF, built from the record and the draft as they stand."""
    breach = selectors.breach_get(person=person, breach_id=breach_id)
    report = _report(breach)
    if report is None:
        raise ValidationFailed.single("report", "There is no breach report yet: save a draft first")
    return documents.breach_report_pdf(
        report, steps=documents.step_rows(breach, report),
        compliance=selectors.compliance_status(person=person, now=clock.now()),
    )  # fmt: skip


def warning_letter_generate(*, actor: Actor, person: Person, decision_id: int) -> documents.Document:
    """The warning letter of a decided warning, built from the record (person, order, the failure and its date, what
    happens next, the officer); the first generation is recorded (``letter_generated_at``) and audited."""
    require_write(actor)
    with transaction.atomic():
        decision = (EnforcementDecision.objects.select_for_update(of=("self",))
                    .select_related("person", "event", "contact")
                    .filter(person=person, pk=decision_id).first())  # fmt: skip
        if decision is None:
            raise NotFound(f"No enforcement decision {decision_id} on case {person.crn}")
        if decision.status != DecisionStatus.DECIDED or decision.action != EnforcementAction.WARNING:
            raise ValidationFailed.single("action", "Only a decision to give a warning has a warning letter")
        officer = person.practitioner or decision.decided_by
        document = documents.warning_letter_pdf(decision, today=clock.today(), officer=officer)
        if decision.letter_generated_at is None:
            decision.letter_generated_at = clock.now()
            decision.save(update_fields=["letter_generated_at"])
            audit_record(actor=actor, action="warning_letter.generated", crn=person.crn,
                         entity="enforcement_decision", entity_id=decision.pk,
                         after={"warning_type": decision.warning_type})  # fmt: skip
    return document
