from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "openprobation.people"
    label = "people"
