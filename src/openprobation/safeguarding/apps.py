from django.apps import AppConfig


class SafeguardingConfig(AppConfig):
    name = "openprobation.safeguarding"
    label = "safeguarding"
