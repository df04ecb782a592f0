"""Who is calling: a person's OAuth2 token, an institution client's token, or a session."""

from typing import Any

from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from rest_framework import exceptions
from rest_framework.request import Request

from repository.models import ApiClient


class ApiOAuth2Authentication(OAuth2Authentication):
    """django-oauth-toolkit's bearer tokens, refused loudly and mapped to a principal.

    DOT answers "no credentials" for an expired, revoked or unknown token, which would
    quietly turn the caller anonymous and still serve public data; a request that sends a
    bearer token gets 401 unless the token is valid. Client-credentials tokens carry no
    person: they act as the `ApiClient.service_user` of the application's institution.
    """

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        result = super().authenticate(request)
        if result is None:
            if bearer_token_sent(request):
                raise exceptions.AuthenticationFailed(
                    "The access token is invalid, expired or revoked; get a new one at /o/token/."
                )
            return None
        user, token = result
        if user is None:
            user = client_principal(token)
        if not user.is_active:
            raise exceptions.AuthenticationFailed("This account is disabled.")
        return user, token


def bearer_token_sent(request: Request) -> bool:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    return header[:7].lower() == "bearer "


def client_principal(token: Any) -> Any:
    client = (
        ApiClient.objects.select_related("service_user")
        .filter(application_id=token.application_id)
        .first()
    )
    if client is None:
        raise exceptions.AuthenticationFailed(
            "This OAuth2 application belongs to no institution; an institution admin must "
            "register it as one of the institution's API clients."
        )
    return client.service_user
