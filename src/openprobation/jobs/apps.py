from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "openprobation.jobs"
    label = "jobs"
