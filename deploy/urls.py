"""Root URLs of the main site (the content origin has its own: repository/web/content_urls.py)."""

from django.contrib import admin
from django.urls import include, path
from oauth2_provider import urls as oauth2_urls

urlpatterns = [
    path("admin/", admin.site.urls),
    # Token, authorize, revoke and introspect only: applications are registered by institution
    # admins through Remixbank (repository/actions/api_clients.py) or by site admins in /admin/.
    path("o/", include((oauth2_urls.base_urlpatterns, "oauth2_provider"))),
    path("api/v1/", include("repository.api.urls")),
    path("", include("repository.web.urls")),
]
