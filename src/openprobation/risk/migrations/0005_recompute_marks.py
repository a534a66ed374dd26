"""Recompute marks (decision 0021): per case, how many times its risk facts have changed and what the last
recompute checked, so a re-run skips the cases that have not changed. No database foreign key (see the model)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('people', '0006_reminder_contact_details'),
        ('risk', '0004_calculations_stored_as_text'),
    ]

    operations = [
        migrations.CreateModel(
            name='RecomputeMark',
            fields=[
                ('person', models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='recompute_mark', serialize=False, to='people.person')),
                ('changes', models.PositiveBigIntegerField(default=0)),
                ('checked_changes', models.BigIntegerField(blank=True, null=True)),
                ('checked_as_of', models.DateField(blank=True, null=True)),
                ('checked_policy', models.CharField(blank=True, max_length=40)),
            ],
        ),
    ]
