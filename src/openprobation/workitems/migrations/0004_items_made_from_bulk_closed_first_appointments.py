"""Cancel the items a corrected rule made from first appointments closed in bulk.

Until this release, an attended contact on a case whose first appointment item had been closed without its "first
appointment attended" clock started (only a bulk load closed items that way: the demo loader did, 1,829 of them)
started that clock from the day the item was closed. The sentence plan and monthly contact it made cite "First
appointment attended on <day>", an attendance no contact shows, and were usually overdue at once. The rule no longer
infers anything from such an item (rules/work_item_decisions.py); the items it made that are still open are cancelled
here, saying why. An item is one of them when it runs from the "first appointment attended" trigger and its clock
started on the day a first appointment item of the same case was closed with no note and by no one (how the bulk load
closed them; a person's close, or an attended contact's, always records who or why). Nothing else changes; items
already done or cancelled keep their history. Not audited: a migration is not a person's action (the release notes
and this file are its record).
"""

import datetime as dt

from django.db import migrations, models

REASON = (
    "Made from a first appointment closed in bulk on {day}, which no attended contact shows: cancelled when the rule "
    "that made it was corrected"
)


def cancel_items_made_from_bulk_closed_first_appointments(apps, schema_editor) -> int:
    WorkItem = apps.get_model("workitems", "WorkItem")
    bulk_closed = WorkItem.objects.filter(
        person_id=models.OuterRef("person_id"),
        kind="first_appointment",
        status="done",
        closed_on=models.OuterRef("clock_started_on"),
        closed_by__isnull=True,
        note="",
    )
    made = WorkItem.objects.filter(status="open", trigger="first_appointment_attended").filter(
        models.Exists(bulk_closed)
    )
    today = dt.date.today()
    cancelled = 0
    for item in made.only("pk", "clock_started_on").iterator(chunk_size=2000):
        day = f"{item.clock_started_on.day} {item.clock_started_on:%B %Y}"
        cancelled += WorkItem.objects.filter(pk=item.pk, status="open").update(
            status="cancelled", closed_on=today, cancel_reason=REASON.format(day=day)
        )
    return cancelled


def _cancel(apps, schema_editor) -> None:
    cancel_items_made_from_bulk_closed_first_appointments(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("workitems", "0003_work_item_escalation"),
    ]

    operations = [
        migrations.RunPython(_cancel, migrations.RunPython.noop),
    ]
