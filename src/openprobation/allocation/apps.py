from django.apps import AppConfig


class AllocationConfig(AppConfig):
    name = "openprobation.allocation"
    label = "allocation"
    verbose_name = "allocation"
