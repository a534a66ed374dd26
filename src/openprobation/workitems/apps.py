from django.apps import AppConfig


class WorkItemsConfig(AppConfig):
    name = "openprobation.workitems"
    label = "workitems"
    verbose_name = "work items"
