"""API clients: an institution's own systems, each an OAuth2 application acting for the institution."""

from django.conf import settings
from django.db import models
from oauth2_provider.settings import oauth2_settings

from repository.models.institutions import Institution


class ApiClient(models.Model):
    """Links an OAuth2 application to the institution its client-credentials tokens act for.

    Client-credentials tokens carry no person, so each client has a `service_user` that is
    staff of `institution` and of nothing else: repository/api/authentication.py hands it
    to the actions, whose role checks (repository/access.py) then confine the client to
    its own institution. The service user has no usable password and cannot sign in.
    """

    application = models.OneToOneField(
        oauth2_settings.APPLICATION_MODEL, on_delete=models.CASCADE, related_name="api_client"
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="api_clients"
    )
    service_user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_client"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["institution", "created_at"]

    def __str__(self) -> str:
        return f"API client {self.application_id} of {self.institution}"
