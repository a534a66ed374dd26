"""API tokens expire and can be revoked: the rules, the API's refusal, the `token` commands and the admin."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from openprobation import cli
from openprobation.core import clock
from openprobation.core.errors import NotFound, ValidationFailed
from openprobation.core.models import ApiToken, AuditEvent
from openprobation.core.tokens import (
    MAX_TOKEN_DAYS,
    token_create,
    token_issue,
    token_list,
    token_revoke,
    token_user,
)
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def at(monkeypatch):
    """Set the services' clock: ``at(moment)``; it starts at NOW."""

    def set_now(moment: dt.datetime) -> dt.datetime:
        monkeypatch.setattr(clock, "now", lambda: moment)
        return moment

    set_now(NOW)
    return set_now


def _api(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def _admin_client() -> Client:
    client = Client()
    assert client.login(username="admin", password=PASSWORD)
    return client


# --- expiry --------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("since_expiry", "works"),
    [
        (-dt.timedelta(days=89), True),
        (-dt.timedelta(microseconds=1), True),
        (dt.timedelta(0), False),
        (dt.timedelta(microseconds=1), False),
        (dt.timedelta(days=400), False),
    ],
    ids=["long_before", "an_instant_before_expiry", "at_expiry", "an_instant_after_expiry", "long_after"],
)
def test_a_token_works_until_the_instant_it_expires_and_is_refused_from_then(org, at, since_expiry, works):
    issued = token_issue(username="po")
    assert issued.expires_at == NOW + dt.timedelta(days=90)
    at(issued.expires_at + since_expiry)
    assert (token_user(issued.token) == org.po.user) is works


def test_a_token_without_an_expiry_is_refused(org, at):
    token = token_create(username="po")
    ApiToken.objects.update(expires_at=None)
    assert token_user(token) is None


@pytest.mark.parametrize(
    ("days", "setting", "lasts"),
    [(None, 90, 90), (None, 30, 30), (1, 90, 1), (7, 90, 7), (MAX_TOKEN_DAYS, 90, MAX_TOKEN_DAYS)],
    ids=["default_90", "setting_30", "one_day", "seven_days", "the_longest"],
)
def test_a_token_expires_after_the_days_asked_for_or_the_setting(org, at, settings, days, setting, lasts):
    settings.API_TOKEN_DAYS = setting
    assert token_issue(username="po", days=days).expires_at == NOW + dt.timedelta(days=lasts)
    assert ApiToken.objects.get().expires_at == NOW + dt.timedelta(days=lasts)


@pytest.mark.parametrize("days", [0, -1, MAX_TOKEN_DAYS + 1, 10**9], ids=["zero", "negative", "too_long", "absurd"])
def test_a_lifetime_outside_one_day_to_a_year_is_refused_and_makes_nothing(org, at, days):
    with pytest.raises(ValidationFailed, match=f"from 1 to {MAX_TOKEN_DAYS} days"):
        token_issue(username="po", days=days)
    assert not ApiToken.objects.exists()
    assert not AuditEvent.objects.filter(action="api_token.created").exists()


# --- the API refuses ---------------------------------------------------------------------------------------------

def _revoked(token: str) -> None:
    token_revoke(token, actor=None)


def _expired(token: str) -> None:
    ApiToken.objects.update(expires_at=NOW)


def _no_expiry(token: str) -> None:
    ApiToken.objects.update(expires_at=None)


def _user_deactivated(token: str) -> None:
    get_user_model().objects.filter(username="po").update(is_active=False)


@pytest.mark.parametrize("spoil", [_revoked, _expired, _no_expiry, _user_deactivated],
                         ids=["revoked", "expired", "no_expiry", "user_deactivated"])
def test_a_refused_token_gets_401_problem_json_with_www_authenticate(org, at, spoil):
    token = token_create(username="po")
    assert _api(token).get("/api/v1/people").status_code == 200
    spoil(token)
    response = _api(token).get("/api/v1/people")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/problem+json")
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json()["status"] == 401


def test_using_a_token_records_when_it_was_last_used_at_most_once_a_minute(org, at):
    token = token_create(username="po")
    assert ApiToken.objects.get().last_used_at is None
    assert _api(token).get("/api/v1/people").status_code == 200
    assert ApiToken.objects.get().last_used_at == NOW
    at(NOW + dt.timedelta(seconds=59))
    assert token_user(token) is not None
    assert ApiToken.objects.get().last_used_at == NOW
    later = at(NOW + dt.timedelta(seconds=61))
    assert token_user(token) is not None
    assert ApiToken.objects.get().last_used_at == later


# --- token create ------------------------------------------------------------------------------------------------

def test_token_create_prints_the_token_once_and_the_expiry_to_stderr(org, at, capsys):
    assert cli.main(["token", "create", "po", "--days", "7"]) == 0
    out, err = capsys.readouterr()
    token = out.strip()
    assert token.startswith("op_") and "\n" not in token
    assert token_user(token) == org.po.user
    assert "expires 2026-12-01 12:00 GMT" in err and token not in err
    event = AuditEvent.objects.get(action="api_token.created")
    assert event.actor is None and event.after["expires_at"] == "2026-12-01T12:00:00+00:00"


@pytest.mark.parametrize(
    ("args", "setting", "message"),
    [
        (["--days", "0"], 90, f"error: --days: A token's lifetime must be from 1 to {MAX_TOKEN_DAYS} days, not 0"),
        (["--days", "-3"], 90, "not -3"),
        (["--days", "100000"], 90, "not 100000"),
        ([], 0, f"error: OPENPROBATION_API_TOKEN_DAYS must be from 1 to {MAX_TOKEN_DAYS} days, not 0"),
    ],
    ids=["zero_days", "negative_days", "absurd_days", "bad_setting"],
)
def test_token_create_refuses_a_bad_lifetime_with_exit_2(org, at, capsys, settings, args, setting, message):
    settings.API_TOKEN_DAYS = setting
    assert cli.main(["token", "create", "po", *args]) == 2
    out, err = capsys.readouterr()
    assert out == "" and message in err
    assert not ApiToken.objects.exists()


def test_token_create_for_an_unknown_user_exits_2(org, capsys):
    assert cli.main(["token", "create", "nobody"]) == 2
    assert "No active user called nobody" in capsys.readouterr().err


# --- token list --------------------------------------------------------------------------------------------------

def test_token_list_shows_each_token_with_its_status_and_never_the_token_or_digest(org, at, capsys):
    active = token_issue(username="po")
    expired = token_issue(username="po", days=1)
    revoked = token_issue(username="po")
    token_revoke(revoked.token, actor=None)
    token_create(username="po2")  # someone else's
    at(NOW + dt.timedelta(days=2))
    assert token_user(active.token) is not None
    capsys.readouterr()

    assert cli.main(["token", "list", "po"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split() == ["ID", "PREFIX", "CREATED", "EXPIRES", "LAST", "USED", "STATUS"]
    rows = {int(line.split()[0]): line for line in lines[1:]}
    assert set(rows) == {active.id, expired.id, revoked.id}
    assert rows[active.id].endswith("active") and "2026-11-26 12:00 GMT" in rows[active.id]  # last used
    assert rows[expired.id].endswith("expired") and rows[expired.id].split()[-2] == "never"
    assert rows[revoked.id].endswith("revoked")
    assert active.prefix in rows[active.id] and "2027-02-22 12:00 GMT" in rows[active.id]  # expires
    for row in ApiToken.objects.all():
        assert row.digest not in out
    for issued in (active, expired, revoked):
        assert issued.token not in out
    assert AuditEvent.objects.filter(action="api_token.listed", actor=None).count() == 1


def test_token_list_of_a_user_without_tokens_says_so(org, capsys):
    assert cli.main(["token", "list", "po"]) == 0
    assert capsys.readouterr().out.strip() == "po has no API tokens"


def test_token_list_of_an_unknown_user_exits_2(org, capsys):
    assert cli.main(["token", "list", "nobody"]) == 2
    assert "No user called nobody" in capsys.readouterr().err


def test_token_list_service_gives_newest_first(org, at):
    first = token_issue(username="po")
    at(NOW + dt.timedelta(hours=1))
    second = token_issue(username="po")
    assert [t.id for t in token_list(username="po")] == [second.id, first.id]


# --- token revoke ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("by", ["token", "id"], ids=["by_token", "by_id"])
def test_token_revoke_by_token_or_id_refuses_the_token_from_then_and_is_audited(org, at, capsys, by):
    issued = token_issue(username="po")
    other = token_issue(username="po")
    later = at(NOW + dt.timedelta(minutes=5))
    assert cli.main(["token", "revoke", issued.token if by == "token" else str(issued.id)]) == 0
    out = capsys.readouterr().out
    assert f"Token {issued.id} ({issued.prefix}…) of po is revoked" in out and issued.token not in out
    assert ApiToken.objects.get(pk=issued.id).revoked_at == later
    assert token_user(issued.token) is None
    assert token_user(other.token) == org.po.user  # only that one
    event = AuditEvent.objects.get(action="api_token.revoked")
    # Done from the command line: recorded with the operating-system account that ran it.
    assert event.actor is None and event.actor_name.startswith("command line (")
    assert (event.entity, event.entity_id) == ("user", str(org.po.user.pk))
    assert event.after["token_id"] == issued.id and event.after["prefix"] == issued.prefix


def test_revoking_twice_says_it_was_already_revoked_exits_0_and_changes_nothing(org, at, capsys):
    issued = token_issue(username="po")
    assert cli.main(["token", "revoke", str(issued.id)]) == 0
    at(NOW + dt.timedelta(days=1))
    capsys.readouterr()
    assert cli.main(["token", "revoke", issued.token]) == 0
    assert "was already revoked at 2026-11-24 12:00 GMT; nothing changed" in capsys.readouterr().out
    assert ApiToken.objects.get().revoked_at == NOW
    assert AuditEvent.objects.filter(action="api_token.revoked").count() == 1


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("999999", "No API token has the id 999999"),
        ("op_not-a-real-token", "No API token matches that value"),
        ("anything else", "No API token matches that value"),
        ("9" * 5000, "No API token has the id 99999999999999999999"),
    ],
    ids=["unknown_id", "unknown_token", "not_a_token", "huge_id"],
)
def test_revoking_an_unknown_token_exits_2_without_repeating_it(org, at, capsys, value, message):
    token_create(username="po")
    assert cli.main(["token", "revoke", value]) == 2
    out, err = capsys.readouterr()
    assert out == "" and f"error: {message}" in err
    if not value.isdigit():
        assert value not in err
    assert ApiToken.objects.get().revoked_at is None
    assert not AuditEvent.objects.filter(action="api_token.revoked").exists()


def test_the_revoke_service_refuses_unknown_tokens(org):
    with pytest.raises(NotFound):
        token_revoke(12345, actor=None)


# --- the admin ---------------------------------------------------------------------------------------------------

def test_the_admin_lists_tokens_with_their_status_and_never_a_digest(org, at):
    active = token_issue(username="po")
    revoked = token_issue(username="po2")
    token_revoke(revoked.id, actor=None)
    client = _admin_client()
    page = client.get("/django-admin/core/apitoken/")
    assert page.status_code == 200
    html = page.content.decode()
    assert active.prefix in html and revoked.prefix in html
    assert ">active<" in html and ">revoked<" in html
    detail = client.get(f"/django-admin/core/apitoken/{active.id}/change/")
    assert detail.status_code == 200
    for row in ApiToken.objects.all():
        assert row.digest not in html and row.digest not in detail.content.decode()
    assert "digest" not in html.lower() and "digest" not in detail.content.decode().lower()
    digest = ApiToken.objects.get(pk=active.id).digest
    assert client.get(f"/django-admin/core/apitoken/?digest__startswith={digest[:2]}").status_code == 400


@pytest.mark.parametrize("path", ["add/", "{id}/delete/"], ids=["add", "delete"])
def test_the_admin_cannot_add_or_delete_a_token(org, at, path):
    issued = token_issue(username="po")
    assert _admin_client().get(f"/django-admin/core/apitoken/{path.format(id=issued.id)}").status_code == 403


def test_the_admin_change_page_saves_nothing(org, at):
    issued = token_issue(username="po")
    _admin_client().post(f"/django-admin/core/apitoken/{issued.id}/change/", {"prefix": "changed!"})
    assert ApiToken.objects.get().prefix == issued.prefix


def test_the_admin_revoke_action_revokes_through_the_service_and_is_audited(org, at):
    chosen = [token_issue(username="po"), token_issue(username="po2")]
    left = token_issue(username="po")
    token_revoke(chosen[1].id, actor=None)  # already revoked: counted, not revoked again
    response = _admin_client().post("/django-admin/core/apitoken/", {
        "action": "revoke_tokens", "_selected_action": [str(t.id) for t in chosen],
    }, follow=True)
    assert response.status_code == 200
    assert "Revoked 1 token(s) (1 already revoked)" in response.content.decode()
    assert token_user(chosen[0].token) is None
    assert token_user(left.token) == org.po.user
    events = AuditEvent.objects.filter(action="api_token.revoked").order_by("pk")
    assert [(e.after["token_id"], e.actor_name) for e in events] == [(chosen[1].id, "system"), (chosen[0].id, "admin")]
    assert events.last().actor == org.admin.user


@pytest.mark.parametrize("action", ["create", "list", "revoke"])
def test_every_token_command_has_help(capsys, action):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["token", action, "--help"])
    assert exit_.value.code == 0
    assert f"usage: openprobation token {action}" in capsys.readouterr().out
