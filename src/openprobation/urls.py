from django.contrib import admin
from django.urls import include, path

from openprobation.api import v1

urlpatterns = [
    path("django-admin/", admin.site.urls),
    path("api/v1/", v1.urls()),
    path("", include("openprobation.web.urls")),
]
