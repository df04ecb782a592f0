"""What Remixbank does with each LTI claim: the data page is drawn from these lists, which the
launch code (repository/web/lti.py, actions/lti.py) follows; tests check they agree."""

from repository.lti.messages import AGS_CLAIM, CLAIM, DL_CLAIM, NRPS_CLAIM

# (claim, what we keep it as, for how long)
CLAIMS_STORED = [
    (
        "sub",
        "the learner's identifier at this platform (LtiLearner.subject), nothing else about them",
        "until the admin removes the platform registration",
    ),
    (
        CLAIM + "resource_link → id",
        "the course placement, with the Remixbank version it is pinned to",
        "until the registration is removed",
    ),
    (
        CLAIM + "deployment_id",
        "which deployment the placement belongs to",
        "until the registration is removed",
    ),
    (
        AGS_CLAIM + "endpoint → lineitem",
        "where the placement's scores go",
        "until the registration is removed",
    ),
    (
        "the teacher's choice of score",
        "whether the placement's gradebook gets each learner's best or latest score",
        "until the registration is removed",
    ),
    (
        "sub, with the placement launched",
        "which placements a learner opened, so only that course's teachers see their attempts",
        "until the registration is removed",
    ),
    (
        NRPS_CLAIM + "namesroleservice → context_memberships_url",
        "where the course's members are read from (used only while Names and Roles is on)",
        "until the registration is removed",
    ),
    (
        "Names and Roles members: user_id, name (or given_name and family_name)",
        "only while the admin keeps Names and Roles on: each active learner's subject and "
        "display name, shown to the course's teachers in their table of attempts",
        "read again each time a teacher opens the scenario's placement; deleted when Names and Roles is "
        "turned off or the registration removed",
    ),
    (
        "the whole validated launch",
        "kept only while a teacher picks activities (Deep Linking)",
        "at most 2 hours, deleted once the picker answers",
    ),
    (
        "nonce, state",
        "to refuse a launch used twice",
        "5 minutes to a day; a nonce is deleted when used",
    ),
]
CLAIMS_IGNORED = [
    (
        "name, given_name, family_name, middle_name, picture",
        "never stored (Names and Roles, when the admin turns it on, is the only way names arrive)",
    ),
    ("email", "never stored"),
    (
        CLAIM + "roles",
        "read during the launch (a teacher sees upgrade notes and the course's table), not stored",
    ),
    (CLAIM + "context (course id, title, label)", "not stored"),
    (CLAIM + "launch_presentation, tool_platform, lis", "not stored"),
    (
        DL_CLAIM + "deep_linking_settings",
        "read while the teacher picks, kept with the launch as above",
    ),
    (
        "Names and Roles members: email, picture, middle_name, lis_person_sourcedid, roles, "
        "message, and every member who is not an active learner",
        "dropped as the list is read, never stored",
    ),
]
SENT_BACK = [
    (
        "Deep Linking response",
        "the chosen versions' titles, their address and version number, attribution text (authors and licence), a thumbnail address",
        "when a teacher adds activities",
    ),
    (
        "Scores (AGS)",
        "the learner's subject as the platform gave it, the score and its maximum, activityProgress and gradingProgress, a timestamp",
        "when a learner finishes a scenario attempt",
    ),
    (
        "Access token requests",
        "a JWT signed with Remixbank's key naming the client id and the scopes asked for",
        "before each score is sent and each time the course's members are read",
    ),
    (
        "Names and Roles request",
        "the placement's resource link id (rlid), to read the course's members",
        "when a teacher opens a scenario's placement, only while Names and Roles is on",
    ),
]
