"""Resource serializers: a resource with links to its latest versions."""

from django.urls import reverse
from rest_framework import serializers

from repository.api.serializers.common import VersionRef, api_url, site_url
from repository.models import Resource

# Outputs ---------------------------------------------------------------------------------


class ResourceOut(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    url = serializers.SerializerMethodField()
    web_url = serializers.SerializerMethodField()
    institution = serializers.SlugField(source="institution.slug", read_only=True)
    slug = serializers.SlugField(read_only=True)
    kind = serializers.ChoiceField(choices=Resource.Kind.choices, read_only=True)
    title = serializers.CharField(read_only=True)
    summary = serializers.CharField(read_only=True)
    subjects = serializers.ListField(child=serializers.CharField(), read_only=True)
    level = serializers.CharField(read_only=True)
    language = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    latest_published = VersionRef(read_only=True, allow_null=True)
    versions_url = serializers.SerializerMethodField()

    def get_url(self, obj: Resource) -> str:
        return api_url(self.context, "resource-detail", obj.pk)

    def get_web_url(self, obj: Resource) -> str:
        return site_url(reverse("resource", args=[obj.institution.slug, obj.slug]))

    def get_versions_url(self, obj: Resource) -> str:
        return api_url(self.context, "version-list") + f"?resource={obj.pk}"
