"""Link the audit trail into a hash chain (core/audit_chain.py), and give existing API tokens an expiry.

Existing events are linked in the order they were written (by id). Then:

PostgreSQL: a deferred constraint trigger links each new event when its transaction commits, under an advisory
lock, after the last linked event; it runs as the table's owner (SECURITY DEFINER), so the role the service runs as
needs no UPDATE on the table. The append-only trigger still refuses every UPDATE and DELETE, except the one that
links a not-yet-linked event without touching its content.
SQLite: one writer at a time, so the service links each event as it writes it; a trigger refuses UPDATE.
"""

import datetime as dt

from django.db import migrations

from openprobation.core import audit_chain

PG_DROP_OLD = """
DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent;
DROP FUNCTION IF EXISTS core_auditevent_append_only();
"""
PG_CREATE = """
CREATE OR REPLACE FUNCTION {schema}.core_auditevent_append_only() RETURNS trigger
LANGUAGE plpgsql SET search_path = {schema}, pg_catalog AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.hash = '' AND OLD.seq IS NULL
       AND (to_jsonb(NEW) - 'seq' - 'prev_hash' - 'hash') = (to_jsonb(OLD) - 'seq' - 'prev_hash' - 'hash') THEN
        RETURN NEW;  -- linking an event into the chain, its content untouched
    END IF;
    RAISE EXCEPTION 'audit events are append-only';
END;
$$;
CREATE TRIGGER core_auditevent_append_only BEFORE UPDATE OR DELETE ON core_auditevent
    FOR EACH ROW EXECUTE FUNCTION {schema}.core_auditevent_append_only();

CREATE OR REPLACE FUNCTION {schema}.core_auditevent_seal() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_catalog AS $$
DECLARE
    last_seq bigint;
    last_hash varchar(64);
BEGIN
    PERFORM pg_advisory_xact_lock({lock_key});
    SELECT seq, hash INTO last_seq, last_hash FROM core_auditevent WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1;
    IF last_seq IS NULL THEN
        last_seq := 0;
        last_hash := '{genesis}';
    END IF;
    UPDATE core_auditevent
       SET seq = last_seq + 1,
           prev_hash = last_hash,
           hash = encode(sha256(convert_to(last_hash || NEW.content_hash, 'UTF8')), 'hex')
     WHERE id = NEW.id AND seq IS NULL;
    RETURN NULL;
END;
$$;
CREATE CONSTRAINT TRIGGER core_auditevent_seal AFTER INSERT ON core_auditevent
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {schema}.core_auditevent_seal();
"""
PG_DROP = """
DROP TRIGGER IF EXISTS core_auditevent_seal ON core_auditevent;
DROP FUNCTION IF EXISTS core_auditevent_seal();
"""
SQLITE_DROP_OLD = "DROP TRIGGER IF EXISTS core_auditevent_no_update;"
SQLITE_CREATE = """
CREATE TRIGGER core_auditevent_no_update BEFORE UPDATE ON core_auditevent
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
"""


def _link_existing(apps):
    AuditEvent = apps.get_model("core", "AuditEvent")
    prev, seq = audit_chain.GENESIS, 0
    fields = ("id", "at", "actor_id", "actor_name", "crn", "action", "entity", "entity_id", "before", "after",
              "reason")
    for row in AuditEvent.objects.order_by("id").values(*fields).iterator(chunk_size=2000):
        seq += 1
        content = audit_chain.row_content_hash(row)
        link = audit_chain.link_hash(prev, content)
        AuditEvent.objects.filter(pk=row["id"]).update(seq=seq, content_hash=content, prev_hash=prev, hash=link)
        prev = link


def _expire_old_tokens(apps):
    ApiToken = apps.get_model("core", "ApiToken")
    for token in ApiToken.objects.filter(expires_at__isnull=True):
        token.expires_at = token.created_at + dt.timedelta(days=90)
        token.save(update_fields=["expires_at"])


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_DROP_OLD)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_DROP_OLD)
    _link_existing(apps)
    _expire_old_tokens(apps)
    if vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT quote_ident(current_schema())")
            schema = cursor.fetchone()[0]
        schema_editor.execute(PG_CREATE.format(schema=schema, lock_key=audit_chain.SEAL_LOCK_KEY,
                                               genesis=audit_chain.GENESIS))
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_CREATE)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_DROP)


class Migration(migrations.Migration):
    atomic = True
    dependencies = [("core", "0003_audit_chain_tokens_throttles")]
    operations = [migrations.RunPython(forward, backward)]
