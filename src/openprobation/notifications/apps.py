from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "openprobation.notifications"
    label = "notifications"
