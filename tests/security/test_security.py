"""Security settings and mechanisms: password hashing, sign-in throttling, sessions, CSP, the audit trail."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, transaction
from django.test import Client

from openprobation.core.audit import audit_record
from openprobation.core.models import AuditEvent
from openprobation.core.tokens import token_create, token_user
from openprobation.organisation.services import staff_create
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_production_hasher_is_argon2(settings):
    from openprobation import settings as project_settings

    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS  # undo the fast test hasher
    staff_create(
        username="newpo",
        password="a-long-enough-passphrase",
        first_name="New",
        last_name="Officer",
        grade="po",
        role="administrator",
        team=None,
    )
    user = get_user_model().objects.get(username="newpo")
    assert user.password.startswith("argon2$")
    assert user.check_password("a-long-enough-passphrase")


@pytest.mark.parametrize(
    ("password", "accepted"),
    [
        ("short", False),
        ("password123456", False),  # too common
        ("123456789012345", False),  # numeric
        ("a-long-enough-passphrase", True),
    ],
    ids=["too_short", "common", "numeric", "long_passphrase"],
)
def test_weak_passwords_are_refused(db, password, accepted):
    from openprobation.core.errors import ValidationFailed

    try:
        staff_create(
            username="someone",
            password=password,
            first_name="Some",
            last_name="One",
            grade="po",
            role="administrator",
            team=None,
        )
        created = True
    except ValidationFailed as exc:
        assert {e.dotted for e in exc.errors} == {"password"}
        created = False
    assert created is accepted
    assert get_user_model().objects.filter(username="someone").exists() is accepted


def _sign_in(client: Client, username: str, password: str):
    return client.post("/sign-in/", {"username": username, "password": password})


@pytest.mark.parametrize(
    ("failures", "locked"), [(4, False), (5, True), (6, True)], ids=["one_below_limit", "at_limit", "above_limit"]
)
def test_failed_sign_ins_are_throttled_per_username_from_an_address(org, settings, failures, locked):
    settings.SIGN_IN_MAX_FAILURES = 5
    from django.test import RequestFactory

    from openprobation.core.sign_in import TooManyAttempts, sign_in_check

    request = RequestFactory().post("/sign-in/")
    for attempt in range(1, failures + 1):
        try:
            assert sign_in_check(request=request, username="po", password="wrong") is None
        except TooManyAttempts:
            assert attempt > settings.SIGN_IN_MAX_FAILURES
    if locked:
        with pytest.raises(TooManyAttempts):
            sign_in_check(request=request, username="po", password=PASSWORD)
    else:
        assert sign_in_check(request=request, username="po", password=PASSWORD) is not None


def test_session_and_csrf_cookies_are_secure_in_production():
    # Production (no demo, no debug) defaults: see settings.HTTPS.
    if django_settings.DEMO_MODE or django_settings.DEBUG:
        pytest.skip("running with demo or debug settings")
    assert django_settings.SESSION_COOKIE_SECURE and django_settings.CSRF_COOKIE_SECURE
    assert django_settings.SESSION_COOKIE_HTTPONLY
    assert django_settings.X_FRAME_OPTIONS == "DENY"
    assert django_settings.DEBUG is False


def test_every_page_has_a_strict_content_security_policy(org):
    response = Client().get("/api/v1/openapi.json")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy


def test_tokens_are_stored_only_as_digests(org):
    token = token_create(username="po")
    from openprobation.core.models import ApiToken

    row = ApiToken.objects.get()
    assert token not in (row.digest, row.prefix)
    assert token_user(token) == org.po.user
    assert token_user(token + "x") is None
    assert token_user("not-a-token") is None


def test_audit_events_cannot_be_changed_through_the_orm(org):
    event = audit_record(actor=org.po.user, action="test.done", crn="X000001")
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(action="changed")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()


def test_audit_events_cannot_be_changed_in_the_database(org):
    event = audit_record(actor=org.po.user, action="test.done", crn="X000001")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET action = 'changed' WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "test.done"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite keeps DELETE for the test runner")
def test_audit_events_cannot_be_deleted_in_postgresql(org):
    event = audit_record(actor=org.po.user, action="test.done", crn="X000001")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_admin_changes_are_audited(org):
    client = Client()
    client.force_login(org.admin.user)
    response = client.post(
        f"/django-admin/organisation/team/{org.team_b.pk}/change/",
        {"pdu": org.team_b.pdu_id, "code": org.team_b.code, "name": "Islington North"},
    )
    assert response.status_code == 302, response.content[:500]
    event = AuditEvent.objects.get(action="admin.team.changed")
    assert (event.before, event.after) == ({"name": "Islington Team 1"}, {"name": "Islington North"})
    assert event.actor_name == "admin"


def test_audit_trail_is_read_only_in_admin(org):
    audit_record(actor=org.po.user, action="test.done", crn="X000001")
    client = Client()
    client.force_login(org.admin.user)
    assert client.get("/django-admin/core/auditevent/").status_code == 200
    assert client.get("/django-admin/core/auditevent/add/").status_code == 403


# --- the Django admin's audit list obeys restriction and exclusion lists ---------------------------------------


@pytest.mark.parametrize("kind", ["restriction", "exclusion"])
def test_admin_audit_list_leaves_out_events_of_cases_hidden_from_the_administrator(org, kind):
    from openprobation.people.models import CaseAccess
    from tests.factories import make_person

    visible = make_person(org, crn="X810001")
    hidden = make_person(org, crn="X810002")
    named = org.po if kind == "restriction" else org.admin  # a restriction not naming the admin; or excluding them
    CaseAccess.objects.create(person=hidden, staff=named, kind=kind, reason="Staff member's relative")
    audit_record(actor=org.po.user, action="test.done")  # about no case
    client = Client()
    client.force_login(org.admin.user)

    listing = client.get("/django-admin/core/auditevent/")
    html = listing.content.decode()
    assert listing.status_code == 200
    assert f'field-crn">{visible.crn}<' in html and "test.done" in html
    assert hidden.crn not in html
    searched = client.get("/django-admin/core/auditevent/", {"q": hidden.crn}).content.decode()
    assert f'field-crn">{hidden.crn}<' not in searched and "0 results" in searched
    hidden_event = AuditEvent.objects.filter(crn=hidden.crn).first()
    detail = client.get(f"/django-admin/core/auditevent/{hidden_event.pk}/change/", follow=True)
    assert hidden.crn not in detail.content.decode()
    visible_event = AuditEvent.objects.filter(crn=visible.crn).first()
    assert client.get(f"/django-admin/core/auditevent/{visible_event.pk}/change/").status_code == 200


def test_audit_events_visible_to_follows_people_visible_to(org):
    from openprobation.people.access import audit_events_visible_to
    from openprobation.people.models import CaseAccess
    from tests.factories import make_person

    team_a = make_person(org, crn="X820001")
    team_b = make_person(org, crn="X820002", practitioner=org.po_b)
    CaseAccess.objects.create(person=team_a, staff=org.po2, kind="exclusion", reason="Known to the officer")
    audit_record(actor=None, action="test.done")
    audit_record(actor=None, action="test.done", crn="X829999")  # a CRN with no case

    def crns(staff) -> set[str]:
        return set(audit_events_visible_to(staff.user).values_list("crn", flat=True))

    assert crns(org.po) == {"", team_a.crn}
    assert crns(org.po2) == {""}
    assert crns(org.po_b) == {"", team_b.crn}
    assert crns(org.admin) == {"", team_a.crn, team_b.crn}


# --- the published demo password signs in only in demo mode --------------------------------------------------------


@pytest.fixture
def demo_account(db):
    from openprobation.core.sign_in import DEMO_PASSWORD

    staff_create(
        username="demoadmin",
        password=DEMO_PASSWORD,
        first_name="Demo",
        last_name="Admin",
        grade="other",
        role="administrator",
        team=None,
        check_password=False,
    )
    return DEMO_PASSWORD


def _admin_sign_in(client: Client, username: str, password: str):
    return client.post("/django-admin/login/?next=/django-admin/", {"username": username, "password": password})


@pytest.mark.parametrize("demo_mode", [False, True], ids=["demo_off", "demo_on"])
@pytest.mark.parametrize("where", ["service", "django_admin"])
def test_demo_password_signs_in_only_in_demo_mode(settings, demo_account, demo_mode, where):
    settings.DEMO_MODE = demo_mode
    client = Client()
    response = (_sign_in if where == "service" else _admin_sign_in)(client, "demoadmin", demo_account)
    assert response.status_code == (302 if demo_mode else 200)
    signed_in = "_auth_user_id" in client.session
    assert signed_in is demo_mode
    assert AuditEvent.objects.filter(action="sign_in.failed", after__username="demoadmin").exists() is not demo_mode
    assert AuditEvent.objects.filter(action="user.signed_in").exists() is demo_mode


@pytest.mark.parametrize("demo_mode", [False, True], ids=["demo_off", "demo_on"])
def test_demo_password_is_refused_by_every_password_check_outside_demo_mode(settings, demo_account, demo_mode):
    from django.contrib.auth import authenticate

    settings.DEMO_MODE = demo_mode
    assert (authenticate(None, username="demoadmin", password=demo_account) is not None) is demo_mode


@pytest.mark.parametrize(
    ("failures", "locked"), [(4, False), (5, True), (6, True)], ids=["below_limit", "at_limit", "above_limit"]
)
def test_django_admin_sign_in_is_throttled_like_the_service(org, settings, failures, locked):
    settings.SIGN_IN_MAX_FAILURES = 5
    client = Client()
    for _ in range(failures):
        assert _admin_sign_in(client, "admin", "wrong").status_code == 200
    # refused unchecked once locked
    assert AuditEvent.objects.filter(action="sign_in.failed", after__username="admin").count() == min(failures, 5)
    response = _admin_sign_in(client, "admin", PASSWORD)
    assert ("_auth_user_id" in client.session) is not locked
    if locked:
        assert "too many failed attempts" in response.content.decode()


def test_demo_password_check_refuses_before_asking_the_password_hash(settings, demo_account):
    from django.test import RequestFactory

    from openprobation.core.sign_in import demo_password_refused, sign_in_check

    settings.DEMO_MODE = False
    assert demo_password_refused(demo_account) and not demo_password_refused(PASSWORD)
    request = RequestFactory().post("/sign-in/")
    assert sign_in_check(request=request, username="demoadmin", password=demo_account) is None
    settings.DEMO_MODE = True
    assert not demo_password_refused(demo_account)


@pytest.mark.parametrize(
    ("username", "admitted"),
    [("admin", True), ("po", False)],
    ids=["administrator_signed_in_and_audited", "practitioner_refused_recorded_as_a_failure"],
)
def test_django_admin_sign_in_audits_only_a_sign_in_that_goes_ahead(org, username, admitted):
    client = Client()
    response = _admin_sign_in(client, username, PASSWORD)
    assert response.status_code == (302 if admitted else 200)
    assert ("_auth_user_id" in client.session) is admitted
    assert AuditEvent.objects.filter(action="user.signed_in", actor__username=username).exists() is admitted
    assert AuditEvent.objects.filter(action="sign_in.failed", after__username=username).exists() is not admitted
