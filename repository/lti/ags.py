"""Assignment and Grade Services: a score posted to a platform's line item with pylti1p3."""

from dataclasses import dataclass
from typing import Any

import requests
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiException
from pylti1p3.grade import Grade
from pylti1p3.service_connector import ServiceConnector

from repository.errors import DomainError
from repository.lti.addresses import PlatformSession
from repository.lti.tool_config import registration_of
from repository.models import LtiPlatform


class ScoreNotAccepted(DomainError):
    code = "score_not_accepted"


@dataclass
class Score:
    subject: str
    given: float
    maximum: float
    activity_progress: str
    grading_progress: str
    timestamp: str


def send_score(
    platform: LtiPlatform, *, lineitem_url: str, scopes: list[str], score: Score
) -> None:
    """Post `score` to the line item (access token first). Raises ScoreNotAccepted saying why."""
    connector = ServiceConnector(registration_of(platform), requests_session=PlatformSession())
    claim: Any = {"scope": scopes, "lineitem": lineitem_url}  # the launch's AGS claim, as stored
    service = AssignmentsGradesService(connector, claim)
    grade = (
        Grade()
        .set_score_given(score.given)
        .set_score_maximum(score.maximum)
        .set_activity_progress(score.activity_progress)
        .set_grading_progress(score.grading_progress)
        .set_timestamp(score.timestamp)
        .set_user_id(score.subject)
    )
    try:
        service.put_grade(grade)
    except LtiException as exc:
        raise ScoreNotAccepted(f"{platform.name} did not accept the score: {exc}") from exc
    except requests.RequestException as exc:
        raise ScoreNotAccepted(
            f"{platform.name} could not be reached at {lineitem_url}: {exc}"
        ) from exc
