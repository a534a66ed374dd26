"""The audit trail is tamper-evident: every event hash-chained to the one before, `openprobation audit verify` finds
the first event changed, removed or never linked, the chain holds under concurrent writers, and on PostgreSQL the
role the service runs as cannot get round it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction

from openprobation import cli
from openprobation.core import audit_chain
from openprobation.core.audit import audit_record, audit_verify
from openprobation.core.models import AuditEvent
from tests.concurrency import run_together

pytestmark = pytest.mark.django_db(transaction=True)  # PostgreSQL links events when their transaction commits

on_postgresql = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL only")


def _write(n: int, *, crn: str = "", **extra: object) -> None:
    for i in range(n):
        with transaction.atomic():
            audit_record(actor=None, action="test.event", crn=crn, entity="thing", entity_id=i,
                         after={"i": i, "ratio": 0.25, "whole": 2.0, "when": dt.date(2026, 12, 5), **extra})


def _tamper(sql: str, params: list[object]) -> None:
    """Change the table behind the service's back, as someone with the owner's rights could."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")  # skips triggers (superuser only)
            cursor.execute(sql, params)
            cursor.execute("SET session_replication_role = DEFAULT")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS core_auditevent_no_update")
            cursor.execute(sql, params)


def _seqs() -> list[int | None]:
    return list(AuditEvent.objects.order_by("id").values_list("seq", flat=True))


def test_an_untouched_trail_verifies_and_is_numbered_from_one_without_gaps():
    _write(5)
    assert _seqs() == [1, 2, 3, 4, 5]
    first = AuditEvent.objects.get(seq=1)
    assert first.prev_hash == audit_chain.GENESIS
    verdict = audit_verify()
    assert verdict.ok and verdict.checked == 5 and verdict.head_seq == 5
    assert verdict.head_hash == AuditEvent.objects.get(seq=5).hash


def test_an_empty_trail_verifies():
    verdict = audit_verify()
    assert verdict.ok and verdict.checked == 0 and verdict.head_seq is None


@pytest.mark.parametrize(
    ("sql", "target_seq", "problem"),
    [
        ("UPDATE core_auditevent SET reason = 'nothing to see' WHERE seq = %s", 3, "content was changed"),
        ("UPDATE core_auditevent SET crn = 'X000001' WHERE seq = %s", 3, "content was changed"),
        ("UPDATE core_auditevent SET after = '{\"i\": 99}' WHERE seq = %s", 3, "content was changed"),
        ("UPDATE core_auditevent SET at = '2020-01-01T00:00:00+00:00' WHERE seq = %s", 3, "content was changed"),
        ("DELETE FROM core_auditevent WHERE seq = %s", 4, "missing"),
        ("UPDATE core_auditevent SET hash = prev_hash WHERE seq = %s", 3, "hash does not match"),
        ("UPDATE core_auditevent SET seq = NULL WHERE seq = %s", 6, "not linked"),
    ],
    ids=["reason_changed", "crn_changed", "details_changed", "time_changed", "event_removed", "hash_replaced",
         "last_event_unlinked"],
)
def test_verify_names_the_first_event_that_was_tampered_with(sql, target_seq, problem, capsys):
    _write(6)
    ids = dict(AuditEvent.objects.values_list("seq", "id"))
    _tamper(sql, [target_seq])
    verdict = audit_verify()
    assert not verdict.ok
    expected_id = ids[target_seq + 1] if "DELETE" in sql else ids[target_seq]
    assert verdict.broken is not None and verdict.broken.event_id == expected_id
    assert problem in verdict.broken.problem
    assert cli.main(["audit", "verify"]) == 1
    assert f"audit event {expected_id}" in capsys.readouterr().err


def test_a_rebuilt_event_with_a_recomputed_content_hash_still_breaks_the_chain():
    _write(4)
    row = AuditEvent.objects.filter(seq=2).values().get()
    row["reason"] = "rewritten"
    forged = audit_chain.row_content_hash(row)
    _tamper("UPDATE core_auditevent SET reason = 'rewritten', content_hash = %s WHERE seq = 2", [forged])
    verdict = audit_verify()
    assert verdict.broken is not None and verdict.broken.seq == 2
    assert "hash does not match" in verdict.broken.problem


def test_verify_from_a_date_starts_there_and_trusts_the_event_before(monkeypatch, capsys):
    from openprobation.core import clock

    for day in (1, 2, 3):
        monkeypatch.setattr(clock, "now", lambda day=day: dt.datetime(2026, 12, day, 12, tzinfo=dt.UTC))
        _write(2)
    _tamper("UPDATE core_auditevent SET reason = 'x' WHERE seq = %s", [1])  # before the date: not checked
    assert audit_verify(since=dt.date(2026, 12, 2)).checked == 4
    assert audit_verify(since=dt.date(2026, 12, 2)).ok
    assert not audit_verify().ok
    assert cli.main(["audit", "verify", "--from", "2026-12-02"]) == 0
    assert "4 audit event(s) checked" in capsys.readouterr().out
    assert cli.main(["audit", "verify", "--from", "yesterday"]) == 2


def test_events_in_one_transaction_are_linked_in_the_order_written():
    with transaction.atomic():
        for i in range(3):
            audit_record(actor=None, action=f"test.step{i}")
    actions = list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))
    assert actions == ["test.step0", "test.step1", "test.step2"]
    assert audit_verify().ok


def test_a_rolled_back_event_leaves_no_gap():
    _write(1)
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(actor=None, action="test.rolled_back")
        raise RuntimeError
    _write(1)
    assert _seqs() == [1, 2]
    assert audit_verify().ok


@on_postgresql
def test_concurrent_writers_build_one_unbroken_chain():
    writers, per_writer = 8, 15

    def write() -> None:
        for i in range(per_writer):
            with transaction.atomic():
                audit_record(actor=None, action="test.concurrent", entity_id=i)
                audit_record(actor=None, action="test.concurrent.second", entity_id=i)

    assert run_together(writers, write) == [None] * writers
    total = writers * per_writer * 2
    assert sorted(s for s in _seqs() if s is not None) == list(range(1, total + 1))
    verdict = audit_verify()
    assert verdict.ok and verdict.checked == total


RUNTIME_ROLE = "openprobation_runtime_test"


@pytest.fixture
def runtime_connection():
    """A connection to the test database as an ordinary role granted what `migrate` grants the service."""
    import psycopg

    from openprobation.core.db_roles import grant_runtime_role

    with connection.cursor() as cursor:
        cursor.execute(f"DROP ROLE IF EXISTS {RUNTIME_ROLE}")
        cursor.execute(f"CREATE ROLE {RUNTIME_ROLE} LOGIN")
    grant_runtime_role(RUNTIME_ROLE)
    params = connection.settings_dict
    conn = psycopg.connect(dbname=params["NAME"], host=params["HOST"], port=params["PORT"] or 5432,
                           user=RUNTIME_ROLE, autocommit=True)
    try:
        yield conn
    finally:
        conn.close()
        with connection.cursor() as cursor:
            cursor.execute(f"DROP OWNED BY {RUNTIME_ROLE}")
            cursor.execute(f"DROP ROLE {RUNTIME_ROLE}")


@on_postgresql
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE core_auditevent SET reason = 'x'",
        "DELETE FROM core_auditevent",
        "TRUNCATE core_auditevent",
        "ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only",
        "ALTER TABLE core_auditevent DISABLE TRIGGER ALL",
        "SET session_replication_role = replica",
        "DROP TRIGGER core_auditevent_seal ON core_auditevent",
        "CREATE TABLE sneaky (id int)",
        "CREATE TEMP TABLE core_auditevent (id bigint, seq bigint, hash varchar(64), prev_hash varchar(64))",
    ],
    ids=["update", "delete", "truncate", "disable_append_only_trigger", "disable_all_triggers",
         "replica_mode", "drop_seal_trigger", "create_table", "shadow_with_a_temporary_table"],
)
def test_the_runtime_role_cannot_get_round_the_audit_trail(runtime_connection, statement):
    import psycopg

    _write(2)
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        runtime_connection.execute(statement)
    assert audit_verify().ok and AuditEvent.objects.count() == 2


@on_postgresql
def test_the_runtime_role_can_add_events_which_are_linked_and_read_and_write_the_record(runtime_connection):
    _write(1)
    row = {"at": dt.datetime(2026, 12, 5, 9, tzinfo=dt.UTC), "actor_id": None, "actor_name": "system", "crn": "",
           "action": "test.by_runtime", "entity": "", "entity_id": "", "before": None, "after": None, "reason": ""}
    runtime_connection.execute(
        "INSERT INTO core_auditevent (at, actor_name, crn, action, entity, entity_id, reason, content_hash, prev_hash,"
        " hash) VALUES (%s, 'system', '', 'test.by_runtime', '', '', '', %s, '', '')",
        [row["at"], audit_chain.row_content_hash(row)],
    )
    assert list(AuditEvent.objects.order_by("seq").values_list("action", flat=True)) == ["test.event",
                                                                                          "test.by_runtime"]
    assert audit_verify().ok
    runtime_connection.execute("SELECT count(*) FROM people_person")
    runtime_connection.execute("UPDATE people_person SET last_name = last_name WHERE false")


@on_postgresql
@pytest.mark.parametrize("role", ["postgres", "no_such_role_here"], ids=["superuser", "missing"])
def test_granting_refuses_a_superuser_or_a_missing_role(role):
    from openprobation.core.db_roles import grant_runtime_role
    from openprobation.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        grant_runtime_role(role)


@on_postgresql
@pytest.mark.parametrize("attributes", ["CREATEROLE", "BYPASSRLS", "REPLICATION", "IN ROLE postgres",
                                        "IN ROLE openprobation_creator", "IN ROLE pg_write_server_files"],
                         ids=["may_create_roles", "bypasses_row_security", "replicates", "member_of_the_owner",
                              "member_of_a_role_that_creates_roles", "writes_server_files"])
def test_granting_refuses_a_role_that_can_reach_the_owner_rights(attributes):
    from openprobation.core.db_roles import grant_runtime_role
    from openprobation.core.errors import ValidationFailed

    with connection.cursor() as cursor:
        cursor.execute("DROP ROLE IF EXISTS openprobation_sneaky")
        cursor.execute("DROP ROLE IF EXISTS openprobation_creator")
        cursor.execute("CREATE ROLE openprobation_creator NOLOGIN CREATEROLE")
        cursor.execute(f"CREATE ROLE openprobation_sneaky LOGIN {attributes}")
    try:
        with pytest.raises(ValidationFailed):
            grant_runtime_role("openprobation_sneaky")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP ROLE openprobation_sneaky")
            cursor.execute("DROP ROLE openprobation_creator")


@on_postgresql
def test_the_runtime_role_cannot_insert_an_event_already_linked(runtime_connection):
    import psycopg

    _write(2)
    last = AuditEvent.objects.get(seq=2)
    row = {"at": dt.datetime(2025, 1, 15, tzinfo=dt.UTC), "actor_id": None, "actor_name": "hos", "crn": "",
           "action": "case_access.added", "entity": "", "entity_id": "", "before": None, "after": None, "reason": ""}
    content = audit_chain.row_content_hash(row)
    with pytest.raises(psycopg.errors.RaiseException):
        runtime_connection.execute(
            "INSERT INTO core_auditevent (at, actor_name, crn, action, entity, entity_id, reason, content_hash, seq, "
            "prev_hash, hash) VALUES (%s, 'hos', '', 'case_access.added', '', '', '', %s, 3, %s, %s)",
            [row["at"], content, last.hash, audit_chain.link_hash(last.hash, content)],
        )
    assert AuditEvent.objects.count() == 2 and audit_verify().ok


def test_expecting_a_recorded_head_finds_the_newest_events_removed_or_the_chain_rewritten(capsys):
    _write(5)
    assert cli.main(["audit", "verify"]) == 0
    head = capsys.readouterr().out.split("head: ")[1].split()[0]
    assert head == f"5:{AuditEvent.objects.get(seq=5).hash}"
    assert cli.main(["audit", "verify", "--expect", head]) == 0
    _write(1)  # the chain grows: the recorded head is still in it
    assert cli.main(["audit", "verify", "--expect", head]) == 0
    _tamper("DELETE FROM core_auditevent WHERE seq >= %s", [5])  # the newest events removed: the chain alone is fine
    capsys.readouterr()
    assert cli.main(["audit", "verify"]) == 0
    assert cli.main(["audit", "verify", "--expect", head]) == 1
    assert "no longer there" in capsys.readouterr().err
    assert cli.main(["audit", "verify", "--expect", "five:abc"]) == 2


@on_postgresql
def test_the_audit_functions_search_their_own_schema_before_any_temporary_one():
    with connection.cursor() as cursor:
        cursor.execute("SELECT proname, proconfig FROM pg_proc WHERE proname LIKE 'core_auditevent_%%' ORDER BY 1")
        rows = cursor.fetchall()
    assert [name for name, _ in rows] == ["core_auditevent_append_only", "core_auditevent_arrives_unlinked",
                                          "core_auditevent_seal"]
    for _name, config in rows:
        path = next(c for c in config if c.startswith("search_path="))
        assert path.endswith("pg_catalog, pg_temp"), path
