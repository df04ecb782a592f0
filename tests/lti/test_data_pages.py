"""What data goes where: the learners' page and each registration's page."""

from django.urls import reverse

from repository.actions.lti import register_platform
from tests.lti.test_registration import FIELDS


def test_learners_page_says_what_is_stored_ignored_and_sent_back(client, db):
    page = client.get(reverse("lti_learner_data")).content.decode()
    stored, rest = page.split('id="ignored-title"')
    ignored, sent = rest.split('id="sent-title"')
    assert "<code>sub</code>" in stored and "until the admin removes" in stored
    assert "email" in ignored and "never stored" in ignored
    assert "email" not in stored
    assert "Scores (AGS)" in sent and "Deep Linking response" in sent


def test_each_registration_has_its_page_saying_whether_names_are_kept(client, admin, staff):
    platform = register_platform(
        institution=admin.memberships.get().institution,
        by=admin,
        name="Moodle",
        issuer=FIELDS["issuer"],
        client_id=FIELDS["client_id"],
        deployment_ids=["1"],
        auth_login_url=FIELDS["auth_login_url"],
        auth_token_url=FIELDS["auth_token_url"],
        jwks_url=FIELDS["jwks_url"],
    )
    url = reverse("lti_platform_data", args=["northfield", platform.pk])
    client.force_login(admin)
    page = client.get(url).content.decode()
    assert "What data goes where: Moodle" in page
    assert "no name or e-mail from this VLE is ever stored" in page
    client.force_login(staff)
    assert client.get(url).status_code == 404
