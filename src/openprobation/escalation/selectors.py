"""Reading risk escalations; gathering their evidence from the record; the running review clocks managers see.
Callers pass a person obtained from ``people.selectors.person_get`` (access applied).

The evidence is gathered once, when the escalation is requested, and stored with it (``evidence_gather``): the
baseline (the current allocation, or the last escalation requested, whichever is later), every risk factor then and
now (``rules.escalation.risk_changes``), the RoSH and MAPPA registrations started or ended since, the contacts the
requester chose and any since the baseline whose notes raise warning signs (``rules.signals``), the assessments
completed since, and the current scores. Nothing is read back from the record afterwards.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from openprobation.contacts.models import Contact
from openprobation.core.errors import NotFound
from openprobation.escalation.choices import EscalationStatus
from openprobation.escalation.models import RiskEscalation
from openprobation.organisation.choices import Grade, Role
from openprobation.organisation.models import Staff, Team
from openprobation.people.access import barred_from
from openprobation.people.models import Person
from openprobation.risk.models import OasysAssessment, Registration, RiskCalculation
from openprobation.risk.selectors import TOOL_NAMES, calculation_headline
from openprobation.rules import escalation as rules
from openprobation.rules.registrations import MAPPA_CODE, registration_type, rosh_codes, rosh_level
from openprobation.rules.signals import signals_scan_many
from openprobation.rules.timescales import timescale_policy_for
from openprobation.safeguarding.models import RoshAssessment
from openprobation.sentences.models import Allocation, Event

RECENT_DAYS = 90  # the contacts offered to the requester: those of the last 90 days (at most RECENT_LIMIT)
RECENT_LIMIT = 50
SIGNAL_SCAN_LIMIT = 200  # contacts since the baseline read for warning signs, newest first
NOTES_LIMIT = 4000  # characters of a contact's notes kept in the evidence


def escalation_list(*, person: Person) -> QuerySet[RiskEscalation]:
    return RiskEscalation.objects.filter(person=person).select_related(
        "requested_by", "receiving_team", "holder", "decided_by", "moved_to", "work_item", "mappa_registration")


def not_found(person: Person, escalation_id: int) -> NotFound:
    return NotFound(f"No risk escalation {escalation_id} on case {person.crn}")


def escalation_get(*, person: Person, escalation_id: int) -> RiskEscalation:
    found = escalation_list(person=person).filter(pk=escalation_id).first()
    if found is None:
        raise not_found(person, escalation_id)
    found.person = person
    return found


def escalation_open(*, person: Person) -> RiskEscalation | None:
    return escalation_list(person=person).filter(status=EscalationStatus.AWAITING_REVIEW).first()


def preset_now(today: dt.date) -> str:
    """The timescale preset timing a request made today (the one in force, or the one the setting chooses)."""
    return timescale_policy_for(today, settings.TIMESCALE_PRESET).preset


# ---- the risk picture on a day --------------------------------------------------------------------------------


def _active_on(registrations: Iterable[Registration], day: dt.date) -> list[Registration]:
    """Registrations active on ``day`` (started by then, not ended by then), newest first."""
    active = [r for r in registrations if r.start_date <= day and (r.end_date is None or r.end_date > day)]
    return sorted(active, key=lambda r: (r.start_date, r.pk), reverse=True)


def _mappa_numbers(registration: Registration | None) -> tuple[int | None, int | None]:
    if registration is None:
        return None, None
    level = int(registration.level[1:]) if registration.level[1:].isdigit() else 0
    category = int(registration.category[1:]) if registration.category[1:].isdigit() else 0
    return level, category


def _calculations_by(person: Person, until: dt.datetime | None) -> dict[str, RiskCalculation]:
    """Each tool's newest stored calculation made by ``until`` (all of them when None)."""
    calcs = RiskCalculation.objects.filter(person=person).order_by("-id")
    if until is not None:
        calcs = calcs.filter(calculated_at__lt=until)
    newest: dict[str, RiskCalculation] = {}
    for calc in calcs.only("id", "tool", "status", "score", "band", "tier", "result", "calculated_at", "as_of",
                           "policy_version"):  # fmt: skip
        newest.setdefault(calc.tool, calc)
    return newest


def _picture(
    day: dt.date, registrations: Sequence[Registration], calcs: dict[str, RiskCalculation]
) -> rules.RiskPicture:
    active = _active_on(registrations, day)
    level, category = _mappa_numbers(next((r for r in active if r.code == MAPPA_CODE), None))
    scores = tuple((tool, _score(calcs.get(tool))) for tool in rules.SCORED_TOOLS)
    tier_calc = calcs.get("tier")
    tier = tier_calc.tier if tier_calc is not None and tier_calc.status == "calculated" and tier_calc.tier else None
    return rules.RiskPicture(on=day, rosh=rosh_level(r.code for r in active), mappa_level=level,
                             mappa_category=category, scores=scores, tier=tier)  # fmt: skip


def _score(calc: RiskCalculation | None) -> Decimal | None:
    if calc is None or calc.status != "calculated" or calc.score is None:
        return None
    return Decimal(calc.score).quantize(Decimal("0.01"))


def picture_now(*, person: Person, today: dt.date) -> rules.RiskPicture:
    registrations = list(Registration.objects.filter(person=person))
    return _picture(today, registrations, _calculations_by(person, None))


def _end_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))


def picture_to_json(picture: rules.RiskPicture) -> dict[str, Any]:
    return {"on": picture.on.isoformat(), "rosh": picture.rosh, "mappa_level": picture.mappa_level,
            "mappa_category": picture.mappa_category, "tier": picture.tier,
            "scores": {tool: (str(v) if v is not None else None) for tool, v in picture.scores}}  # fmt: skip


def picture_from_json(raw: dict[str, Any]) -> rules.RiskPicture:
    scores = raw.get("scores") or {}
    return rules.RiskPicture(
        on=dt.date.fromisoformat(raw["on"]), rosh=raw.get("rosh"), mappa_level=raw.get("mappa_level"),
        mappa_category=raw.get("mappa_category"), tier=raw.get("tier"),
        scores=tuple((tool, Decimal(scores[tool]) if scores.get(tool) is not None else None)
                     for tool in rules.SCORED_TOOLS),
    )  # fmt: skip


# ---- the baseline ------------------------------------------------------------------------------------------------


def current_allocation(*, person: Person) -> Allocation | None:
    """The newest open allocation of the case's current events."""
    return (Allocation.objects.filter(event__person=person, event__termination_date__isnull=True,
                                      end_date__isnull=True)
            .select_related("practitioner").order_by("-start_date", "-id").first())  # fmt: skip


@dataclass(frozen=True)
class Baseline:
    kind: str  # "allocation", "escalation" or "none"
    on: dt.date | None
    picture: rules.RiskPicture | None
    words: str


def baseline(*, person: Person, registrations: Sequence[Registration]) -> Baseline:
    """What the risk is compared with: the last escalation requested on the case (its stored picture) or the current
    allocation (the record on that day), whichever is later; none when the case has neither."""
    allocation = current_allocation(person=person)
    last = RiskEscalation.objects.filter(person=person).order_by("-requested_at", "-id").first()
    last_day = timezone.localdate(last.requested_at) if last is not None else None
    if last is not None and last_day is not None and (allocation is None or last_day >= allocation.start_date):
        stored = (last.evidence or {}).get("current")
        if stored:
            return Baseline("escalation", last_day, picture_from_json(stored),
                            rules.baseline_words("escalation", last_day))  # fmt: skip
    if allocation is not None:
        day = allocation.start_date
        return Baseline("allocation", day, _picture(day, registrations, _calculations_by(person, _end_of_day(day))),
                        rules.baseline_words("allocation", day))  # fmt: skip
    return Baseline("none", None, None, "no allocation recorded")


# ---- the evidence --------------------------------------------------------------------------------------------


def recent_contacts(*, person: Person, now: dt.datetime) -> list[Contact]:
    """The contacts offered to the requester: those of the last RECENT_DAYS days that have happened, newest first."""
    since = now - dt.timedelta(days=RECENT_DAYS)
    return list(Contact.objects.filter(person=person, date__gte=since, date__lte=now)
                .select_related("staff").order_by("-date", "-id")[:RECENT_LIMIT])  # fmt: skip


def _contact_json(contact: Contact, *, chosen: bool, signals: Sequence[Any]) -> dict[str, Any]:
    return {
        "id": contact.pk, "date": contact.date.isoformat(), "type": contact.get_type_display(),
        "outcome": contact.get_outcome_display() if contact.outcome else "",
        "staff": contact.staff.name if contact.staff is not None else "",
        "notes": contact.notes[:NOTES_LIMIT], "chosen": chosen,
        "signals": [{"signal": s.signal, "severity": s.severity, "evidence": s.evidence} for s in signals],
    }  # fmt: skip


def _registration_json(registration: Registration) -> dict[str, Any]:
    rtype = registration_type(registration.code)
    return {"id": registration.pk, "code": registration.code, "name": rtype.name if rtype else registration.code,
            "level": registration.level, "category": registration.category,
            "start_date": registration.start_date.isoformat(),
            "end_date": registration.end_date.isoformat() if registration.end_date else None}  # fmt: skip


def _score_json(calc: RiskCalculation) -> dict[str, Any]:
    return {"tool": calc.tool, "name": TOOL_NAMES.get(calc.tool, calc.tool), "status": calc.status,
            "headline": calculation_headline(calc), "score": str(calc.score) if calc.score is not None else None,
            "band": calc.band, "tier": calc.tier, "calculated_at": calc.calculated_at.isoformat(),
            "policy_version": calc.policy_version}  # fmt: skip


def evidence_gather(*, person: Person, contact_ids: Sequence[int], now: dt.datetime) -> dict[str, Any]:
    """The evidence stored with a request (JSON): see the module docstring."""
    registrations = list(Registration.objects.filter(person=person))
    calcs = _calculations_by(person, None)
    today = timezone.localdate(now)
    current = _picture(today, registrations, calcs)
    base = baseline(person=person, registrations=registrations)
    since_words = base.words
    before = base.picture or rules.RiskPicture(on=today)
    changes = rules.risk_changes(before, current, since=since_words if base.picture else "no baseline")
    since_day = base.on or dt.date.min
    risk_codes = set(rosh_codes()) | {MAPPA_CODE}
    moved = [r for r in registrations if r.code in risk_codes
             and (r.start_date > since_day or (r.end_date is not None and since_day < r.end_date <= today))]
    moved.sort(key=lambda r: (r.start_date, r.pk), reverse=True)
    chosen = list(Contact.objects.filter(person=person, pk__in=list(contact_ids)).select_related("staff")
                  .order_by("-date", "-id"))  # fmt: skip
    scan_from = timezone.make_aware(dt.datetime.combine(since_day, dt.time())) if base.on else None
    scanned = Contact.objects.filter(person=person, date__lte=now).exclude(notes="").select_related("staff")
    if scan_from is not None:
        scanned = scanned.filter(date__gte=scan_from)
    scanned_list = list(scanned.order_by("-date", "-id")[:SIGNAL_SCAN_LIMIT])
    found = dict(zip((c.pk for c in scanned_list), signals_scan_many(c.notes for c in scanned_list), strict=True))
    chosen_ids = {c.pk for c in chosen}
    contacts = [_contact_json(c, chosen=True, signals=found.get(c.pk) or ()) for c in chosen]
    contacts += [_contact_json(c, chosen=False, signals=found[c.pk]) for c in scanned_list
                 if c.pk not in chosen_ids and found[c.pk]]  # fmt: skip
    contacts.sort(key=lambda c: (c["date"], c["id"]), reverse=True)
    assessments = [{"kind": "OASys" if a.kind == "oasys" else "SAN", "layer": a.layer, "status": a.status,
                    "completed_date": a.completed_date.isoformat()}
                   for a in OasysAssessment.objects.filter(person=person, completed_date__gt=since_day,
                                                           completed_date__lte=today).order_by("-completed_date")]
    rosh_done = [{"kind": a.get_kind_display(), "completed_on": a.completed_on.isoformat() if a.completed_on else None,
                  "rosh_level": a.rosh_level, "indicates_risk": a.indicates_risk,
                  "completed_by": a.completed_by.name if a.completed_by else ""}
                 for a in RoshAssessment.objects.filter(person=person, status="complete", completed_on__gt=since_day,
                                                        completed_on__lte=today)
                 .select_related("completed_by").order_by("-completed_on")]  # fmt: skip
    return {
        "gathered_at": now.isoformat(),
        "baseline": {"kind": base.kind, "on": base.on.isoformat() if base.on else None, "words": since_words,
                     "picture": picture_to_json(base.picture) if base.picture else None},
        "current": picture_to_json(current),
        "changes": [c.as_dict() for c in changes],
        "registrations": [_registration_json(r) for r in moved],
        "contacts": contacts,
        "assessments": assessments,
        "rosh_assessments": rosh_done,
        "scores": [_score_json(calcs[tool]) for tool in TOOL_NAMES if tool in calcs],
    }


# ---- receivers ---------------------------------------------------------------------------------------------------


def officers_for(*, person: Person, team_id: int) -> list[Staff]:
    """The probation officers of a team who may hold the case (not barred by its lists), by name."""
    staff = Staff.objects.filter(team_id=team_id, role=Role.PRACTITIONER, grade=Grade.PO).select_related("team")
    if person.practitioner_id is not None:
        staff = staff.exclude(pk=person.practitioner_id)
    staff = staff.order_by("last_name", "first_name", "pk")
    return [s for s in staff if not barred_from(person, s)]  # fmt: skip


def receiving_teams(*, person: Person) -> list[Team]:
    """The teams a CRC to NPS referral may go to: every team but the one holding the case, by code."""
    teams = Team.objects.select_related("pdu").order_by("code")
    if person.team_id is not None:
        teams = teams.exclude(pk=person.team_id)
    return list(teams[:500])


def has_mappa(*, person: Person) -> bool:
    return Registration.objects.filter(person=person, code=MAPPA_CODE, end_date__isnull=True).exists()


def holder_grade(person: Person) -> str | None:
    if person.practitioner_id is None:
        return None
    holder = Staff.objects.filter(pk=person.practitioner_id).values_list("grade", flat=True).first()
    return holder if holder else None


def current_events(*, person: Person) -> list[Event]:
    return list(Event.objects.filter(person=person, termination_date__isnull=True).order_by("number"))
