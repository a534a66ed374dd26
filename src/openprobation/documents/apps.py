from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "openprobation.documents"
    label = "documents"
    verbose_name = "Documents"
