from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "openprobation.web"
    label = "web"
