"""Indexes for searching people by the start of a name, case-insensitively, on PostgreSQL.

Name search filters on ``UPPER(name::text) LIKE 'SMI%'`` (Django's ``istartswith``). A plain b-tree on the name
cannot serve that under a non-C collation; an expression index with ``text_pattern_ops`` can. SQLite has no
equivalent (its LIKE is case-insensitive already and small local databases do not need it), so this is
PostgreSQL-only. Measured on a 20,000-person demo caseload: a surname prefix search went from 15 ms (walking the
name index and filtering) to under 1 ms (a bitmap OR over these indexes).
"""

from django.db import migrations

INDEXES = {
    "person_last_name_prefix": "UPPER(last_name::text) text_pattern_ops",
    "person_first_name_prefix": "UPPER(first_name::text) text_pattern_ops",
    # the same search also matches a whole CRN case-insensitively; without this the OR cannot use the two above
    "person_crn_upper": "UPPER(crn::text)",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, expression in INDEXES.items():
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON people_person ({expression});")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name};")


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
