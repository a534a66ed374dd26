from django.apps import AppConfig


class WorkItemsConfig(AppConfig):
    name = "openprobation.workitems"
    label = "workitems"
    verbose_name = "work items"

    def ready(self) -> None:
        # The handler imports the work-item rules and models, which need the app registry: imported here.
        from openprobation.core import followups  # noqa: PLC0415 (the handler needs the app registry)
        from openprobation.workitems.followups import WorkItemFollowups  # noqa: PLC0415

        followups.register(WorkItemFollowups())
