"""pylti1p3's ToolConf backed by LtiPlatform rows and our current signing key."""

from typing import Any

from pylti1p3.deployment import Deployment
from pylti1p3.registration import Registration
from pylti1p3.tool_config.abstract import ToolConfAbstract

from repository.lti import keys
from repository.models import LtiPlatform


def find_platform(issuer: str, client_id: str | None) -> LtiPlatform | None:
    """The registration for (issuer, client id); without a client id, the issuer's only one."""
    platforms = LtiPlatform.objects.select_related("institution").filter(issuer=issuer)
    if client_id:
        return platforms.filter(client_id=client_id).first()
    found = list(platforms[:2])
    return found[0] if len(found) == 1 else None


def registration_of(platform: LtiPlatform) -> Registration:
    key = keys.signing_key()
    return (
        Registration()
        .set_issuer(platform.issuer)
        .set_client_id(platform.client_id)
        .set_key_set_url(platform.jwks_url)
        .set_auth_login_url(platform.auth_login_url)
        .set_auth_token_url(platform.auth_token_url)
        .set_tool_private_key(keys.private_pem(key))
        .set_tool_public_key(key.public_pem)
    )


class PlatformToolConf(ToolConfAbstract[Any]):
    """Every issuer may have many client ids; the platform found last is kept for the caller."""

    platform: LtiPlatform | None = None

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def find_registration_by_issuer(self, iss: str, *args: Any, **kwargs: Any) -> Registration:
        return self.find_registration_by_params(iss, None, *args, **kwargs)

    def find_registration_by_params(
        self, iss: str, client_id: str | None, *args: Any, **kwargs: Any
    ) -> Registration:
        self.platform = find_platform(iss, client_id)
        if self.platform is None:
            return None  # type: ignore[return-value]  # pylti1p3 reports a missing registration
        return registration_of(self.platform)

    def find_deployment(self, iss: str, deployment_id: str) -> Deployment | None:
        return self.find_deployment_by_params(iss, deployment_id, None)

    def find_deployment_by_params(
        self, iss: str, deployment_id: str, client_id: str | None, *args: Any, **kwargs: Any
    ) -> Deployment | None:
        platform = find_platform(iss, client_id)
        if platform is None or deployment_id not in platform.deployment_ids:
            return None
        return Deployment().set_deployment_id(deployment_id)
