"""Root URLs of the main site (the content origin has its own: repository/web/content_urls.py)."""

from django.contrib import admin
from django.urls import include, path
from oauth2_provider import urls as oauth2_urls

from repository.web import health, metrics
from repository.web.orders import order_files_view

urlpatterns = [
    # For orchestrators and monitoring: JSON only, no login (repository/web/health.py).
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("admin/", admin.site.urls),
    # Token, authorize, revoke and introspect only: applications are registered by institution
    # admins through Remixbank (repository/actions/api_clients.py) or by site admins in /admin/.
    path("o/", include((oauth2_urls.base_urlpatterns, "oauth2_provider"))),
    path("api/v1/", include("repository.api.urls")),
    # Files of a work order for the untrusted workers, behind a token signed for that order.
    path("internal/orders/<str:token>/files.zip", order_files_view, name="order_files"),
    path("", include("repository.web.urls")),
]
