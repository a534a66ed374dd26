from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "openprobation.risk"
    label = "risk"
