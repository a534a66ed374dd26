"""Restriction and exclusion lists bind everyone: only access managers change them, never for themselves, always
with a reason, audited and shown to the team's SPO; administrators cannot see or self-grant a restricted case
through the Django admin; refused attempts to open a case are audited without telling the caller anything."""

from __future__ import annotations

import pytest
from django.db import connection  # noqa: F401 (named in skipif conditions)
from django.test import Client

from openprobation import cli
from openprobation.core.errors import NotFound, PermissionDenied, ValidationFailed
from openprobation.core.models import AuditEvent
from openprobation.core.tokens import token_create
from openprobation.organisation.services import staff_set_access_manager
from openprobation.people.access import audit_events_visible_to, people_visible_to
from openprobation.people.access_lists import (
    case_access_add,
    case_access_remove,
    limited_access_cases,
    restriction_lift,
)
from openprobation.people.models import CaseAccess
from tests.factories import PASSWORD, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(org):
    """The head of service, made an access manager the only way there is: the command."""
    staff_set_access_manager(username="hos", grant=True)
    org.hos.refresh_from_db()
    return org.hos


def _client(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def _fields(exc: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, str]:
    return {e.dotted: e.message for e in exc.value.errors}


# --- who may change a list ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("username", ["admin", "spo", "po", "qa"], ids=["administrator", "spo", "practitioner", "qa"])
def test_only_an_access_manager_may_change_a_list(org, username):
    person = make_person(org)
    user = getattr(org, {"admin": "admin", "spo": "spo", "po": "po", "qa": "qa"}[username]).user
    with pytest.raises(PermissionDenied):
        case_access_add(actor=user, crn=person.crn, kind="exclusion", staff_code=org.po2.code, reason="Neighbour")
    assert _client(username).get("/access-lists/").status_code == 403
    assert not CaseAccess.objects.exists()


def test_the_access_manager_permission_is_granted_only_by_the_command_and_audited(org, capsys):
    assert cli.main(["access-manager", "grant", "spo"]) == 0
    assert "is now an access manager" in capsys.readouterr().out
    org.spo.refresh_from_db()
    assert org.spo.access_manager
    assert AuditEvent.objects.filter(action="staff.access_manager_granted", entity_id=str(org.spo.pk)).exists()
    assert cli.main(["access-manager", "withdraw", "spo"]) == 0
    org.spo.refresh_from_db()
    assert not org.spo.access_manager
    assert cli.main(["access-manager", "grant", "nobody"]) == 2


def test_an_administrator_cannot_tick_access_manager_in_the_django_admin(org):
    client = _client("admin")
    page = client.get(f"/django-admin/organisation/staff/{org.admin.pk}/change/")
    assert page.status_code == 200
    assert 'name="access_manager"' not in page.content.decode()


# --- the rules ---------------------------------------------------------------------------------------------------

def test_an_access_manager_adds_and_removes_with_reasons_each_audited(org, manager):
    person = make_person(org)
    entry = case_access_add(actor=manager.user, crn=person.crn, kind="exclusion", staff_code=org.po2.code,
                            reason="Knows the family")
    added = AuditEvent.objects.get(action="case_access.added")
    assert (added.crn, added.reason, added.after["staff"]) == (person.crn, "Knows the family", org.po2.code)
    assert person not in people_visible_to(org.po2.user)
    case_access_remove(actor=manager.user, entry_id=entry.pk, reason="Moved away")
    removed = AuditEvent.objects.get(action="case_access.removed")
    assert (removed.reason, removed.before["staff"]) == ("Moved away", org.po2.code)
    assert person in people_visible_to(org.po2.user)


@pytest.mark.parametrize("reason", ["", "   ", "\u200b", "x" * 1001, "a\x00b"],
                         ids=["empty", "blank", "zero_width_space", "over_1000", "nul"])
def test_a_change_needs_a_reason_of_at_most_1000_characters(org, manager, reason):
    person = make_person(org)
    with pytest.raises(ValidationFailed) as exc:
        case_access_add(actor=manager.user, crn=person.crn, kind="exclusion", staff_code=org.po2.code, reason=reason)
    assert "reason" in _fields(exc)
    assert not CaseAccess.objects.exists() and not AuditEvent.objects.filter(action__startswith="case_access").exists()


def test_a_reason_of_exactly_1000_characters_is_accepted(org, manager):
    person = make_person(org)
    case_access_add(actor=manager.user, crn=person.crn, kind="exclusion", staff_code=org.po2.code, reason="x" * 1000)
    assert CaseAccess.objects.count() == 1


def test_nobody_can_put_themselves_on_a_restriction_list(org, manager):
    person = make_person(org)
    case_access_add(actor=manager.user, crn=person.crn, kind="restriction", staff_code=org.po.code, reason="Media")
    with pytest.raises(ValidationFailed) as exc:
        case_access_add(actor=manager.user, crn=person.crn, kind="restriction", staff_code=manager.code,
                        reason="I need to see it")
    assert "yourself" in _fields(exc)["staff_code"]
    assert person not in people_visible_to(manager.user)


def test_nobody_can_take_themselves_off_an_exclusion_list(org, manager):
    person = make_person(org)
    staff_set_access_manager(username="spo", grant=True)
    org.spo.refresh_from_db()
    entry = case_access_add(actor=org.spo.user, crn=person.crn, kind="exclusion", staff_code=manager.code,
                            reason="Relative")
    with pytest.raises(ValidationFailed) as exc:
        case_access_remove(actor=manager.user, entry_id=entry.pk, reason="I want to see it")
    assert "yourself" in _fields(exc)["entry"]
    assert CaseAccess.objects.filter(pk=entry.pk).exists()


def test_excluding_the_practitioner_holding_the_case_is_refused(org, manager):
    person = make_person(org)  # held by org.po
    with pytest.raises(ValidationFailed) as exc:
        case_access_add(actor=manager.user, crn=person.crn, kind="exclusion", staff_code=org.po.code, reason="x")
    assert "reallocate" in _fields(exc)["staff_code"]
    assert person in people_visible_to(org.po.user)


def test_a_new_restriction_list_starts_with_the_practitioner_holding_the_case(org, manager):
    person = make_person(org)
    with pytest.raises(ValidationFailed) as exc:
        case_access_add(actor=manager.user, crn=person.crn, kind="restriction", staff_code=org.spo.code, reason="x")
    assert "first" in _fields(exc)["staff_code"]
    case_access_add(actor=manager.user, crn=person.crn, kind="restriction", staff_code=org.po.code, reason="x")
    case_access_add(actor=manager.user, crn=person.crn, kind="restriction", staff_code=org.spo.code, reason="x")
    assert person in people_visible_to(org.po.user) and person in people_visible_to(org.spo.user)


def test_the_practitioner_comes_off_a_restriction_list_only_when_it_is_lifted(org, manager):
    person = make_person(org)
    holder = case_access_add(actor=manager.user, crn=person.crn, kind="restriction", staff_code=org.po.code,
                             reason="x")
    other = case_access_add(actor=manager.user, crn=person.crn, kind="restriction", staff_code=org.spo.code,
                            reason="x")
    for entry in (holder,):
        with pytest.raises(ValidationFailed) as exc:
            case_access_remove(actor=manager.user, entry_id=entry.pk, reason="x")
        assert "lifted as a whole" in _fields(exc)["entry"]
    case_access_remove(actor=manager.user, entry_id=other.pk, reason="x")
    with pytest.raises(ValidationFailed):  # the last one on the list: removing it would lift the restriction
        case_access_remove(actor=manager.user, entry_id=holder.pk, reason="no longer needed")
    assert CaseAccess.objects.filter(pk=holder.pk).exists()


def test_one_access_manager_alone_cannot_lift_a_restriction_to_read_the_case(org, manager):
    person = make_person(org)
    case_access_add(actor=manager.user, crn=person.crn, kind="restriction", staff_code=org.po.code, reason="x")
    with pytest.raises(ValidationFailed) as exc:
        restriction_lift(actor=manager.user, crn=person.crn, reason="I want to read it")
    assert "put you on it" in _fields(exc)["reason"]
    assert person not in people_visible_to(manager.user)
    # A second access manager puts the first on the list; then the first may lift it.
    staff_set_access_manager(username="spo", grant=True)
    org.spo.refresh_from_db()
    case_access_add(actor=org.spo.user, crn=person.crn, kind="restriction", staff_code=manager.code,
                    reason="To review lifting it")
    assert restriction_lift(actor=manager.user, crn=person.crn, reason="No longer high-profile") == 2
    assert not CaseAccess.objects.filter(person=person).exists()
    assert AuditEvent.objects.filter(action="case_access.restriction_lifted", crn=person.crn).exists()
    assert AuditEvent.objects.filter(action="case_access.removed", crn=person.crn).count() == 2


def test_nobody_is_on_both_lists_of_a_case(org, manager):
    person = make_person(org)
    case_access_add(actor=manager.user, crn=person.crn, kind="restriction", staff_code=org.po.code, reason="x")
    with pytest.raises(ValidationFailed) as exc:
        case_access_add(actor=manager.user, crn=person.crn, kind="exclusion", staff_code=org.po.code, reason="x")
    assert "staff_code" in _fields(exc)


@pytest.mark.parametrize(
    ("crn", "kind", "staff_code", "field"),
    [("X999999", "exclusion", "N07A002", "crn"), ("nonsense", "exclusion", "N07A002", "crn"),
     (None, "sideways", "N07A002", "kind"), (None, "exclusion", "NOPE", "staff_code"),
     (None, "exclusion", "", "staff_code"), (None, "exclusion", "N07A\x00002", "staff_code")],
    ids=["unknown_crn", "malformed_crn", "unknown_list", "unknown_staff", "no_staff", "nul_in_staff_code"],
)
def test_bad_input_names_the_field_and_changes_nothing(org, manager, crn, kind, staff_code, field):
    person = make_person(org)
    with pytest.raises(ValidationFailed) as exc:
        case_access_add(actor=manager.user, crn=crn or person.crn, kind=kind, staff_code=staff_code, reason="x")
    assert field in _fields(exc)
    assert not CaseAccess.objects.exists()


# --- what an access manager sees ---------------------------------------------------------------------------------

def test_a_manager_who_may_not_see_a_case_sees_only_its_crn_and_members(org, manager):
    person = make_person(org, first_name="Secretive", last_name="Person")
    case_access_add(actor=manager.user, crn=person.crn, kind="restriction", staff_code=org.po.code,
                    reason="Sister of a colleague")
    [case] = limited_access_cases(actor=manager.user)
    assert (case.crn, case.name, case.visible) == (person.crn, "", False)
    assert [e.reason for e in case.entries] == [""]
    page = _client("hos").get("/access-lists/").content.decode()
    assert person.crn in page and org.po.name in page
    assert "Secretive" not in page and "Sister of a colleague" not in page


def test_the_pages_add_and_remove_with_gov_uk_errors(org, manager):
    person = make_person(org)
    client = _client("hos")
    bad = client.post("/access-lists/", {"crn": person.crn, "kind": "exclusion", "staff_code": org.po.code,
                                         "reason": ""})
    assert bad.status_code == 200
    body = bad.content.decode()
    assert "There is a problem" in body and "Enter why the list is being changed" in body
    assert not CaseAccess.objects.exists()
    ok = client.post("/access-lists/", {"crn": person.crn, "kind": "exclusion", "staff_code": org.po2.code,
                                        "reason": "Neighbour"})
    assert ok.status_code == 302
    entry = CaseAccess.objects.get()
    assert client.get(f"/access-lists/{entry.pk}/remove/").status_code == 200
    assert client.post(f"/access-lists/{entry.pk}/remove/", {"reason": "Moved"}).status_code == 302
    assert not CaseAccess.objects.exists()


def test_the_team_spo_sees_each_change_to_the_lists_of_the_team_cases(org, manager):
    person = make_person(org)
    case_access_add(actor=manager.user, crn=person.crn, kind="exclusion", staff_code=org.po2.code,
                    reason="Knows the family")
    page = _client("spo").get(f"/team/{org.team_a.code}/").content.decode()
    assert "Changes to restriction and exclusion lists" in page
    assert person.crn in page and "Knows the family" in page and org.po2.name in page
    other_team = _client("admin").get(f"/team/{org.team_b.code}/").content.decode()
    assert "Knows the family" not in other_team


def test_the_team_page_shows_no_reason_for_a_case_the_spo_may_not_see(org, manager):
    person = make_person(org)
    case_access_add(actor=manager.user, crn=person.crn, kind="exclusion", staff_code=org.spo.code,
                    reason="The SPO's neighbour")
    page = _client("spo").get(f"/team/{org.team_a.code}/").content.decode()
    assert person.crn in page and "The SPO&#x27;s neighbour" not in page and "The SPO's neighbour" not in page


# --- the Django admin --------------------------------------------------------------------------------------------

def test_the_django_admin_has_no_access_list_pages(org):
    person = make_person(org)
    CaseAccess.objects.create(person=person, staff=org.po, kind="restriction", reason="High-profile case")
    client = _client("admin")
    assert client.get("/django-admin/people/caseaccess/").status_code == 404
    response = client.post("/django-admin/people/caseaccess/add/",
                           {"person": person.pk, "staff": org.admin.pk, "kind": "restriction", "reason": "mine"})
    assert response.status_code == 404
    assert not CaseAccess.objects.filter(staff=org.admin).exists()
    assert person not in people_visible_to(org.admin.user)
    index = client.get("/django-admin/").content.decode()
    assert "caseaccess" not in index.lower()


def test_the_admin_audit_list_shows_a_restricted_case_to_nobody_off_its_list(org, manager):
    person = make_person(org)
    CaseAccess.objects.create(person=person, staff=org.po, kind="restriction", reason="High-profile case")
    for reader in (org.admin, org.qa, manager):
        assert not audit_events_visible_to(reader.user).filter(crn=person.crn).exists()
    assert audit_events_visible_to(org.po.user).filter(crn=person.crn).exists()


# --- refused attempts to open a case -----------------------------------------------------------------------------

@pytest.mark.parametrize("where", ["page", "api"])
def test_a_refused_attempt_to_open_a_case_is_audited_and_looks_like_no_case(org, where):
    hidden = make_person(org)
    CaseAccess.objects.create(person=hidden, staff=org.po, kind="restriction", reason="x")
    if where == "page":
        client = _client("po2")
        hidden_response, missing_response = client.get(f"/case/{hidden.crn}/"), client.get("/case/X999998/")
    else:
        token = token_create(username="po2")
        client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
        hidden_response = client.get(f"/api/v1/people/{hidden.crn}")
        missing_response = client.get("/api/v1/people/X999998")
    assert hidden_response.status_code == missing_response.status_code == 404
    if where == "api":
        assert hidden_response.json()["detail"].replace(hidden.crn, "C") == \
            missing_response.json()["detail"].replace("X999998", "C")
    refused = {e.crn: e.after for e in AuditEvent.objects.filter(action="case.open_refused", actor=org.po2.user)}
    assert refused == {hidden.crn: {"case_exists": True}, "X999998": {"case_exists": False}}


def test_opening_a_case_one_may_see_is_not_a_refusal(org):
    person = make_person(org)
    assert _client("po").get(f"/case/{person.crn}/").status_code == 200
    assert not AuditEvent.objects.filter(action="case.open_refused").exists()


def test_an_unknown_entry_is_not_found(org, manager):
    with pytest.raises(NotFound):
        case_access_remove(actor=manager.user, entry_id=999999, reason="x")
    assert _client("hos").get("/access-lists/999999/remove/").status_code == 404


@pytest.mark.parametrize("kind", ["exclusion", "restriction"])
def test_a_case_cannot_be_allocated_to_someone_its_lists_keep_from_it(org, manager, kind):
    from openprobation.sentences.services import event_allocate

    person = make_person(org)
    if kind == "exclusion":
        case_access_add(actor=manager.user, crn=person.crn, kind="exclusion", staff_code=org.po2.code, reason="x")
    else:
        case_access_add(actor=manager.user, crn=person.crn, kind="restriction", staff_code=org.po.code, reason="x")
    with pytest.raises(ValidationFailed) as exc:
        event_allocate(actor=org.spo.user, person=person, number=1, practitioner=org.po2.code,
                       start_date=person.events.get().sentence_date, reason="Caseload balance")
    assert "access manager" in _fields(exc)["practitioner"]
    person.refresh_from_db()
    assert person.practitioner == org.po


def test_an_access_manager_reads_only_the_access_history_of_a_case_they_may_not_see(org, manager):
    from openprobation.people.services import person_update

    person = make_person(org, first_name="Hidden", last_name="Name")
    case_access_add(actor=manager.user, crn=person.crn, kind="restriction", staff_code=org.po.code,
                    reason="Sister of a colleague")
    person_update(actor=org.po.user, person=person, version=person.version, changes={"first_name": "Renamed"})
    _client("po").get(f"/case/{person.crn}/")
    page = _client("hos").get(f"/access-lists/audit/{person.crn}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Added someone to the case&#x27;s access list" in body and "Opened the case" in body
    for secret in ("Created the case", "Changed personal details", "Hidden", "Renamed", "Sister of a colleague"):
        assert secret not in body, secret
    assert AuditEvent.objects.filter(action="case.audit_read", crn=person.crn, actor=manager.user).exists()
    assert _client("admin").get(f"/access-lists/audit/{person.crn}/").status_code == 403
    assert _client("admin").get(f"/case/{person.crn}/audit/").status_code == 404
    assert _client("hos").get("/access-lists/audit/X999997/").status_code == 404


def test_an_access_manager_reads_the_whole_history_of_a_case_they_may_see(org, manager):
    person = make_person(org, first_name="Visible")
    case_access_add(actor=manager.user, crn=person.crn, kind="exclusion", staff_code=org.po2.code, reason="Neighbour")
    body = _client("hos").get(f"/access-lists/audit/{person.crn}/").content.decode()
    assert "Created the case" in body and "Neighbour" in body


@pytest.mark.parametrize("kind", ["exclusion", "restriction"])
def test_a_new_event_cannot_be_allocated_to_someone_the_lists_keep_from_the_case(org, manager, kind):
    import datetime as dt

    from openprobation.sentences.models import Event
    from openprobation.sentences.services import RequirementInput, event_create

    person = make_person(org)
    if kind == "exclusion":
        case_access_add(actor=manager.user, crn=person.crn, kind="exclusion", staff_code=org.po2.code, reason="x")
    else:
        case_access_add(actor=manager.user, crn=person.crn, kind="restriction", staff_code=org.po.code, reason="x")
    with pytest.raises(ValidationFailed) as exc:
        event_create(actor=org.spo.user, person=person, offence_code="00101", conviction_date=dt.date(2026, 2, 1),
                     sentence_date=dt.date(2026, 2, 1), sentence_type="community_order", length_months=12,
                     requirements=[RequirementInput(type="unpaid_work", length=100)], practitioner=org.po2.code)
    assert "access manager" in _fields(exc)["practitioner"]
    assert Event.objects.filter(person=person).count() == 1  # nothing saved


def test_the_page_lifts_a_restriction_with_a_reason(org, manager):
    person = make_person(org)
    case_access_add(actor=manager.user, crn=person.crn, kind="restriction", staff_code=org.po.code, reason="x")
    CaseAccess.objects.create(person=person, staff=manager, kind="restriction", reason="put on by another manager")
    client = _client("hos")
    assert "Lift the restriction" in client.get("/access-lists/").content.decode()
    assert "Enter why" in client.post(f"/access-lists/lift/{person.crn}/", {"reason": ""}).content.decode()
    assert client.post(f"/access-lists/lift/{person.crn}/", {"reason": "Trial over"}).status_code == 302
    assert not CaseAccess.objects.filter(person=person).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="SQLite lets one writer in at a time anyway")
def test_an_allocation_and_an_exclusion_racing_never_leave_the_holder_excluded():
    import itertools

    from openprobation.sentences.services import event_allocate
    from tests.concurrency import run_together
    from tests.factories import make_org

    org = make_org()
    staff_set_access_manager(username="hos", grant=True)
    org.hos.refresh_from_db()
    for _ in range(6):
        person = make_person(org)
        start = person.events.get().sentence_date
        turns = itertools.count()

        def act(person=person, start=start, turns=turns) -> object:
            if next(turns) % 2 == 0:
                return case_access_add(actor=org.hos.user, crn=person.crn, kind="exclusion", staff_code=org.po2.code,
                                       reason="Neighbour")
            return event_allocate(actor=org.spo.user, person=person, number=1, practitioner=org.po2.code,
                                  start_date=start, reason="Balance")

        outcomes = run_together(2, act)
        person.refresh_from_db()
        excluded = CaseAccess.objects.filter(person=person, staff=org.po2, kind="exclusion").exists()
        assert not (excluded and person.practitioner_id == org.po2.pk), outcomes
        assert sum(isinstance(o, ValidationFailed) for o in outcomes) == 1, outcomes


def test_an_administrator_cannot_move_an_account_onto_a_staff_record_on_a_list(org):
    person = make_person(org)
    CaseAccess.objects.create(person=person, staff=org.spo, kind="restriction", reason="x")
    CaseAccess.objects.create(person=person, staff=org.po, kind="restriction", reason="x")
    page = _client("admin").get(f"/django-admin/organisation/staff/{org.spo.pk}/change/").content.decode()
    assert 'name="user"' not in page  # shown, not editable
    assert person not in people_visible_to(org.admin.user)


def test_a_member_of_staff_on_a_list_cannot_be_deleted_to_drop_the_entry(org):
    person = make_person(org)
    CaseAccess.objects.create(person=person, staff=org.admin, kind="exclusion", reason="Relative")
    client = _client("admin")
    client.post(f"/django-admin/organisation/staff/{org.admin.pk}/delete/", {"post": "yes"})
    assert CaseAccess.objects.filter(staff=org.admin, kind="exclusion").exists()
    assert person not in people_visible_to(org.admin.user)


def test_an_administrator_sets_only_their_own_password_in_the_admin(org, capsys):
    from django.contrib.auth import get_user_model

    client = _client("admin")
    other = client.post(f"/django-admin/auth/user/{org.spo.user.pk}/password/",
                        {"password1": "another-long-passphrase", "password2": "another-long-passphrase",
                         "usable_password": "true"})
    assert other.status_code == 403
    assert get_user_model().objects.get(username="spo").check_password(PASSWORD)
    own = client.post("/django-admin/password_change/", {"old_password": PASSWORD,
                                                        "new_password1": "my-own-new-passphrase",
                                                        "new_password2": "my-own-new-passphrase"})
    assert own.status_code == 302
    assert AuditEvent.objects.filter(action="user.password_changed", actor=org.admin.user).exists()


def test_a_server_operator_sets_a_password_with_the_command_audited(org, monkeypatch, capsys):
    import io

    from django.contrib.auth import get_user_model

    monkeypatch.setattr("sys.stdin", io.StringIO("a-brand-new-passphrase\n"))
    assert cli.main(["set-password", "spo", "--password-stdin"]) == 0
    assert get_user_model().objects.get(username="spo").check_password("a-brand-new-passphrase")
    event = AuditEvent.objects.get(action="user.password_set")
    assert event.after == {"username": "spo", "password": "changed"}
    assert event.actor_name.startswith("command line (") and event.actor_name != "command line ()"
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert cli.main(["set-password", "spo", "--password-stdin"]) == 2
    assert cli.main(["set-password", "nobody", "--password-stdin"]) == 2


@pytest.mark.parametrize("page", ["/django-admin/auth/user/add/", "/django-admin/organisation/staff/add/"])
def test_an_administrator_cannot_add_an_account_or_staff_record_in_the_admin(org, page):
    """An account the administrator made, with a staff record of its own, would be on no exclusion list."""
    client = _client("admin")
    assert client.get(page).status_code == 403
    response = client.post(page, {"username": "shadow", "password1": "Sh4dow-pass-xyz-91",
                                  "password2": "Sh4dow-pass-xyz-91", "code": "SHADOW01", "first_name": "S",
                                  "last_name": "S", "grade": "other", "role": "administrator",
                                  "contracted_hours": "37.0"})
    assert response.status_code == 403
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(username="shadow").exists()
