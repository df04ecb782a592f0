"""The repository's domain model, split by concern."""

from repository.models.api_clients import ApiClient
from repository.models.attempts import Attempt
from repository.models.blobs import Blob
from repository.models.contributions import Contribution, ContributionFile, Review
from repository.models.derivations import Derivation
from repository.models.institutions import Institution, Invitation, Membership
from repository.models.lti import (
    LtiEvent,
    LtiLaunchState,
    LtiLearner,
    LtiPlatform,
    LtiResourceLink,
    LtiRosterMember,
    LtiScorePost,
    LtiToolKey,
)
from repository.models.moderation import AdminAction, Report
from repository.models.outbox import OutboxMessage
from repository.models.remixes import CollectionItem, RemixPick
from repository.models.resources import Resource
from repository.models.signin import ExternalIdentity, OidcProvider, SamlProvider, SignInProblem
from repository.models.usage import UsageDay, UsageEvent, UsageSalt
from repository.models.validation import ValidationRun, ValidationStep
from repository.models.variants import StudentKey, VariantRun
from repository.models.versions import Version, VersionFile
from repository.models.workers import WorkerBeat

__all__ = [
    "AdminAction",
    "ApiClient",
    "Attempt",
    "Blob",
    "CollectionItem",
    "Contribution",
    "ContributionFile",
    "Derivation",
    "ExternalIdentity",
    "Institution",
    "Invitation",
    "LtiEvent",
    "LtiLaunchState",
    "LtiLearner",
    "LtiPlatform",
    "LtiResourceLink",
    "LtiRosterMember",
    "LtiScorePost",
    "LtiToolKey",
    "Membership",
    "OidcProvider",
    "OutboxMessage",
    "RemixPick",
    "Report",
    "Resource",
    "Review",
    "SamlProvider",
    "SignInProblem",
    "StudentKey",
    "UsageDay",
    "UsageEvent",
    "UsageSalt",
    "ValidationRun",
    "ValidationStep",
    "VariantRun",
    "Version",
    "VersionFile",
    "WorkerBeat",
]
