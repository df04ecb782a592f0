"""Learners launched from a VLE share their registering institution's fair-share pool."""

import pytest

from repository.actions.attempts import submit_attempt
from repository.actions.lti import learner_account, register_platform
from repository.errors import RateLimited
from repository.management.commands.load_demo import SCENARIO_DIR
from repository.models import Attempt, LtiLearner, LtiPlatform, Membership
from tests.conftest import member
from tests.factories import published_scenario
from tests.lti.test_registration import FIELDS

DIFFERENCE = (SCENARIO_DIR / "difference_controller.py").read_text()


def platform_of(institution, by, client_id: str) -> LtiPlatform:
    return register_platform(
        institution=institution,
        by=by,
        name=f"VLE of {institution.name}",
        issuer=FIELDS["issuer"],
        client_id=client_id,
        deployment_ids=["1"],
        auth_login_url=FIELDS["auth_login_url"],
        auth_token_url=FIELDS["auth_token_url"],
        jwks_url=FIELDS["jwks_url"],
    )


def launched(platform: LtiPlatform, subject: str):
    return learner_account(LtiLearner.objects.create(platform=platform, subject=subject))


def test_lti_learners_count_against_the_institution_that_registered_their_vle(
    tmp_path, northfield, southbank, staff, admin, settings
):
    scenario = published_scenario(tmp_path, northfield, staff)
    southbank_admin = member(southbank, "ines@southbank.ac.uk", "Inès", Membership.Role.ADMIN)
    ours = platform_of(northfield, admin, "north-1")
    theirs = platform_of(southbank, southbank_admin, "south-1")
    settings.ATTEMPTS_WAITING_PER_INSTITUTION = 2
    for subject in ("élève-1", "élève-2"):
        attempt = submit_attempt(scenario, code=DIFFERENCE, by=launched(ours, subject))
        assert attempt.institution == northfield
    with pytest.raises(RateLimited, match="Learners of Northfield University have 2 attempts"):
        submit_attempt(scenario, code=DIFFERENCE, by=launched(ours, "élève-3"))
    # Another VLE's learners are not held up by Northfield's full pool, nor pooled with
    # everyone who has no institution.
    other = submit_attempt(scenario, code=DIFFERENCE, by=launched(theirs, "student-9"))
    assert other.institution == southbank
    assert not Attempt.objects.filter(institution__isnull=True).exists()
