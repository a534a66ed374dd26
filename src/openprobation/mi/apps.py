from django.apps import AppConfig


class MiConfig(AppConfig):
    name = "openprobation.mi"
    label = "mi"
    verbose_name = "Management information"
