"""Deep Linking responses: content items for chosen versions, signed with our key by pylti1p3."""

from dataclasses import dataclass
from typing import Any

from pylti1p3.deep_link_resource import DeepLinkResource

from repository.lti.messages import DL_CLAIM, VERSION_PARAM, LtiRefused


@dataclass
class Item:
    """One LTI resource link to return: a pinned version with the words the VLE shows."""

    version_id: int
    title: str
    url: str
    text: str
    thumbnail: str = ""


class ResourceLink(DeepLinkResource):
    """pylti1p3's resource link, with the optional `text` and `thumbnail` of LTI-DL 2.0 §3.3."""

    text = ""
    thumbnail = ""

    def to_dict(self) -> dict[str, object]:
        data = super().to_dict()
        if self.text:
            data["text"] = self.text
        if self.thumbnail:
            data["thumbnail"] = {"url": self.thumbnail}
        return data


def settings_of(claims: dict[str, Any]) -> dict[str, Any]:
    """The request's deep linking settings. Raises LtiRefused when it cannot take a resource link."""
    found = claims.get(DL_CLAIM + "deep_linking_settings") or {}
    if not found.get("deep_link_return_url"):
        raise LtiRefused("This is not a Deep Linking request: it names no return address.")
    accepted = found.get("accept_types") or []
    if "ltiResourceLink" not in accepted:
        raise LtiRefused(
            "The VLE asked for content of types "
            + (", ".join(accepted) or "(none)")
            + ", and Remixbank offers LTI resource links only: add it from the VLE's "
            "“add an activity or external tool” instead."
        )
    return dict(found)


def accepts_multiple(settings: dict[str, Any]) -> bool:
    return str(settings.get("accept_multiple", "true")).lower() not in {"false", "0"}


def resource_links(items: list[Item]) -> list[ResourceLink]:
    links = []
    for item in items:
        link = ResourceLink()
        link.set_title(item.title).set_url(item.url).set_custom_params(
            {VERSION_PARAM: str(item.version_id)}
        )
        link.text = item.text
        link.thumbnail = item.thumbnail
        links.append(link)
    return links


def response_jwt(launch: Any, items: list[Item]) -> str:
    """The signed LtiDeepLinkingResponse (`launch` is the validated pylti1p3 message launch)."""
    token: str = launch.get_deep_link().get_response_jwt(resource_links(items))
    return token
