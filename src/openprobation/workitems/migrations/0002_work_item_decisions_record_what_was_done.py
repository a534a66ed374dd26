"""Record on the work item, and per contact outcome, what has already been done, so the work-item decisions read it
instead of inferring it. Existing records are filled in by the rules that applied until now: a done first appointment
has had its "attended" clock started if the case has a "first appointment attended" item made after it; a contact's
outcome has had its effects if the contact was ever recorded or updated with it (read once, here, from the audit
trail)."""

import django.db.models.deletion
from django.db import migrations, models


ATTENDED_OR_MISSED = ("attended_complied", "failed_to_attend_unacceptable")


def record_what_was_done(apps, schema_editor):
    WorkItem = apps.get_model("workitems", "WorkItem")
    AuditEvent = apps.get_model("core", "AuditEvent")
    Contact = apps.get_model("contacts", "Contact")
    ContactOutcomeApplied = apps.get_model("workitems", "ContactOutcomeApplied")
    started = models.Exists(
        WorkItem.objects.filter(
            person_id=models.OuterRef("person_id"), trigger="first_appointment_attended", pk__gt=models.OuterRef("pk")
        )
    )
    WorkItem.objects.filter(kind="first_appointment", status="done").filter(started).update(
        attended_clock_started=True
    )
    seen: dict[tuple[int, str], object] = {}
    events = AuditEvent.objects.filter(
        entity="contact", action__in=("contact.recorded", "contact.updated"), after__outcome__in=ATTENDED_OR_MISSED
    ).order_by("seq", "pk")
    for entity_id, after, at in events.values_list("entity_id", "after", "at").iterator():
        if entity_id.isdigit():
            seen.setdefault((int(entity_id), after["outcome"]), at)
    existing = set(Contact.objects.filter(pk__in={c for c, _ in seen}).values_list("pk", flat=True))
    ContactOutcomeApplied.objects.bulk_create(
        [
            ContactOutcomeApplied(contact_id=contact, outcome=outcome, applied_at=at)
            for (contact, outcome), at in seen.items()
            if contact in existing
        ],
        batch_size=5000,
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):

    dependencies = [
        ('contacts', '0001_initial'),
        ('core', '0004_audit_chain_seal'),
        ('workitems', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='workitem',
            name='attended_clock_started',
            field=models.BooleanField(db_default=False, default=False),
        ),
        migrations.CreateModel(
            name='ContactOutcomeApplied',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('outcome', models.CharField(max_length=32)),
                ('applied_at', models.DateTimeField()),
                ('contact', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='contacts.contact')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('contact', 'outcome'), name='contact_outcome_applied_once')],
            },
        ),
        migrations.RunPython(record_what_was_done, migrations.RunPython.noop),
    ]
