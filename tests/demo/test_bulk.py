"""The demo loader's ways of moving rows fast on PostgreSQL: COPYs on a second thread, indexes built once at the end.

Both change how rows reach the database, never which rows: the load's transaction, its rows and the schema it
leaves behind are the same as writing every row in turn with every index in place.
"""

from __future__ import annotations

import datetime as dt

import psycopg
import pytest
from django.db import IntegrityError, connection, transaction

from openprobation.contacts.models import Contact
from openprobation.demo.bulk import (
    MAINTENANCE_MEMORY,
    BulkWriter,
    gather_statistics,
    indexes_built_once,
    maintenance_memory,
    table_spec,
)
from openprobation.organisation.models import Provider, Region
from openprobation.people.models import Person
from openprobation.sentences.models import Allocation
from tests.demo.test_demo_data import load
from tests.factories import make_person

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL only (SQLite writes in turn)"),
]

REGION_FIELDS = ("id", "provider_id", "code", "name")


def indexes(*tables: str) -> dict[str, str]:
    """Index name to definition for these tables."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s)", [list(tables)])
        return dict(cursor.fetchall())


def constraints() -> set[tuple[str, str, str]]:
    """Every constraint of the schema: table, name and definition."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE connamespace = current_schema()::regnamespace"
        )
        return set(cursor.fetchall())


def test_background_copies_arrive_in_order_in_the_same_transaction():
    provider = Provider.objects.create(code="BG", name="Background")
    writer = BulkWriter()
    spec = table_spec(Region, REGION_FIELDS)
    with writer.in_background():
        for i in range(40):  # more writes than the queue holds, so the block waits for the thread now and then
            writer.write(spec, [(900_000 + 2 * i + j, provider.pk, f"B{2 * i + j:03d}", f"Region {i}") for j in (0, 1)])
    assert writer.rows_written == 80
    codes = list(Region.objects.filter(provider=provider).order_by("pk").values_list("code", flat=True))
    assert codes == [f"B{i:03d}" for i in range(80)]
    # Back on this thread afterwards: writes go straight in.
    writer.write(spec, [(900_100, provider.pk, "B100", "After")])
    assert Region.objects.filter(provider=provider).count() == 81


def test_a_failed_background_copy_stops_the_block_with_its_error():
    provider = Provider.objects.create(code="BG", name="Background")
    writer = BulkWriter()
    spec = table_spec(Region, REGION_FIELDS)
    # The error comes at a later write or at the end of the block, whichever the thread reaches it by.
    with pytest.raises(psycopg.errors.NotNullViolation), transaction.atomic():
        with writer.in_background():
            writer.write(spec, [(900_000, provider.pk, "B000", None)])  # name may not be null
            for i in range(1, 40):
                writer.write(spec, [(900_000 + i, provider.pk, f"B{i:03d}", "Fine")])
    assert not Region.objects.filter(provider=provider).exists()  # rolled back with the savepoint


def test_an_error_in_the_block_is_raised_and_the_thread_stops():
    provider = Provider.objects.create(code="BG", name="Background")
    writer = BulkWriter()
    spec = table_spec(Region, REGION_FIELDS)
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        with writer.in_background():
            writer.write(spec, [(900_000, provider.pk, "B000", "Fine")])
            _ = 1 / 0
    assert not Region.objects.filter(provider=provider).exists()


def test_indexes_built_once_are_gone_in_the_block_and_the_same_after_it():
    before = indexes("contacts_contact")
    assert len(before) > 2
    with indexes_built_once([Contact]):
        assert set(indexes("contacts_contact")) == {"contacts_contact_pkey"}  # the key's index stays
    assert indexes("contacts_contact") == before


def test_indexes_are_back_when_the_block_fails():
    before = indexes("contacts_contact")
    with pytest.raises(RuntimeError), transaction.atomic(), indexes_built_once([Contact]):
        raise RuntimeError
    assert indexes("contacts_contact") == before


def test_rows_that_break_a_unique_index_fail_the_block_when_it_is_built(org):
    person = make_person(org)
    event = person.events.get()
    open_allocation = Allocation.objects.get(event=event, end_date__isnull=True)
    with pytest.raises(IntegrityError), transaction.atomic(), indexes_built_once([Allocation]):
        # A second open allocation for the event: allocation_one_open_per_event refuses it once it is built.
        Allocation.objects.create(event=event, practitioner=open_allocation.practitioner, team=open_allocation.team,
                                  start_date=dt.date(2026, 2, 1), reason="Duplicate")
    assert Allocation.objects.filter(event=event, end_date__isnull=True).count() == 1


def test_the_load_leaves_every_index_and_constraint_as_it_found_them():
    tables = [m._meta.db_table for m in connection.introspection.installed_models(
        connection.introspection.table_names())]
    before_indexes, before_constraints = indexes(*tables), constraints()
    assert load(people=150).status == "loaded"
    assert indexes(*tables) == before_indexes
    assert constraints() == before_constraints


def maintenance_work_mem() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW maintenance_work_mem")
        return str(cursor.fetchone()[0])


def test_index_builds_and_key_checks_get_more_memory_and_the_setting_is_as_it_was_after():
    with transaction.atomic(), connection.cursor() as cursor:
        before = maintenance_work_mem()
        assert before != MAINTENANCE_MEMORY
        with maintenance_memory(cursor):
            assert maintenance_work_mem() == MAINTENANCE_MEMORY
        assert maintenance_work_mem() == before


def test_statistics_are_gathered_on_rows_written_in_the_same_transaction(org):
    def estimated() -> float:
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'people_person'")
            return float(cursor.fetchone()[0])

    with transaction.atomic():
        for _ in range(3):
            make_person(org)
        assert estimated() != Person.objects.count()  # the planner does not know yet (never analysed: -1)
        gather_statistics([Person])
        assert estimated() == Person.objects.count() == 3
