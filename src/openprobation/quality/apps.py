from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "openprobation.quality"
    label = "quality"
