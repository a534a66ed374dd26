"""Stored calculations: the inputs, result and reasons kept as canonical JSON text, and no index of the person's own.

- ``inputs``, ``result`` and ``reasons`` become text columns (decision 0013). On PostgreSQL the ``jsonb`` values are
  converted in place (``ALTER COLUMN ... TYPE text USING ...::text``): rows stored before keep ``jsonb``'s text
  form, which reads back as the same values; new rows are canonical JSON.
- The index Django made for the person foreign key is dropped: ``riskcalc_person_tool`` (person, tool, -id) begins
  with the same column and serves every query by person.
- On SQLite altering a column remakes the table, which drops its triggers: the append-only trigger of 0003 is made
  again.
"""

import django.db.models.deletion
from django.db import migrations, models

import openprobation.risk.models

TABLE = "risk_riskcalculation"


def append_only_again(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_update;")
        schema_editor.execute(
            f"CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE ON {TABLE} "
            "BEGIN SELECT RAISE(ABORT, 'stored calculations and recorded scores are append-only'); END;"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0004_case_access_staff_protected"),
        ("risk", "0003_calculations_append_only"),
    ]

    operations = [
        migrations.AlterField(
            model_name="riskcalculation",
            name="inputs",
            field=openprobation.risk.models.CanonicalJSONField(),
        ),
        migrations.AlterField(
            model_name="riskcalculation",
            name="person",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="risk_calculations",
                to="people.person",
            ),
        ),
        migrations.AlterField(
            model_name="riskcalculation",
            name="reasons",
            field=openprobation.risk.models.CanonicalJSONField(blank=True, default=list),
        ),
        migrations.AlterField(
            model_name="riskcalculation",
            name="result",
            field=openprobation.risk.models.CanonicalJSONField(blank=True, null=True),
        ),
        migrations.RunPython(append_only_again, migrations.RunPython.noop),
    ]
