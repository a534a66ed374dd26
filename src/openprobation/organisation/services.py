"""Creating staff and their sign-in accounts."""

from __future__ import annotations

import datetime as dt
import zlib
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction

from openprobation.core import followups
from openprobation.core.audit import audit_record
from openprobation.core.errors import Collector, FieldError, NotFound, PermissionDenied, ValidationFailed
from openprobation.core.text import text_problem
from openprobation.organisation.choices import Grade, Role, TrainingStage
from openprobation.organisation.models import Staff, Team
from openprobation.organisation.roles import Actor, manages_staff, require_role, require_write


def staff_create(
    *,
    username: str,
    password: str | None,
    first_name: str,
    last_name: str,
    grade: str,
    role: str,
    team: str | None,
    code: str | None = None,
    contracted_hours: Decimal = Decimal("37.0"),
    check_password: bool = True,
    actor: Actor | None = None,
) -> Staff:
    """A member of staff with a sign-in account. Without a password the account cannot sign in until one is set.
    ``actor`` is the administrator adding them in the pages (None for the command line, which audits its own)."""
    if actor is not None:
        require_role(actor, Role.ADMINISTRATOR)
    User = get_user_model()
    c = Collector()
    if not username or len(username) > 150:
        c.add("username", "Enter a username of 150 characters or fewer")
    elif User.objects.filter(username=username).exists():
        c.add("username", f"The username {username} is taken")
    for field, value in (("first_name", first_name), ("last_name", last_name), ("username", username)):
        if problem := text_problem(value):
            c.add(field, problem)
    if grade not in Grade.values:
        c.add("grade", f"Choose a grade: one of {', '.join(Grade.values)}")
    if role not in Role.values:
        c.add("role", f"Choose a role: one of {', '.join(Role.values)}")
    team_obj = None
    if team:
        team_obj = Team.objects.filter(code=team).first()
        if team_obj is None:
            c.add("team", f"No team with code {team}")
    elif role in (Role.PRACTITIONER, Role.SPO, Role.HEAD_OF_SERVICE):
        c.add("team", "Practitioners, senior probation officers and heads of service need a team")
    if not Decimal(0) <= contracted_hours <= Decimal(48):
        c.add("contracted_hours", "Contracted hours must be between 0 and 48")
    if password is not None and check_password:
        try:
            validate_password(password, User(username=username, first_name=first_name, last_name=last_name))
        except DjangoValidationError as exc:
            for message in exc.messages:
                c.add("password", message)
    code = code or f"S{zlib.crc32(username.encode()) % 10**7:07d}"
    if Staff.objects.filter(code=code).exists():
        c.add("code", f"The staff code {code} is taken")
    c.raise_if_any()
    with transaction.atomic():
        user = User(username=username, first_name=first_name, last_name=last_name,
                    is_staff=role == Role.ADMINISTRATOR, is_superuser=role == Role.ADMINISTRATOR)
        if password is None:
            user.set_unusable_password()
        else:
            user.set_password(password)
        user.save()
        staff = Staff.objects.create(code=code, first_name=first_name, last_name=last_name, grade=grade, role=role,
                                     contracted_hours=contracted_hours, team=team_obj, user=user)
        audit_record(actor=actor, action="staff.created", entity="staff", entity_id=staff.pk,
                     after={"username": username, "code": code, "grade": grade, "role": role, "team": team})
    return staff


def staff_set_access_manager(*, username: str, grant: bool) -> Staff:
    """Grant or withdraw the access-manager permission (a server operator's command, never the admin site: nobody
    can make themselves an access manager through the service). Audited."""
    with transaction.atomic():
        staff = Staff.objects.select_for_update().filter(user__username=username).first()
        if staff is None:
            raise NotFound(f"No member of staff has the username {username}")
        if staff.access_manager != grant:
            staff.access_manager = grant
            staff.save(update_fields=["access_manager"])
            action = "staff.access_manager_granted" if grant else "staff.access_manager_withdrawn"
            audit_record(actor=None, action=action, entity="staff", entity_id=staff.pk,
                         after={"username": username, "access_manager": grant})
    return staff


def account_set_password(*, username: str, password: str) -> None:
    """A server operator sets someone's password (the admin site sets only one's own). Checked like a new account's,
    audited without the password."""
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        raise NotFound(f"No account with the username {username}")
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        raise ValidationFailed([FieldError(("password",), m) for m in exc.messages]) from exc
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        audit_record(actor=None, action="user.password_set", entity="user", entity_id=user.pk,
                     after={"username": username, "password": "changed"})


WORKFORCE_FIELDS = ("grade", "contracted_hours", "training_stage", "start_date", "leaving_date")


def staff_workforce_update(
    *,
    actor: Actor,
    staff_code: str,
    grade: str,
    contracted_hours: Decimal,
    training_stage: str = "",
    start_date: dt.date | None = None,
    leaving_date: dt.date | None = None,
) -> Staff:
    """Change a member of staff's workforce record (grade, contracted hours, training stage, start and leaving
    dates): their team's SPO or an administrator; one transaction, audited with what changed. Bad values are field
    errors and nothing is saved."""
    manager = require_write(actor)
    c = Collector()
    if grade not in Grade.values:
        c.add("grade", "Choose a grade")
    if training_stage and training_stage not in TrainingStage.values:
        c.add("training_stage", "Choose a training stage, or none")
    if training_stage in (TrainingStage.PQIP_YEAR_1, TrainingStage.PQIP_YEAR_2) and grade != Grade.PQIP:
        c.add("training_stage", "Only a trainee probation officer (PQiP) has a PQiP year")
    if training_stage == TrainingStage.NEWLY_QUALIFIED and grade != Grade.PO:
        c.add("training_stage", "A newly qualified officer is a probation officer (PO)")
    if not contracted_hours.is_finite() or not Decimal(0) <= contracted_hours <= Decimal(48):
        c.add("contracted_hours", "Contracted hours must be between 0 and 48")
    elif contracted_hours != contracted_hours.quantize(Decimal("0.1")):
        c.add("contracted_hours", "Enter the contracted hours to one decimal place at most, like 37 or 22.5")
    if start_date is not None and leaving_date is not None and leaving_date < start_date:
        c.add("leaving_date", "The leaving date cannot be before the start date")
    c.raise_if_any()
    with transaction.atomic():
        staff = Staff.objects.select_for_update().filter(code=staff_code.replace("\x00", "")).first()
        if staff is None:
            raise NotFound(f"No member of staff {staff_code}")
        if not manages_staff(manager, staff):
            raise PermissionDenied("Only the team's senior probation officer or an administrator can change this")
        new = {"grade": grade, "contracted_hours": contracted_hours, "training_stage": training_stage,
               "start_date": start_date, "leaving_date": leaving_date}  # fmt: skip
        before = {f: getattr(staff, f) for f in WORKFORCE_FIELDS if getattr(staff, f) != new[f]}
        if before:
            for field in before:
                setattr(staff, field, new[field])
            staff.save(update_fields=list(before))
            audit_record(actor=actor, action="staff.workforce_changed", entity="staff", entity_id=staff.pk,
                         before=before, after={"staff": staff.code, **{f: new[f] for f in before}})  # fmt: skip
            # The allocation rules compare the grade of whoever holds a case (risk.riskfacts keeps their flags).
            followups.staff_changed(actor=actor, staff=staff, changed=frozenset(before))
    return staff
