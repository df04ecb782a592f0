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
    methods); `other_write_scopes` lists further scope sets any of which also lets a token
    write (the view then checks what each operation needs with `require_scopes`). A session (the browsable API) carries every scope: the person's role still
    bounds what they can do, as in the web UI. Anonymous callers may only read, and
    querysets filtered by `visible_to()` show them only what is public.
    """

    def has_permission(self, request: Request, view: Any) -> bool:
        require_scopes(request, *scope_choices(view, request.method or "GET"))
        # `anonymous_writes`: a view anyone may POST to (reports of versions), throttled.
        writes = request.method not in SAFE_METHODS and not getattr(view, "anonymous_writes", False)
        needs_sign_in = writes or getattr(view, "sign_in", False)
        if needs_sign_in and not request.user.is_authenticated:
            raise exceptions.NotAuthenticated()
        return True


def required_scopes(view: Any, method: str) -> list[str]:
    if method in SAFE_METHODS:
        return list(getattr(view, "required_scopes", ["read"]))
    return list(getattr(view, "write_scopes", ["admin"]))


def scope_choices(view: Any, method: str) -> list[list[str]]:
    """The scope sets any one of which lets a token call `view` with `method`."""
    choices = [required_scopes(view, method)]
    if method not in SAFE_METHODS:
        choices += [list(scopes) for scopes in getattr(view, "other_write_scopes", [])]
    return choices


def require_scopes(request: Request, *choices: list[str]) -> None:
    """Refuse a token that carries none of the scope sets `choices` (sessions carry them all)."""
    token = request.auth
    if not isinstance(token, AbstractAccessToken):
        return
    if any(token.allow_scopes(scopes) for scopes in choices):
        return
    wanted = " or ".join(" and ".join(scopes) for scopes in choices)
    raise InsufficientScope(
        f"This token lacks the {wanted} scope; ask for it when authorising the application."
    )
