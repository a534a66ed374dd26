from django.apps import AppConfig


class OrganisationConfig(AppConfig):
    name = "openprobation.organisation"
    label = "organisation"
