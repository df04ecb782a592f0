"""Institutional sign-in in Chromium: our login page, the institution's real provider, and back."""

import pytest
import requests
from playwright.sync_api import Browser, expect

from repository.models import ExternalIdentity, Membership
from tests.repository.signin.conftest import configure, configure_saml_idp
from tests.repository.signin.providers import PASSWORD, oidc_provider
from tests.repository.signin.saml_idp import saml_idp

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def providers_on_loopback(settings):
    """The identity providers these tests start are on loopback, inside the site's network."""
    settings.SIGNIN_PRIVATE_ADDRESSES = True


def test_staff_member_signs_in_through_the_institutions_oidc_provider(
    browser: Browser, site: str, admin, tmp_path
):
    with oidc_provider(tmp_path, redirect_uri=f"{site}/accounts/oidc-callback/") as op:
        configure(op, admin)
        page = browser.new_page()
        page.goto(f"{site}/accounts/login/")
        page.get_by_role("link", name="Sign in with Northfield University").click()
        expect(page.get_by_role("heading", name="Institution sign-in")).to_be_visible()
        assert page.url.startswith(op.url)
        page.get_by_label("Username").fill("zoe")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{site}/")
        expect(page.get_by_text("Zoë").first).to_be_visible()
        page.close()
    identity = ExternalIdentity.objects.select_related("user").get()
    membership = Membership.objects.get(user=identity.user)
    assert (membership.institution.slug, membership.role) == ("northfield", "staff")


def test_student_signs_in_through_the_institutions_saml_idp(
    browser: Browser, site: str, admin, tmp_path
):
    sp_metadata = requests.get(f"{site}/accounts/saml/metadata/", timeout=30).text
    with saml_idp(tmp_path, sp_metadata=sp_metadata) as idp:
        configure_saml_idp(idp, admin)
        page = browser.new_page()
        page.goto(f"{site}/accounts/login/")
        page.get_by_role("link", name="Sign in with Northfield University").nth(0).click()
        expect(page.get_by_role("heading", name="Northfield University login")).to_be_visible()
        assert page.url.startswith(idp.url)
        page.get_by_label("Username").fill("søren")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()  # then the IdP's page posts back
        page.wait_for_url(f"{site}/")
        expect(page.get_by_text("Søren Lund").first).to_be_visible()
        page.close()
    identity = ExternalIdentity.objects.select_related("user").get()
    assert identity.subject == "9DL2M4TQ8VR1C@northfield.ac.uk"
    membership = Membership.objects.get(user=identity.user)
    assert (membership.institution.slug, membership.role) == ("northfield", "student")
