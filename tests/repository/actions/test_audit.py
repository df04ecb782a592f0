"""The audit log: every admin action leaves one line (who, what, on what, changes, request id)."""

import datetime
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from repository import tracing
from repository.access import audit_log_for
from repository.actions import people
from repository.actions.api_clients import register_api_client, revoke_api_client
from repository.actions.lti import register_platform, remove_platform, update_platform
from repository.actions.moderation import dismiss_report, report_version, take_down_version
from repository.actions.publishing import publish_version, withdraw_version
from repository.actions.signin import configure_oidc, configure_saml
from repository.actions.validation import rerun_validation
from repository.errors import DomainError, PermissionRefused
from repository.models import AdminAction, Membership, Report
from tests.factories import MembershipFactory, UserFactory, validated

MOODLE: dict[str, Any] = {
    "name": "Moodle",
    "issuer": "https://moodle.northfield.ac.uk",
    "client_id": "Abc123",
    "deployment_ids": ["1", "2"],
    "auth_login_url": "https://moodle.northfield.ac.uk/mod/lti/auth.php",
    "auth_token_url": "https://moodle.northfield.ac.uk/mod/lti/token.php",
    "jwks_url": "https://moodle.northfield.ac.uk/mod/lti/certs.php",
}


def federation_certificate() -> str:
    """A self-signed certificate in PEM, as a federation publishes to check its metadata."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "UK federation metadata signer")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def only_line() -> AdminAction:
    [line] = AdminAction.objects.all()
    return line


def test_a_role_change_names_who_whom_the_change_and_the_request(admin, staff, northfield):
    membership = Membership.objects.get(user=staff, institution=northfield)
    with tracing.bound("req-7f3a9c"):
        people.change_role(membership, role=Membership.Role.ADMIN, by=admin)
    line = only_line()
    assert line.kind == AdminAction.Kind.CHANGE_ROLE
    assert line.actor == admin and line.actor_name == admin.get_full_name()
    assert line.institution == northfield
    assert line.target_type == "membership" and line.target_id == str(membership.pk)
    assert staff.email in line.target_label
    assert line.changes == {"role": {"from": "staff", "to": "admin"}}
    assert line.change_lines() == ["role: staff → admin"]
    assert line.request_id == "req-7f3a9c"


def test_a_removed_member_is_still_named_in_the_log(admin, student, northfield):
    membership = Membership.objects.get(user=student, institution=northfield)
    people.remove_member(membership, by=admin)
    line = only_line()
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert line.kind == AdminAction.Kind.REMOVE_MEMBER and student.email in line.target_label
    assert line.changes == {"role": {"from": "student", "to": None}}


def test_an_invitation_is_logged(staff, northfield):
    people.invite(
        institution=northfield,
        email="Siobhán.Ní.Bhriain@northfield.ac.uk",
        role=Membership.Role.STUDENT,
        by=staff,
        site_url="https://remixbank.example",
    )
    line = only_line()
    assert line.kind == AdminAction.Kind.INVITE and line.actor == staff
    assert line.target_label == "siobhán.ní.bhriain@northfield.ac.uk as student"


def test_refused_admin_actions_log_nothing(admin, staff, northfield):
    own = Membership.objects.get(user=admin, institution=northfield)
    with pytest.raises(DomainError, match="needs at least one admin"):
        people.change_role(own, role=Membership.Role.STAFF, by=admin)
    with pytest.raises(DomainError, match="Choose admin, staff or student"):
        people.change_role(own, role="owner", by=admin)
    with pytest.raises(PermissionRefused):
        people.change_role(own, role=Membership.Role.STUDENT, by=staff)
    with pytest.raises(DomainError, match="must be an http"):
        register_platform(institution=northfield, by=admin, **(MOODLE | {"jwks_url": "ftp://x"}))
    with pytest.raises(PermissionRefused):
        register_api_client(institution=northfield, name="Moodle", by=staff)
    assert not AdminAction.objects.exists()


def test_oidc_settings_log_each_change_but_never_the_secret(admin, northfield):
    settings = {
        "issuer": "https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0",
        "client_id": "remixbank-northfield",
        "client_secret": "s3cr3t-first-Ωmega",
        "staff_domains": ["staff.northfield.ac.uk"],
        "student_domains": ["students.northfield.ac.uk"],
    }
    configure_oidc(institution=northfield, by=admin, **settings)
    made = only_line()
    assert made.kind == AdminAction.Kind.CONFIGURE_OIDC and made.institution == northfield
    assert made.changes["client_secret"] == {"changed": True}
    assert made.changes["issuer"] == {"from": None, "to": settings["issuer"]}
    configure_oidc(
        institution=northfield,
        by=admin,
        **(settings | {"client_secret": "s3cr3t-second", "staff_domains": ["northfield.ac.uk"]}),
    )
    changed = AdminAction.objects.exclude(pk=made.pk).get()
    assert changed.changes == {
        "client_secret": {"changed": True},
        "staff_domains": {"from": ["staff.northfield.ac.uk"], "to": ["northfield.ac.uk"]},
    }
    assert "s3cr3t" not in str(list(AdminAction.objects.values()))
    # Saved again as it is (the secret left empty keeps the stored one): nothing changed.
    configure_oidc(
        institution=northfield,
        by=admin,
        **(settings | {"client_secret": "", "staff_domains": ["northfield.ac.uk"]}),
    )
    assert AdminAction.objects.count() == 2


def test_saml_settings_log_changes_and_not_the_certificate(admin, northfield):
    certificate = federation_certificate()
    configure_saml(
        institution=northfield,
        by=admin,
        entity_id="https://idp.northfield.ac.uk/idp/shibboleth",
        metadata_url="https://metadata.ukfederation.org.uk/ukfederation-metadata.xml",
        metadata_certificate=certificate,
        enabled=True,
    )
    configure_saml(
        institution=northfield,
        by=admin,
        entity_id="https://idp.northfield.ac.uk/idp/shibboleth",
        metadata_url="https://metadata.ukfederation.org.uk/ukfederation-metadata.xml",
        metadata_certificate=federation_certificate(),
        enabled=False,
    )
    first, second = AdminAction.objects.order_by("pk")
    assert first.kind == second.kind == AdminAction.Kind.CONFIGURE_SAML
    assert first.changes["metadata_certificate"] == {"changed": True}
    assert second.changes == {
        "enabled": {"from": True, "to": False},
        "metadata_certificate": {"changed": True},
    }
    assert "BEGIN CERTIFICATE" not in str(list(AdminAction.objects.values()))
    assert "enabled: on → off" in second.change_lines()


def test_an_lti_platform_is_logged_when_registered_changed_and_removed(admin, northfield):
    platform = register_platform(institution=northfield, by=admin, **MOODLE)
    update_platform(
        platform,
        by=admin,
        deployment_ids=["1", "2", "3"],
        auth_login_url=MOODLE["auth_login_url"],
        auth_token_url=MOODLE["auth_token_url"],
        jwks_url=MOODLE["jwks_url"],
        nrps_enabled=True,
    )
    pk = platform.pk
    remove_platform(platform, by=admin)
    made, changed, removed = AdminAction.objects.order_by("pk")
    assert [made.kind, changed.kind, removed.kind] == [
        AdminAction.Kind.REGISTER_PLATFORM,
        AdminAction.Kind.UPDATE_PLATFORM,
        AdminAction.Kind.REMOVE_PLATFORM,
    ]
    assert made.changes["client_id"] == {"from": None, "to": "Abc123"}
    assert changed.changes == {
        "deployment_ids": {"from": ["1", "2"], "to": ["1", "2", "3"]},
        "nrps_enabled": {"from": False, "to": True},
    }
    assert removed.target_id == str(pk) and "moodle.northfield.ac.uk" in removed.target_label
    assert {made.institution, changed.institution, removed.institution} == {northfield}


def test_api_clients_are_logged_when_registered_and_revoked(admin, northfield):
    client, _secret = register_api_client(institution=northfield, name="Moodle gradebook", by=admin)
    client_id = client.application.client_id
    revoke_api_client(client, by=admin)
    made, revoked = AdminAction.objects.order_by("pk")
    assert made.kind == AdminAction.Kind.REGISTER_API_CLIENT
    assert revoked.kind == AdminAction.Kind.REVOKE_API_CLIENT
    assert made.target_label == revoked.target_label == f"Moodle gradebook (client id {client_id})"
    assert revoked.changes == {"client_id": {"from": client_id, "to": None}}
    assert _secret not in str(list(AdminAction.objects.values()))


def test_withdrawal_republication_and_rerun_are_logged(published, staff, northfield):
    withdraw_version(published, by=staff, reason="  Superseded by v2, which fixes the units.  ")
    publish_version(published, by=staff)
    rerun_validation(published, by=staff)
    kinds = list(AdminAction.objects.order_by("pk").values_list("kind", "reason"))
    assert kinds == [
        (AdminAction.Kind.WITHDRAW, "Superseded by v2, which fixes the units."),
        (AdminAction.Kind.REPUBLISH, ""),
        (AdminAction.Kind.RERUN_VALIDATION, ""),
    ]
    assert set(AdminAction.objects.values_list("version", "institution")) == {
        (published.pk, northfield.pk)
    }


def test_a_first_publication_is_not_an_admin_action(package, northfield, staff):
    from repository.actions.deposits import deposit_package

    version = deposit_package(package=package, institution=northfield, by=staff)
    validated(version.pk)
    version.refresh_from_db()
    if version.state != version.State.PUBLISHED:
        publish_version(version, by=staff)
    assert not AdminAction.objects.exists()


def test_site_admins_read_everything_institution_admins_their_own_lines(
    published, site_admin, admin, staff, northfield, southbank
):
    southbank_admin = UserFactory.create(email="amara@southbank.ac.uk", first_name="Amara")
    MembershipFactory(user=southbank_admin, institution=southbank, role=Membership.Role.ADMIN)
    dismissed = report_version(
        published, category=Report.Category.SPAM, details="An advert for essays.", source="a" * 64
    )
    dismiss_report(dismissed, by=site_admin, reason="It is a physics simulation, not an advert.")
    report_version(
        published, category=Report.Category.COPYRIGHT, details="Copies my sprites.", source="b" * 64
    )
    take_down_version(published, by=site_admin, reason="Copies someone's sprites.")
    people.change_role(
        Membership.objects.get(user=staff, institution=northfield), role="student", by=admin
    )
    register_platform(
        institution=southbank,
        by=southbank_admin,
        **(MOODLE | {"issuer": "https://vle.southbank.ac.uk", "client_id": "sb-1"}),
    )

    assert audit_log_for(site_admin).count() == 4
    northfield_lines = audit_log_for(admin, northfield)
    assert sorted(northfield_lines.values_list("kind", flat=True)) == [
        AdminAction.Kind.CHANGE_ROLE,
        AdminAction.Kind.TAKE_DOWN,
    ]
    assert list(audit_log_for(southbank_admin, southbank).values_list("kind", flat=True)) == [
        AdminAction.Kind.REGISTER_PLATFORM
    ]
    assert audit_log_for(site_admin, northfield).count() == 3  # dismissals too
    assert not audit_log_for(southbank_admin, northfield).exists()
    assert not audit_log_for(staff, northfield).exists()
    assert not audit_log_for(admin).exists()
