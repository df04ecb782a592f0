"""Registering and revoking an institution's API clients (OAuth2 client-credentials applications)."""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from oauth2_provider.models import get_application_model

from repository.access import require_admin
from repository.actions import audit
from repository.models import AdminAction, ApiClient, Institution, Membership


@transaction.atomic
def register_api_client(*, institution: Institution, name: str, by: User) -> tuple[ApiClient, str]:
    """Create a confidential client-credentials application acting as staff of `institution`.

    Returns the client and its secret, which is stored only hashed and shown this once.
    Raises PermissionRefused unless `by` is an admin of the institution.
    """
    require_admin(by, institution, "register API clients")
    secret = secrets.token_urlsafe(40)
    Application = get_application_model()
    application = Application.objects.create(
        name=name,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        client_secret=secret,
        # No owner: the toolkit's own pages must never let a person (who may later leave the
        # institution) edit this application's secret.
        user=None,
    )
    service_user = get_user_model().objects.create(
        username=f"api-client-{application.client_id}",
        first_name=f"{name} (API client of {institution.name})"[:150],
    )
    service_user.set_unusable_password()
    service_user.save(update_fields=["password"])
    Membership.objects.create(
        user=service_user, institution=institution, role=Membership.Role.STAFF
    )
    client = ApiClient.objects.create(
        application=application, institution=institution, service_user=service_user, created_by=by
    )
    audit.record(
        AdminAction.Kind.REGISTER_API_CLIENT,
        by=by,
        target=client,
        label=client_label(client),
        changes={"client_id": {"from": None, "to": application.client_id}},
    )
    return client, secret


@transaction.atomic
def revoke_api_client(client: ApiClient, *, by: User) -> None:
    """Delete the client's application and tokens; its service user stays, without any role.

    The service user is kept (inactive) because versions it deposited name it as creator.
    """
    require_admin(by, client.institution, "revoke API clients")
    audit.record(
        AdminAction.Kind.REVOKE_API_CLIENT,
        by=by,
        target=client,
        label=client_label(client),
        changes={"client_id": {"from": client.application.client_id, "to": None}},
    )
    service_user = client.service_user
    Membership.objects.filter(user=service_user).delete()
    service_user.is_active = False
    service_user.save(update_fields=["is_active"])
    client.application.delete()  # cascades to its tokens, grants and this ApiClient


def client_label(client: ApiClient) -> str:
    return f"{client.application.name} (client id {client.application.client_id})"
