"""OpenID Connect sign-in through a real provider (django-oidc-provider on loopback).

Each person signs in with the provider's own login form; the tests read the pages as a browser
would (tests/browser/test_signin.py drives Chromium through the same journey).
"""

import re
from typing import Any

import pytest
import requests
from django.contrib.auth.models import User

from repository.models import ExternalIdentity, Membership, OidcProvider, SignInProblem
from tests.repository.signin.conftest import configure
from tests.repository.signin.providers import PASSWORD, oidc_provider

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(
    main_site: str, username: str, *, session: requests.Session | None = None
) -> requests.Response:
    """Start at our login page's link, log in at the provider, follow it back."""
    browser = session or requests.Session()
    login_page = browser.get(f"{main_site}/accounts/login/", timeout=30)
    link = re.search(r'href="(/accounts/oidc/[^"]+)"', login_page.text)
    assert link, login_page.text
    at_provider = browser.get(main_site + link.group(1), timeout=30)
    if "csrfmiddlewaretoken" not in at_provider.text:
        return at_provider  # refused before reaching the provider
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', at_provider.text)
    nxt = re.search(r'name="next" value="([^"]*)"', at_provider.text)
    assert token and nxt
    return browser.post(
        at_provider.url,
        data={
            "csrfmiddlewaretoken": token.group(1),
            "username": username,
            "password": PASSWORD,
            "next": nxt.group(1).replace("&amp;", "&"),
        },
        headers={"Referer": at_provider.url},
        timeout=30,
    )


def refused(page: requests.Response, words: str) -> SignInProblem:
    assert page.status_code == 400, page.text
    assert words in page.text.replace("&#x27;", "'"), page.text
    assert "no account was created" in page.text
    assert not User.objects.filter(username__startswith="signin-").exists()
    assert not ExternalIdentity.objects.exists()
    problem = SignInProblem.objects.get()
    assert words in problem.message
    return problem


def test_first_sign_in_joins_as_the_mapped_role_keyed_by_sub(main_site, op, admin):
    configure(op, admin)
    home = sign_in(main_site, "zoe")
    assert home.status_code == 200 and home.url == f"{main_site}/", home.url
    identity = ExternalIdentity.objects.select_related("user").get()
    assert identity.issuer == op.issuer and identity.protocol == "oidc"
    assert identity.subject and "@" not in identity.subject  # the provider's sub, not the e-mail
    zoe = identity.user
    assert (zoe.email, zoe.first_name) == ("zoe.okafor@staff.northfield.ac.uk", "Zoë Okafor")
    assert not zoe.has_usable_password()
    assert Membership.objects.get(user=zoe).role == "staff"
    assert "Zoë" in home.text  # signed in on the page that follows

    student = sign_in(main_site, "yusuf")
    assert student.status_code == 200
    yusuf = ExternalIdentity.objects.exclude(user=zoe).get().user
    assert Membership.objects.get(user=yusuf, institution__slug="northfield").role == "student"


def test_second_sign_in_finds_the_same_account_and_keeps_an_admins_promotion(main_site, op, admin):
    configure(op, admin)
    sign_in(main_site, "yusuf")
    membership = Membership.objects.get(user__username__startswith="signin-")
    membership.role = "staff"
    membership.save()
    again = sign_in(main_site, "yusuf")
    assert again.status_code == 200
    assert User.objects.filter(username__startswith="signin-").count() == 1
    assert Membership.objects.get(pk=membership.pk).role == "staff"


def test_someone_no_rule_lets_in_is_refused_and_nothing_is_created(main_site, op, admin):
    configure(op, admin)
    problem = refused(
        sign_in(main_site, "xavier"), "was not one of them (address xavier@gmail.example"
    )
    assert problem.institution.slug == "northfield"


def test_provider_that_is_down_is_a_clear_page(main_site, op, admin):
    configure(op, admin, issuer="http://127.0.0.1:9/openid")
    refused(sign_in(main_site, "zoe"), "is not answering")


def test_provider_that_calls_itself_another_issuer_is_refused(main_site, admin, tmp_path):
    redirect = f"{main_site}/accounts/oidc-callback/"
    with oidc_provider(tmp_path, redirect_uri=redirect, site_url="http://op.invalid") as op:
        configure(op, admin, issuer=op.url + "/openid")
        refused(sign_in(main_site, "zoe"), "says it is 'http://op.invalid/openid'")


def test_expired_id_token_is_refused(main_site, admin, tmp_path):
    redirect = f"{main_site}/accounts/oidc-callback/"
    with oidc_provider(tmp_path, redirect_uri=redirect, idtoken_expire=-600) as op:
        configure(op, admin)
        refused(sign_in(main_site, "zoe"), "had already expired")


def test_wrong_client_secret_is_refused(main_site, op, admin):
    configure(op, admin, client_secret="not-the-secret")
    refused(sign_in(main_site, "zoe"), "did not accept this site's client id and secret")


def test_callback_for_a_sign_in_this_browser_did_not_start_is_refused(main_site, op, admin):
    configure(op, admin)
    browser = requests.Session()
    browser.get(f"{main_site}/accounts/oidc/northfield/", timeout=30, allow_redirects=False)
    page = browser.get(f"{main_site}/accounts/oidc-callback/?code=forged&state=forged", timeout=30)
    assert page.status_code == 400
    assert "This sign-in was not started from this browser" in page.text
    assert not User.objects.filter(username__startswith="signin-").exists()


def test_answer_replayed_after_its_sign_in_finished_is_refused(main_site, op, admin):
    configure(op, admin)
    browser = requests.Session()
    home = sign_in(main_site, "zoe", session=browser)
    callback = next(r for r in home.history if "/accounts/oidc-callback/" in r.url)
    replay = browser.get(callback.url, timeout=30)
    assert replay.status_code == 400
    assert "does not belong to the sign-in this browser started" in replay.text
    assert SignInProblem.objects.get().institution.slug == "northfield"


def test_admin_sees_refused_sign_ins_on_the_manage_page(main_site, op, admin, client: Any):
    configure(op, admin)
    sign_in(main_site, "xavier")
    client.force_login(admin)
    page = client.get("/i/northfield/manage/", HTTP_HOST="127.0.0.1")
    assert "xavier@gmail.example" in page.content.decode()


def test_provider_inside_this_sites_network_is_not_called(main_site, op, admin, settings):
    """The admin's issuer leads to loopback (it could be the cloud metadata address)."""
    configure(op, admin)
    settings.SIGNIN_PRIVATE_ADDRESSES = False
    problem = refused(sign_in(main_site, "wanjiru"), "inside this site's own network")
    assert "/.well-known/openid-configuration" in problem.message


def test_provider_turned_off_during_a_sign_in_does_not_finish_it(main_site, op, admin):
    provider = configure(op, admin)
    browser = requests.Session()

    def turn_off_on_the_way_back(response: requests.Response, **kwargs: Any) -> None:
        if "/accounts/oidc-callback/" in response.headers.get("Location", ""):
            OidcProvider.objects.filter(pk=provider.pk).update(enabled=False)

    browser.hooks["response"].append(turn_off_on_the_way_back)
    page = sign_in(main_site, "zoe", session=browser)
    assert page.status_code == 400
    assert "turned this way of signing in off" in page.text
    assert not ExternalIdentity.objects.exists()
    assert not User.objects.filter(username__startswith="signin-").exists()
