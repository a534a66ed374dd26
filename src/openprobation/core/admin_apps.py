"""The Django admin's app configuration: ``django.contrib.admin`` on the service's own site (core/admin_site.py)."""

from django.contrib.admin.apps import AdminConfig


class OpenProbationAdminConfig(AdminConfig):
    default_site = "openprobation.core.admin_site.OpenProbationAdminSite"
