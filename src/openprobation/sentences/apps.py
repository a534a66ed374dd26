from django.apps import AppConfig


class SentencesConfig(AppConfig):
    name = "openprobation.sentences"
    label = "sentences"
