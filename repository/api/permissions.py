"""Scopes and sign-in per operation; roles are checked where the data is (visible_to, actions)."""

from typing import Any

from oauth2_provider.models import AbstractAccessToken
from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request


class InsufficientScope(exceptions.PermissionDenied):
    default_code = "insufficient_scope"


class ScopeAndSignIn(BasePermission):
    """A token must carry the view's scope for the method; writes need someone signed in.

    Views name their scopes in `required_scopes` (reads) and `write_scopes` (other
    methods). A session (the browsable API) carries every scope: the person's role still
    bounds what they can do, as in the web UI. Anonymous callers may only read, and
    querysets filtered by `visible_to()` show them only what is public.
    """

    def has_permission(self, request: Request, view: Any) -> bool:
        scopes = required_scopes(view, request.method or "GET")
        token = request.auth
        if isinstance(token, AbstractAccessToken) and not token.allow_scopes(scopes):
            raise InsufficientScope(
                f"This token lacks the {' and '.join(scopes)} scope; ask for it when "
                "authorising the application."
            )
        needs_sign_in = request.method not in SAFE_METHODS or getattr(view, "sign_in", False)
        if needs_sign_in and not request.user.is_authenticated:
            raise exceptions.NotAuthenticated()
        return True


def required_scopes(view: Any, method: str) -> list[str]:
    if method in SAFE_METHODS:
        return list(getattr(view, "required_scopes", ["read"]))
    return list(getattr(view, "write_scopes", ["admin"]))
