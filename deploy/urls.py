"""Root URLs of the main site (the content origin has its own: repository/web/content_urls.py)."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path("api/v1/", include("repository.api.urls")),
    path("", include("repository.web.urls")),
]
