from django.apps import AppConfig


class WorkloadConfig(AppConfig):
    name = "openprobation.workload"
    label = "workload"
    verbose_name = "workload"
