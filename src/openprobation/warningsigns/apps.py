from django.apps import AppConfig


class WarningSignsConfig(AppConfig):
    name = "openprobation.warningsigns"
    label = "warningsigns"

    def ready(self) -> None:
        # The handler imports the services, which need the app registry: imported here, when it is ready.
        from openprobation.core import followups  # noqa: PLC0415 (the handler needs the app registry)
        from openprobation.warningsigns.followups import WarningSignFollowups  # noqa: PLC0415

        followups.register(WarningSignFollowups())
