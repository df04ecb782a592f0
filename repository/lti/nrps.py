"""Names and Roles Provisioning: a course's learners read from the platform with pylti1p3."""

from dataclasses import dataclass

import requests
from pylti1p3.exception import LtiException
from pylti1p3.names_roles import NamesRolesProvisioningService
from pylti1p3.service_connector import ServiceConnector

from repository.errors import DomainError
from repository.lti.addresses import PlatformSession
from repository.lti.tool_config import registration_of
from repository.models import LtiPlatform

LEARNER_ROLES = (
    "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner",
    "Learner",  # NRPS allows the short form for context roles
)
MEMBERS_MAX = 5000


class RosterNotRead(DomainError):
    code = "roster_not_read"


@dataclass
class Member:
    """What Remixbank keeps of one member: their subject and the name the teacher knows them by."""

    subject: str
    name: str


def display_name(member: dict[str, object]) -> str:
    name = str(member.get("name") or "").strip()
    if not name:
        parts = (member.get("given_name"), member.get("family_name"))
        name = " ".join(str(p).strip() for p in parts if p)
    return name[:200]


def learners_of(
    platform: LtiPlatform, *, memberships_url: str, resource_link_id: str
) -> list[Member]:
    """The active learners of the link's course (the platform's token first).

    Raises RosterNotRead saying why when the platform refuses or cannot be reached. Every
    other field the platform sends (e-mail, picture, roles beyond "is a learner") is dropped here.
    """
    connector = ServiceConnector(registration_of(platform), requests_session=PlatformSession())
    service = NamesRolesProvisioningService(connector, {"context_memberships_url": memberships_url})
    try:
        members = service.get_members(resource_link_id=resource_link_id or None)
    except LtiException as exc:
        raise RosterNotRead(f"{platform.name} did not give the course's members: {exc}") from exc
    except (requests.RequestException, ValueError) as exc:
        raise RosterNotRead(
            f"{platform.name} could not be reached at {memberships_url}: {exc}"
        ) from exc
    found: dict[str, Member] = {}
    for member in members[:MEMBERS_MAX]:
        roles = member.get("roles") or []
        subject = str(member.get("user_id") or "")[:255]
        if not subject or member.get("status", "Active") != "Active":
            continue
        if any(role in LEARNER_ROLES for role in roles):
            found[subject] = Member(subject=subject, name=display_name(dict(member)))
    return list(found.values())
