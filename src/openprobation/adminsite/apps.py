"""The Django admin's app configuration: ``django.contrib.admin`` on the service's own site."""

from django.contrib.admin.apps import AdminConfig


class OpenProbationAdminConfig(AdminConfig):
    default_site = "openprobation.adminsite.site.OpenProbationAdminSite"

    def ready(self) -> None:
        super().ready()  # Django's autodiscovery: the auth app's User and Group admins, which ours replace
        # The registrations need the app registry: imported once it is ready.
        from openprobation.adminsite import accounts, audit, organisation, tokens  # noqa: F401, PLC0415
