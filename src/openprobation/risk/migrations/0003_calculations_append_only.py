"""The database itself refuses to change stored calculations and recorded scores.

Both databases: a trigger rejects UPDATE of ``risk_riskcalculation`` and ``risk_recordedscore``. DELETE stays
possible because the rows go with the case itself (cascade from the person) and the test runner clears tables.
"""

from django.db import migrations

TABLES = ("risk_riskcalculation", "risk_recordedscore")

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION risk_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'stored calculations and recorded scores are append-only';
END;
$$ LANGUAGE plpgsql;
"""


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION)
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION risk_append_only();"
            )
    elif vendor == "sqlite":
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                "BEGIN SELECT RAISE(ABORT, 'stored calculations and recorded scores are append-only'); END;"
            )


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update ON {table};")
        elif vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update;")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS risk_append_only();")


class Migration(migrations.Migration):
    dependencies = [("risk", "0002_risk_record")]
    operations = [migrations.RunPython(create, drop)]
