from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "openprobation.risk"
    label = "risk"

    def ready(self) -> None:
        # The handler imports the services, which need the app registry: imported here, when it is ready.
        from openprobation.core import followups
        from openprobation.risk.followups import RiskFollowups

        followups.register(RiskFollowups())
