"""The pure rules of institutional sign-in: id_token checks and the mapping of claims to roles."""

import re
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from repository.actions.signin import oidc_role, saml_role
from repository.errors import SignInRefused
from repository.models import OidcProvider
from repository.web.oidc import verify_id_token

ISSUER = "https://login.northfield.ac.uk/realms/staff"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def token(key=KEY, **claims) -> str:
    now = int(time.time())
    body = {"iss": ISSUER, "aud": "remixbank", "sub": "8f1c", "iat": now, "exp": now + 300}
    merged = {k: v for k, v in {**body, **claims}.items() if v is not None}  # None: left out
    return jwt.encode(merged, key, algorithm="RS256")


def check(raw: str) -> dict:
    return verify_id_token(
        raw,
        KEY.public_key(),
        algorithm="RS256",
        issuer=ISSUER,
        client_id="remixbank",
        institution="Northfield University",
    )


def test_good_id_token_gives_its_claims():
    assert check(token(email="zoe@staff.northfield.ac.uk"))["sub"] == "8f1c"


@pytest.mark.parametrize(
    ("claims", "words"),
    [
        ({"aud": "another-app"}, "issued its answer to another application"),
        ({"iss": "https://evil.example"}, "issued by someone other than"),
        ({"exp": int(time.time()) - 3600}, "had already expired"),
        ({"sub": None}, "without its 'sub' claim"),
    ],
)
def test_id_token_refusals_say_what_is_wrong(claims, words):
    with pytest.raises(SignInRefused, match=words):
        check(token(**claims))


def test_id_token_signed_by_another_key_is_refused():
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(SignInRefused, match="not signed by the provider's published keys"):
        check(token(key=other))


def provider(**fields) -> OidcProvider:
    from repository.models import Institution

    return OidcProvider(
        institution=Institution(name="Northfield University", slug="northfield"),
        staff_domains=["staff.northfield.ac.uk"],
        student_domains=["students.northfield.ac.uk"],
        **fields,
    )


def test_highest_role_any_rule_grants_wins():
    rules = provider(role_claim="groups", staff_values=["Lehrende"], student_values=["learners"])
    assert (
        oidc_role(rules, {"email": "a@students.northfield.ac.uk", "groups": ["Lehrende"]})
        == "staff"
    )
    assert oidc_role(rules, {"email": "a@elsewhere.example", "groups": "learners"}) == "student"


def test_unverified_address_grants_nothing():
    with pytest.raises(SignInRefused, match="was not one of them"):
        oidc_role(provider(), {"email": "b@staff.northfield.ac.uk", "email_verified": False})


@pytest.mark.parametrize("said", [None, "false", 0, "yes"])
def test_address_the_provider_does_not_say_it_verified_grants_nothing(said):
    claims = {"email": "zoë@staff.northfield.ac.uk", "email_verified": said}
    with pytest.raises(SignInRefused, match=re.escape("zoë@staff.northfield.ac.uk")):
        oidc_role(provider(), {k: v for k, v in claims.items() if v is not None})


def test_verified_address_grants_its_domains_role():
    for said in (True, "true"):
        claims = {"email": "zoë@staff.northfield.ac.uk", "email_verified": said}
        assert oidc_role(provider(), claims) == "staff"


def test_scoped_affiliations_map_to_roles_within_the_institutions_domains():
    from repository.models import Institution

    northfield = Institution(name="Northfield University", email_domains=["northfield.ac.uk"])
    assert (
        saml_role(northfield, ["member@northfield.ac.uk", "faculty@physics.northfield.ac.uk"])
        == "staff"
    )
    assert saml_role(northfield, ["student@northfield.ac.uk"]) == "student"
    with pytest.raises(SignInRefused, match=re.escape("'staff@southbank.ac.uk'")):
        saml_role(northfield, ["student@northfield.ac.uk", "staff@southbank.ac.uk"])
    with pytest.raises(SignInRefused, match="did not say you are staff"):
        saml_role(northfield, ["alum@northfield.ac.uk"])
    with pytest.raises(SignInRefused, match=re.escape("northfield.ac.uk only")):
        saml_role(northfield, ["staff@evilnorthfield.ac.uk"])


@pytest.mark.django_db
def test_identity_of_one_institution_cannot_sign_in_through_anothers_settings(
    northfield, southbank
):
    """Southbank's admin names Northfield's IdP (with metadata and a key of their own choosing)."""
    from repository.actions.signin import sign_in_federated
    from repository.models import ExternalIdentity, Membership

    idp, subject = "https://idp.northfield.ac.uk/shibboleth", "QF3K7ZP2WB5XJ@northfield.ac.uk"
    wanjiru = sign_in_federated(
        institution=northfield,
        protocol="saml",
        issuer=idp,
        subject=subject,
        email="wanjiru.kamau@northfield.ac.uk",
        name="Wanjiru Kamau",
        role=Membership.Role.STAFF,
    )
    with pytest.raises(SignInRefused, match="already belongs to an account of Northfield"):
        sign_in_federated(
            institution=southbank,
            protocol="saml",
            issuer=idp,
            subject=subject,
            email="mallory@southbank.ac.uk",
            name="Mallory",
            role=Membership.Role.STAFF,
        )
    assert list(Membership.objects.filter(user=wanjiru).values_list("institution", "role")) == [
        (northfield.pk, Membership.Role.STAFF)
    ]
    assert ExternalIdentity.objects.get().institution == northfield
