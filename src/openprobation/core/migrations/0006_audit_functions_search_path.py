"""PostgreSQL: the audit trail's trigger functions look up names in their own schema and the system catalogue only,
with the session's temporary schema last.

A function that runs with its owner's rights (the sealing trigger, SECURITY DEFINER) and names a table without its
schema must not find a temporary table of the same name that the caller made first: PostgreSQL searches the
temporary schema first unless ``pg_temp`` is named, so it is named last here (PostgreSQL's own advice for such
functions). ``grant_runtime_role`` also takes TEMPORARY on the database from PUBLIC.
"""

from django.db import migrations

FUNCTIONS = ("core_auditevent_seal()", "core_auditevent_append_only()", "core_auditevent_arrives_unlinked()")


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT quote_ident(current_schema())")
        schema = cursor.fetchone()[0]
    for function in FUNCTIONS:
        schema_editor.execute(f"ALTER FUNCTION {schema}.{function} SET search_path = {schema}, pg_catalog, pg_temp")


def backward(apps, schema_editor):
    pass


class Migration(migrations.Migration):
    dependencies = [("core", "0005_audit_linked_only_by_the_database")]
    operations = [migrations.RunPython(forward, backward)]
