"""SAML 2.0 sign-in through a real IdP (pysaml2's IdP server, tests/repository/signin/saml_idp.py),
whose metadata comes from a signed federation feed."""

import html
import re
from collections.abc import Callable

import pytest
import requests
from django.contrib.auth.models import User

from repository.models import ExternalIdentity, Membership, SamlProvider, SignInProblem
from tests.repository.signin.conftest import configure_saml_idp
from tests.repository.signin.providers import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def field(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found, page
    return html.unescape(found.group(1))


def sign_in(
    main_site: str, username: str, on_the_way_back: Callable[[], object] = lambda: None
) -> requests.Response:
    """Our login page's SAML link, the IdP's login form, its auto-posting form, and back."""
    browser = requests.Session()
    login_page = browser.get(f"{main_site}/accounts/login/", timeout=30)
    link = re.search(r'href="(/accounts/saml/[^"]+)"', login_page.text)
    assert link, login_page.text
    at_idp = browser.get(main_site + link.group(1), timeout=30)
    if "SAMLRequest" not in at_idp.text:
        return at_idp  # refused before reaching the IdP
    origin = at_idp.url.split("/sso", 1)[0]
    posting = browser.post(
        f"{origin}/sso/login",
        data={
            "SAMLRequest": field(at_idp.text, "SAMLRequest"),
            "RelayState": field(at_idp.text, "RelayState"),
            "username": username,
            "password": PASSWORD,
        },
        timeout=30,
    )
    action = re.search(r'action="([^"]+)"', posting.text)
    assert action, posting.text
    on_the_way_back()
    return browser.post(
        html.unescape(action.group(1)),
        data={
            "SAMLResponse": field(posting.text, "SAMLResponse"),
            "RelayState": field(posting.text, "RelayState"),
        },
        timeout=30,
    )


def refused(page: requests.Response, words: str) -> SignInProblem:
    assert page.status_code == 400, page.text
    assert words in html.unescape(page.text), page.text
    assert "no account was created" in page.text
    assert not User.objects.filter(username__startswith="signin-").exists()
    assert not ExternalIdentity.objects.exists()
    problem = SignInProblem.objects.get()
    assert words in problem.message and problem.protocol == "saml"
    return problem


def test_sp_metadata_names_the_assertion_consumer(main_site):
    page = requests.get(f"{main_site}/accounts/saml/metadata/", timeout=30)
    assert page.headers["Content-Type"] == "application/samlmetadata+xml"
    assert f'entityID="{main_site}/accounts/saml/metadata/"' in page.text
    assert f'Location="{main_site}/accounts/saml/acs/"' in page.text


def test_faculty_and_student_join_with_their_affiliations_keyed_by_pairwise_id(
    main_site, idp, admin
):
    configure_saml_idp(idp, admin)
    home = sign_in(main_site, "wanjiru")
    assert home.status_code == 200 and home.url == f"{main_site}/", home.text
    identity = ExternalIdentity.objects.select_related("user").get()
    assert (identity.issuer, identity.subject) == (idp.entity_id, "QF3K7ZP2WB5XJ@northfield.ac.uk")
    assert identity.user.email == "wanjiru.kamau@northfield.ac.uk"
    assert Membership.objects.get(user=identity.user).role == "staff"
    assert "Wanjiru Kamau" in home.text

    assert sign_in(main_site, "søren").status_code == 200
    soren = ExternalIdentity.objects.get(subject="9DL2M4TQ8VR1C@northfield.ac.uk").user
    assert soren.first_name == "Søren Lund"
    assert Membership.objects.get(user=soren).role == "student"
    sign_in(main_site, "søren")
    assert User.objects.filter(username__startswith="signin-").count() == 2


def test_affiliation_scoped_to_another_institution_is_refused(main_site, idp, admin, southbank):
    configure_saml_idp(idp, admin)
    refused(sign_in(main_site, "mallory"), "said you are 'staff@southbank.ac.uk'")


def test_assertion_signed_by_another_idp_of_the_federation_is_refused(main_site, idp, admin):
    """A neighbour in the feed signs for Northfield's people under a response naming Northfield."""
    configure_saml_idp(idp, admin)
    idp.answer_as_neighbour = True
    problem = refused(sign_in(main_site, "wanjiru"), f"comes from {idp.neighbour_entity_id}")
    assert "Northfield University's identity provider" in problem.message


def test_unsigned_assertion_is_refused(main_site, idp, admin):
    configure_saml_idp(idp, admin)
    idp.sign_assertion = False
    refused(sign_in(main_site, "wanjiru"), "is not signed, or not signed by the key")


def test_assertion_signed_with_a_key_the_metadata_does_not_publish_is_refused(
    main_site, idp, admin
):
    configure_saml_idp(idp, admin)
    idp.sign_with_rogue_key = True
    refused(sign_in(main_site, "wanjiru"), "is not signed, or not signed by the key")


def test_expired_assertion_is_refused(main_site, idp, admin):
    configure_saml_idp(idp, admin)
    idp.lifetime_minutes = -10
    refused(sign_in(main_site, "wanjiru"), "has expired")


def test_assertion_for_another_service_is_refused(main_site, idp, admin):
    configure_saml_idp(idp, admin)
    idp.audience = idp.other_sp
    refused(sign_in(main_site, "wanjiru"), "made this assertion for another service")


def test_unsigned_federation_metadata_is_refused(main_site, idp, admin):
    configure_saml_idp(idp, admin)
    idp.metadata_signed_by = None
    refused(sign_in(main_site, "wanjiru"), "metadata is not signed")


def test_metadata_signed_by_another_key_is_refused(main_site, idp, admin):
    configure_saml_idp(idp, admin)
    idp.metadata_signed_by = "rogue"
    refused(sign_in(main_site, "wanjiru"), "is not signed by the certificate configured")


def test_signed_feed_wrapped_in_an_unsigned_one_is_refused(main_site, idp, admin):
    configure_saml_idp(idp, admin)
    idp.metadata_signed_by = "wrapped"
    refused(sign_in(main_site, "wanjiru"), "metadata is not signed")


def test_metadata_feed_that_is_down_is_a_clear_page(main_site, idp, admin):
    configure_saml_idp(idp, admin, metadata_url="http://127.0.0.1:9/metadata")
    refused(sign_in(main_site, "wanjiru"), "could not be fetched")


def test_metadata_feed_inside_this_sites_network_is_not_fetched(main_site, idp, admin, settings):
    configure_saml_idp(idp, admin)
    settings.SIGNIN_PRIVATE_ADDRESSES = False
    problem = refused(sign_in(main_site, "wanjiru"), "inside this site's own network")
    assert f"{idp.url}/metadata" in problem.message


def test_provider_turned_off_during_a_sign_in_does_not_finish_it(main_site, idp, admin):
    provider = configure_saml_idp(idp, admin)

    def turn_off() -> None:
        SamlProvider.objects.filter(pk=provider.pk).update(enabled=False)

    refused(sign_in(main_site, "wanjiru", turn_off), "has turned signing in through its identity")
