"""PostgreSQL: an audit event arrives unlinked; only the sealing trigger links it (core/audit_chain.py).

Without this, a role that may insert audit events could insert one already linked (its own position and hashes,
computed to fit), which the sealing trigger would leave alone and `audit verify` would accept.
"""

from django.db import migrations

PG_CREATE = """
CREATE OR REPLACE FUNCTION {schema}.core_auditevent_arrives_unlinked() RETURNS trigger
LANGUAGE plpgsql SET search_path = {schema}, pg_catalog AS $$
BEGIN
    IF NEW.seq IS NOT NULL OR NEW.prev_hash <> '' OR NEW.hash <> '' THEN
        RAISE EXCEPTION 'audit events are linked into the chain by the database, not by the writer';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER core_auditevent_arrives_unlinked BEFORE INSERT ON core_auditevent
    FOR EACH ROW EXECUTE FUNCTION {schema}.core_auditevent_arrives_unlinked();
"""
PG_DROP = """
DROP TRIGGER IF EXISTS core_auditevent_arrives_unlinked ON core_auditevent;
DROP FUNCTION IF EXISTS core_auditevent_arrives_unlinked();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT quote_ident(current_schema())")
            schema = cursor.fetchone()[0]
        schema_editor.execute(PG_CREATE.format(schema=schema))


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_DROP)


class Migration(migrations.Migration):
    dependencies = [("core", "0004_audit_chain_seal")]
    operations = [migrations.RunPython(forward, backward)]
