"""The institution admin page: roles, members, API clients and invitations."""

from django.urls import reverse

from repository.models import ApiClient, Invitation, Membership


def test_admin_changes_roles_and_removes_members_but_keeps_one_admin(
    client, northfield, admin, staff, student
):
    client.force_login(admin)
    manage = reverse("institution_manage", args=[northfield.slug])
    assert client.get(manage).status_code == 200
    m = Membership.objects.get(user=student)
    client.post(reverse("institution_member", args=[northfield.slug, m.pk]), {"role": "staff"})
    assert Membership.objects.get(user=student).role == "staff"
    own = Membership.objects.get(user=admin)
    client.post(reverse("institution_member", args=[northfield.slug, own.pk]), {"role": "staff"})
    assert Membership.objects.get(user=admin).role == "admin"  # the last admin stays
    client.post(reverse("institution_member", args=[northfield.slug, m.pk]), {"action": "remove"})
    assert not Membership.objects.filter(user=student).exists()


def test_only_admins_reach_the_admin_page(client, northfield, staff, outsider):
    client.force_login(staff)
    assert client.get(reverse("institution_manage", args=[northfield.slug])).status_code == 404
    m = Membership.objects.get(user=staff)
    client.force_login(outsider)
    response = client.post(
        reverse("institution_member", args=[northfield.slug, m.pk]), {"action": "remove"}
    )
    assert response.status_code == 404
    assert Membership.objects.filter(user=staff).exists()


def test_admin_registers_an_api_client_sees_its_secret_once_and_revokes_it(
    client, northfield, admin
):
    client.force_login(admin)
    response = client.post(
        reverse("institution_client_register", args=[northfield.slug]), {"name": "Moodle"}
    )
    secret = response.context["new_secret"]
    assert secret and secret in response.content.decode()
    assert response["Cache-Control"].startswith("max-age=0")
    api_client = ApiClient.objects.get(institution=northfield)
    assert (
        secret
        not in client.get(reverse("institution_manage", args=[northfield.slug])).content.decode()
    )
    client.post(reverse("institution_client_revoke", args=[northfield.slug, api_client.pk]))
    assert not ApiClient.objects.filter(pk=api_client.pk).exists()


def test_admin_invites_from_the_admin_page_and_the_invitation_is_mailed(
    client, northfield, admin, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("institution_invite", args=[northfield.slug]),
            {"email": "New@northfield.ac.uk", "role": "staff"},
        )
    page = client.get(reverse("institution_manage", args=[northfield.slug]))
    assert "new@northfield.ac.uk" in page.content.decode()
    invitation = Invitation.objects.get(institution=northfield)
    [mail] = mailoutbox
    assert mail.to == ["new@northfield.ac.uk"]
    assert mail.subject == "Join Northfield University on Remixbank"
    assert reverse("accept_invitation", args=[invitation.token]) in mail.body
