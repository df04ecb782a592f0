"""OpenAPI: the OAuth2 scopes each operation needs, and the error responses every operation may give."""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from rest_framework.permissions import SAFE_METHODS

from repository.api.permissions import scope_choices

ERROR_STATUSES = ("400", "401", "403", "404", "429")


class ApiSchema(AutoSchema):
    """Adds the one error shape (repository/api/errors.py) to every operation."""

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        from repository.api.serializers.common import ErrorOut

        responses = super()._get_response_bodies(direction)
        for code in [*ERROR_STATUSES, *getattr(self.view, "extra_error_statuses", ())]:
            if code not in responses:
                responses[code] = self._get_response_for_code(ErrorOut, code, direction=direction)
        return responses

    def get_auth(self) -> list[dict[str, Any]]:
        auths = super().get_auth()
        anonymous_allowed = self.method in SAFE_METHODS and not getattr(self.view, "sign_in", False)
        if anonymous_allowed and {} not in auths:
            auths.append({})
        return auths


class ApiOAuth2Scheme(OpenApiAuthenticationExtension):
    target_class = "repository.api.authentication.ApiOAuth2Authentication"
    name = "oauth2"
    priority = 1

    def get_security_requirement(self, auto_schema: AutoSchema) -> list[dict[str, list[str]]]:
        choices = scope_choices(auto_schema.view, auto_schema.method)
        return [{self.name: scopes} for scopes in choices]

    def get_security_definition(self, auto_schema: AutoSchema) -> dict[str, Any]:
        from drf_spectacular.contrib.django_oauth_toolkit import DjangoOAuthToolkitScheme

        return DjangoOAuthToolkitScheme.get_security_definition(self, auto_schema)  # type: ignore[arg-type]
