from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "openprobation.core"
    label = "core"
    verbose_name = "Core: audit, tokens, sign-in"
