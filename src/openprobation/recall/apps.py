from django.apps import AppConfig


class RecallConfig(AppConfig):
    name = "openprobation.recall"
    label = "recall"
    verbose_name = "Licence recall"
