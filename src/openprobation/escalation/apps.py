from django.apps import AppConfig


class EscalationConfig(AppConfig):
    name = "openprobation.escalation"
    label = "escalation"
    verbose_name = "Risk escalation"
