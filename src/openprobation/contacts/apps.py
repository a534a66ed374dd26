from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "openprobation.contacts"
    label = "contacts"
