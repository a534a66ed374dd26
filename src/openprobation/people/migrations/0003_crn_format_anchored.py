"""The CRN check constraint anchored with ``\\A…\\Z`` instead of ``^…$``.

SQLite evaluates REGEXP with Python's ``re.search``, where ``$`` also matches before a final newline, so
``"A123456\\n"`` passed the old constraint there. ``\\A`` and ``\\Z`` mean the start and end of the value in both
Python and PostgreSQL regular expressions.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("organisation", "0001_initial"),
        ("people", "0002_name_search_indexes"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="person", name="person_crn_format"),
        migrations.AddConstraint(
            model_name="person",
            constraint=models.CheckConstraint(
                condition=models.Q(("crn__regex", "\\A[A-Z][0-9]{6}\\Z")), name="person_crn_format"
            ),
        ),
    ]
