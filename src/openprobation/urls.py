from django.contrib import admin
from django.urls import include, path

from openprobation.api.v1 import api

urlpatterns = [
    path("django-admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("openprobation.web.urls")),
]
