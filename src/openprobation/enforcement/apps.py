from django.apps import AppConfig


class EnforcementConfig(AppConfig):
    name = "openprobation.enforcement"
    label = "enforcement"

    def ready(self) -> None:
        # The handler imports the services, which need the app registry: imported here, when it is ready.
        from openprobation.core import followups  # noqa: PLC0415 (the handler needs the app registry)
        from openprobation.enforcement.followups import EnforcementFollowups  # noqa: PLC0415

        followups.register(EnforcementFollowups())
