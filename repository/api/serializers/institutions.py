"""Institution serializers: the institution, its members, invitations and API clients."""

from typing import Any

from rest_framework import serializers

from repository.api.serializers.common import api_url, person_name, site_url
from repository.models import Institution, Invitation, Membership

# Outputs ---------------------------------------------------------------------------------


class InstitutionOut(serializers.Serializer):
    slug = serializers.SlugField(read_only=True)
    name = serializers.CharField(read_only=True)
    url = serializers.SerializerMethodField()
    web_url = serializers.SerializerMethodField()
    members_url = serializers.SerializerMethodField()

    def get_url(self, obj: Institution) -> str:
        return api_url(self.context, "institution-detail", obj.slug)

    def get_web_url(self, obj: Institution) -> str:
        return site_url(obj.get_absolute_url())

    def get_members_url(self, obj: Institution) -> str:
        return api_url(self.context, "institution-members", obj.slug)


class MemberOut(serializers.Serializer):
    id = serializers.IntegerField(source="user_id", read_only=True)
    name = serializers.SerializerMethodField()
    role = serializers.ChoiceField(choices=Membership.Role.choices, read_only=True)
    joined_at = serializers.DateTimeField(read_only=True)

    def get_name(self, obj: Membership) -> str:
        return obj.user.get_full_name() or obj.user.get_username()


class ApiClientOut(serializers.Serializer):
    client_id = serializers.CharField(source="application.client_id", read_only=True)
    name = serializers.CharField(source="application.name", read_only=True)
    institution = serializers.SlugField(source="institution.slug", read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class NewApiClientOut(ApiClientOut):
    client_secret = serializers.SerializerMethodField(
        help_text="Shown once; only its hash is stored."
    )

    def get_client_secret(self, obj: Any) -> str:
        return str(self.context["client_secret"])


class InvitationOut(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    institution = serializers.SlugField(source="institution.slug", read_only=True)
    email = serializers.EmailField(read_only=True)
    role = serializers.ChoiceField(choices=Membership.Role.choices, read_only=True)
    invited_by = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(read_only=True)

    def get_invited_by(self, obj: Invitation) -> str:
        return person_name(obj.invited_by)


# Inputs ----------------------------------------------------------------------------------


class InvitationIn(serializers.Serializer):
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=Membership.Role.choices)


class ApiClientIn(serializers.Serializer):
    name = serializers.CharField(max_length=200)
