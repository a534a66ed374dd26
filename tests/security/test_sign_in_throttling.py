"""Sign-in throttling protects without locking anyone out: limits by a username from one address and by one address
over all usernames, counted atomically before the password check; nothing deleted on success; failures, refusals,
sign-outs and cleared blocks audited; an administrator sees and clears blocks. And every account, group and password
change made in the Django admin is audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client, RequestFactory

from openprobation.core import clock
from openprobation.core.models import AuditEvent, SignInThrottle
from openprobation.core.sign_in import TooManyAttempts, client_address, sign_in_check
from tests.concurrency import run_together
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

ATTACKER, USER_DESK = "203.0.113.9", "198.51.100.20"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.SIGN_IN_MAX_FAILURES = 5
    settings.SIGN_IN_MAX_FAILURES_PER_ADDRESS = 20
    settings.SIGN_IN_FAILURE_WINDOW_SECONDS = 900
    settings.TRUSTED_PROXY_COUNT = 0


def _attempt(username: str, password: str, address: str = ATTACKER):
    request = RequestFactory().post("/sign-in/", REMOTE_ADDR=address)
    return sign_in_check(request=request, username=username, password=password)


def _fail_times(n: int, username: str = "po", address: str = ATTACKER) -> int:
    """Wrong passwords n times; how many were refused unchecked."""
    refused = 0
    for _ in range(n):
        try:
            assert _attempt(username, "wrong", address) is None
        except TooManyAttempts:
            refused += 1
    return refused


@pytest.mark.parametrize(("failures", "blocked"), [(4, False), (5, True), (6, True)],
                         ids=["below_limit", "at_limit", "above_limit"])
def test_a_username_from_one_address_is_blocked_at_the_limit(org, failures, blocked):
    assert _fail_times(failures) == max(0, failures - 5)
    if blocked:
        with pytest.raises(TooManyAttempts):
            _attempt("po", PASSWORD)
    else:
        assert _attempt("po", PASSWORD) is not None


def test_the_real_user_signs_in_from_elsewhere_while_a_guesser_is_blocked(org):
    _fail_times(8)
    assert _attempt("po", PASSWORD, USER_DESK) is not None


@pytest.mark.parametrize(("failures", "blocked"), [(19, False), (20, True), (21, True)],
                         ids=["below_limit", "at_limit", "above_limit"])
def test_one_address_spraying_many_accounts_is_blocked_at_the_address_limit(org, failures, blocked):
    refused = 0
    for i in range(failures):
        refused += _fail_times(1, username=f"user{i % 40}")
    assert refused == max(0, failures - 20)
    if blocked:
        with pytest.raises(TooManyAttempts):
            _attempt("spo", PASSWORD)
        assert _attempt("spo", PASSWORD, USER_DESK) is not None
    else:
        assert _attempt("spo", PASSWORD) is not None


def test_a_success_does_not_wipe_failures_it_only_gives_back_its_own_place(org):
    _fail_times(4)
    assert _attempt("po", PASSWORD) is not None
    assert _fail_times(1) == 0
    with pytest.raises(TooManyAttempts):
        _attempt("po", PASSWORD)


def test_failures_from_another_address_survive_a_success(org):
    _fail_times(3)
    assert _attempt("po", PASSWORD, USER_DESK) is not None
    row = SignInThrottle.objects.get(scope="username_address", key=f"po@{ATTACKER}")
    assert row.failures == 3


def test_a_new_window_starts_afresh(org, monkeypatch):
    start = dt.datetime(2026, 12, 5, 9, 0, tzinfo=dt.UTC)
    monkeypatch.setattr(clock, "now", lambda: start + dt.timedelta(seconds=10))
    _fail_times(5)
    monkeypatch.setattr(clock, "now", lambda: start + dt.timedelta(seconds=899))
    with pytest.raises(TooManyAttempts) as exc:
        _attempt("po", PASSWORD)
    assert exc.value.minutes == 1
    monkeypatch.setattr(clock, "now", lambda: start + dt.timedelta(seconds=900))
    assert _attempt("po", PASSWORD) is not None


def test_a_username_over_150_characters_is_refused_by_the_form(org):
    response = Client(REMOTE_ADDR=ATTACKER).post("/sign-in/", {"username": "a" * 400, "password": "wrong"})
    assert response.status_code == 200 and "There is a problem" in response.content.decode()


@pytest.mark.parametrize("username", ["a" * 41, "a" * 150, "名前" * 30], ids=["41", "150", "unicode"])
def test_a_long_username_is_refused_and_audited_never_a_500(org, username):
    client = Client(REMOTE_ADDR=ATTACKER)
    for _ in range(6):
        response = client.post("/sign-in/", {"username": username, "password": "wrong"})
        assert response.status_code == 200
    assert AuditEvent.objects.filter(action="sign_in.failed").count() == 5
    assert AuditEvent.objects.filter(action="sign_in.refused_throttled").count() == 1


def test_old_windows_are_deleted_as_new_ones_are_made(org, monkeypatch):
    start = dt.datetime(2026, 12, 5, 9, 0, tzinfo=dt.UTC)
    monkeypatch.setattr(clock, "now", lambda: start)
    _fail_times(2)
    assert SignInThrottle.objects.count() == 2
    monkeypatch.setattr(clock, "now", lambda: start + dt.timedelta(days=1, minutes=16))
    _fail_times(1, username="spo")
    assert set(SignInThrottle.objects.values_list("key", flat=True)) == {f"spo@{ATTACKER}", ATTACKER}
    assert SignInThrottle.objects.filter(window_start__lt=start + dt.timedelta(days=1)).count() == 0


def test_failures_and_refusals_are_audited_without_the_password(org):
    _fail_times(6)
    failed = AuditEvent.objects.filter(action="sign_in.failed")
    assert failed.count() == 5
    assert failed.first().after == {"username": "po", "address": ATTACKER}
    assert AuditEvent.objects.filter(action="sign_in.refused_throttled").count() == 1
    assert not AuditEvent.objects.filter(after__icontains="wrong").exists()


@pytest.mark.parametrize(("proxies", "forwarded", "expected"),
                         [(0, "192.0.2.1", "10.0.0.1"), (1, "192.0.2.1", "192.0.2.1"),
                          (1, "6.6.6.6, 192.0.2.1", "192.0.2.1"), (2, "192.0.2.1", "10.0.0.1")],
                         ids=["no_proxy_trusted", "one_proxy", "spoofed_entry_ignored", "fewer_entries_than_proxies"])
def test_the_address_behind_trusted_proxies(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


def test_the_sign_in_page_says_what_to_do_when_blocked(org):
    client = Client(REMOTE_ADDR=ATTACKER)
    for _ in range(5):
        client.post("/sign-in/", {"username": "po", "password": "wrong"})
    page = client.post("/sign-in/", {"username": "po", "password": PASSWORD}).content.decode()
    assert "too many failed attempts to sign in from this device" in page
    assert "administrator to clear the block" in page


def test_an_administrator_sees_and_clears_a_block_audited(org):
    _fail_times(5)
    admin = Client()
    admin.force_login(org.admin.user)
    listing = admin.get("/django-admin/core/signinthrottle/").content.decode()
    assert f"po@{ATTACKER}" in listing
    row = SignInThrottle.objects.get(scope="username_address")
    response = admin.post("/django-admin/core/signinthrottle/",
                          {"action": "clear_throttles", "_selected_action": [row.pk]})
    assert response.status_code == 302
    assert not SignInThrottle.objects.filter(pk=row.pk).exists()
    cleared = AuditEvent.objects.get(action="sign_in.throttle_cleared")
    assert cleared.actor == org.admin.user and cleared.before["key"] == f"po@{ATTACKER}"
    assert _attempt("po", PASSWORD) is not None


@pytest.mark.parametrize("where", ["service", "django_admin"])
def test_sign_outs_are_audited(org, where):
    client = Client()
    client.force_login(org.admin.user)
    client.post("/sign-out/" if where == "service" else "/django-admin/logout/")
    assert AuditEvent.objects.filter(action="user.signed_out", actor=org.admin.user).count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="SQLite lets one writer in at a time anyway")
def test_simultaneous_guesses_get_no_more_password_checks_than_the_limit():
    from tests.factories import make_org

    make_org()
    def guess() -> str:
        try:
            return "checked" if _attempt("po", "wrong") is None else "signed_in"
        except TooManyAttempts:
            return "refused"

    outcomes = run_together(40, guess)
    assert outcomes.count("checked") == 5 and outcomes.count("refused") == 35
    assert AuditEvent.objects.filter(action="sign_in.failed").count() == 5
    assert connection.vendor == "postgresql"


# --- the Django admin's changes to accounts ------------------------------------------------------------------------

def _admin(org) -> Client:
    client = Client()
    client.force_login(org.admin.user)
    return client


def test_ticking_staff_and_superuser_in_the_admin_is_audited(org):
    user = org.po.user
    data = {"username": "po", "first_name": "Po", "last_name": "Tester", "email": "", "is_active": "on",
            "is_staff": "on", "is_superuser": "on", "date_joined_0": "2026-11-24", "date_joined_1": "12:00:00",
            "initial-date_joined_0": "2026-11-24", "initial-date_joined_1": "12:00:00", "_save": "Save"}
    response = _admin(org).post(f"/django-admin/auth/user/{user.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(action="admin.user.changed")
    assert event.actor == org.admin.user
    assert event.before["is_staff"] is False and event.after["is_staff"] is True
    assert event.after["is_superuser"] is True
    assert "password" not in event.after


def test_setting_a_password_in_the_admin_is_audited_without_the_password_or_its_hash(org):
    user = org.admin.user  # the admin sets only their own (another person's: `openprobation set-password`)
    response = _admin(org).post(f"/django-admin/auth/user/{user.pk}/password/",
                                {"password1": "another-long-passphrase", "password2": "another-long-passphrase",
                                 "usable_password": "true"})
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="admin.user.password_set")
    assert event.after == {"username": "admin", "password": "changed"}
    user.refresh_from_db()
    assert user.password not in str(event.after) and "another-long-passphrase" not in str(event.after)


def test_group_permission_changes_in_the_admin_are_audited(org):
    from django.contrib.auth.models import Group, Permission

    permission = Permission.objects.get(codename="view_auditevent")
    response = _admin(org).post("/django-admin/auth/group/add/", {"name": "Auditors",
                                                                   "permissions": [permission.pk], "_save": "Save"})
    assert response.status_code == 302
    group = Group.objects.get(name="Auditors")
    event = AuditEvent.objects.get(action="admin.group.added")
    assert event.entity_id == str(group.pk)
    assert event.after["permissions"] == [str(permission)]
