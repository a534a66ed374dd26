from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "openprobation.risk"
    label = "risk"

    def ready(self) -> None:
        # The handler imports the services, which need the app registry: imported here, when it is ready.
        from openprobation.core import followups  # noqa: PLC0415 (the handler needs the app registry)
        from openprobation.risk.followups import RiskFollowups  # noqa: PLC0415

        followups.register(RiskFollowups())
