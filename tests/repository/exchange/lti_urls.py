"""The site's URLs plus an LTI launch address, as the LTI tool names it, for the cartridge's link hook."""

from django.http import HttpResponse
from django.urls import path

from deploy.urls import urlpatterns as site_urlpatterns

urlpatterns = [
    path(
        "lti/versions/<int:version_id>/",
        lambda request, version_id: HttpResponse(),
        name="lti_target_version",
    ),
    *site_urlpatterns,
]
