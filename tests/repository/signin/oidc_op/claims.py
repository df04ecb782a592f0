"""The standard claims the test provider releases for its users."""

from typing import Any


def userinfo(claims: dict[str, Any], user: Any) -> dict[str, Any]:
    claims["name"] = f"{user.first_name} {user.last_name}".strip()
    claims["given_name"] = user.first_name
    claims["family_name"] = user.last_name
    claims["email"] = user.email
    claims["email_verified"] = True
    return claims
