from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "openprobation.core"
    label = "core"
    verbose_name = "Core: audit, tokens, sign-in"

    def ready(self) -> None:
        # Receivers connect when their module is imported, which needs the app registry: the one import at run time.
        from openprobation.core import signals  # noqa: F401
