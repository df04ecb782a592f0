"""Input and output serializers, kept apart: outputs are read-only, inputs feed one action each."""

from functools import cache
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

import licensing
from repository.models import Institution, Membership, Resource, Version


def api_url(context: dict[str, Any], name: str, *args: object) -> str:
    """Absolute URL of an API route; reversed once per route, then formatted (lists call it a lot)."""
    path = url_template(name, len(args)).format(*(quote(str(a), safe=URL_SAFE) for a in args))
    request = context.get("request")
    if request is None:
        return path
    origin = getattr(request, "_api_origin", None)
    if origin is None:
        origin = request._api_origin = request.build_absolute_uri("/")[:-1]
    return origin + path


URL_SAFE = "!$&'()*+,;=/~:@"  # what django.urls.reverse leaves unquoted
MARK = 987654321


@cache
def url_template(name: str, arity: int) -> str:
    path = reverse(f"api:{name}", args=[MARK + i for i in range(arity)])
    path = path.replace("{", "{{").replace("}", "}}")
    for i in range(arity):
        path = path.replace(str(MARK + i), "{%d}" % i)  # noqa: UP031 - building a template
    return path


def site_url(path: str) -> str:
    return settings.SITE_URL + path


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


class VersionRef(serializers.Serializer):
    """A version in a line: enough to recognise it and follow the link."""

    id = serializers.IntegerField(read_only=True)
    url = serializers.SerializerMethodField()
    number = serializers.IntegerField(read_only=True)
    licence = serializers.CharField(read_only=True)
    state = serializers.ChoiceField(choices=Version.State.choices, read_only=True)

    def get_url(self, obj: Version) -> str:
        return api_url(self.context, "version-detail", obj.pk)


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


class ResourceRef(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    url = serializers.SerializerMethodField()
    institution = serializers.SlugField(source="institution.slug", read_only=True)
    slug = serializers.SlugField(read_only=True)
    kind = serializers.ChoiceField(choices=Resource.Kind.choices, read_only=True)
    title = serializers.CharField(read_only=True)

    def get_url(self, obj: Resource) -> str:
        return api_url(self.context, "resource-detail", obj.pk)


class VersionOut(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    url = serializers.SerializerMethodField()
    web_url = serializers.SerializerMethodField()
    resource = ResourceRef(read_only=True)
    number = serializers.IntegerField(read_only=True)
    licence = serializers.CharField(read_only=True)
    state = serializers.ChoiceField(choices=Version.State.choices, read_only=True)
    authors = serializers.ListField(child=serializers.CharField(), read_only=True)
    contributors = serializers.ListField(child=serializers.CharField(), read_only=True)
    file_count = serializers.IntegerField(read_only=True)
    total_size = serializers.IntegerField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    published_at = serializers.DateTimeField(read_only=True, allow_null=True)
    status_url = serializers.SerializerMethodField()

    def get_url(self, obj: Version) -> str:
        return api_url(self.context, "version-detail", obj.pk)

    def get_web_url(self, obj: Version) -> str:
        return site_url(obj.get_absolute_url())

    def get_status_url(self, obj: Version) -> str:
        return api_url(self.context, "version-validation", obj.pk)


class VersionDetailOut(VersionOut):
    changelog = serializers.CharField(read_only=True)
    manifest = serializers.JSONField(read_only=True)
    files_url = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()
    lineage_url = serializers.SerializerMethodField()
    attribution_url = serializers.SerializerMethodField()

    def get_files_url(self, obj: Version) -> str:
        return api_url(self.context, "version-files", obj.pk)

    def get_download_url(self, obj: Version) -> str:
        return api_url(self.context, "version-download", obj.pk)

    def get_lineage_url(self, obj: Version) -> str:
        return api_url(self.context, "version-lineage", obj.pk)

    def get_attribution_url(self, obj: Version) -> str:
        return api_url(self.context, "version-attribution", obj.pk)


class FileOut(serializers.Serializer):
    path = serializers.CharField(read_only=True)
    size = serializers.IntegerField(source="blob.size", read_only=True)
    sha256 = serializers.CharField(source="blob_id", read_only=True)
    url = serializers.SerializerMethodField()

    def get_url(self, obj: Any) -> str:
        return api_url(self.context, "version-file", obj.version_id, obj.path)


class StepOut(serializers.Serializer):
    name = serializers.CharField(read_only=True)
    position = serializers.IntegerField(read_only=True)
    status = serializers.CharField(read_only=True)
    duration_ms = serializers.IntegerField(read_only=True)
    messages = serializers.ListField(child=serializers.CharField(), read_only=True)
    artefacts = serializers.DictField(read_only=True)


class RunOut(serializers.Serializer):
    validator_release = serializers.CharField(read_only=True)
    state = serializers.CharField(read_only=True)
    attempts = serializers.IntegerField(read_only=True)
    started_at = serializers.DateTimeField(read_only=True)
    finished_at = serializers.DateTimeField(read_only=True, allow_null=True)
    steps = StepOut(many=True, read_only=True)


class ValidationOut(serializers.Serializer):
    version = serializers.SerializerMethodField()
    state = serializers.ChoiceField(choices=Version.State.choices, read_only=True)
    finished = serializers.SerializerMethodField()
    run = serializers.SerializerMethodField()

    def get_version(self, obj: Version) -> str:
        return api_url(self.context, "version-detail", obj.pk)

    def get_finished(self, obj: Version) -> bool:
        """Whether polling may stop: validation has given its verdict (or more happened since)."""
        return obj.state not in {Version.State.UPLOADED, Version.State.VALIDATING}

    @extend_schema_field(RunOut(allow_null=True))
    def get_run(self, obj: Version) -> dict[str, Any] | None:
        runs = list(obj.validation_runs.all())
        return RunOut(runs[0]).data if runs else None


class LicenceOut(serializers.Serializer):
    id = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    short_name = serializers.CharField(read_only=True)
    version = serializers.CharField(read_only=True)
    port = serializers.CharField(read_only=True, allow_null=True)
    legal_code_url = serializers.URLField(read_only=True)
    deed_url = serializers.URLField(read_only=True)
    attribution = serializers.BooleanField(read_only=True)
    share_alike = serializers.BooleanField(read_only=True)
    non_commercial = serializers.BooleanField(read_only=True)
    no_derivatives = serializers.BooleanField(read_only=True)
    public_domain = serializers.BooleanField(read_only=True)
    is_creative_commons = serializers.BooleanField(read_only=True)
    plain_words = serializers.CharField(read_only=True)


class AdaptationOptionOut(serializers.Serializer):
    licence = LicenceOut(source="license", read_only=True)
    recommended = serializers.BooleanField(read_only=True)
    note = serializers.CharField(read_only=True)


class AdaptationsOut(serializers.Serializer):
    sources = serializers.ListField(child=serializers.CharField())
    recommended = serializers.CharField(allow_null=True)
    options = AdaptationOptionOut(many=True)
    explanation = serializers.CharField(help_text="Why no licence may carry it, when none may.")


class AttributionOut(serializers.Serializer):
    licence = LicenceOut()
    text = serializers.CharField()
    html = serializers.CharField()
    jsonld = serializers.JSONField()


class EdgeOut(serializers.Serializer):
    kind = serializers.CharField()
    version = VersionRef()


class RelativeOut(serializers.Serializer):
    distance = serializers.IntegerField(help_text="Derivation steps from this version.")
    version = VersionRef()


class LineageOut(serializers.Serializer):
    version = VersionRef()
    parents = EdgeOut(many=True)
    children = EdgeOut(many=True)
    ancestors = RelativeOut(many=True)
    descendants = RelativeOut(many=True)
    truncated = serializers.BooleanField(help_text="More relatives exist than were listed.")


class AcceptedOut(serializers.Serializer):
    version = VersionOut()
    status_url = serializers.URLField(help_text="Poll this until `finished` is true.")


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


class ErrorDetail(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField()


class ErrorOut(serializers.Serializer):
    error = ErrorDetail()


# Inputs ----------------------------------------------------------------------------------


class AdaptationsIn(serializers.Serializer):
    source = serializers.ListField(
        child=serializers.CharField(max_length=80), min_length=1, max_length=50
    )


class LineageIn(serializers.Serializer):
    depth = serializers.IntegerField(min_value=1, max_value=50, default=10)


class DepositIn(serializers.Serializer):
    package = serializers.FileField(help_text="The zip package, with remixbank.json at its root.")
    institution = serializers.SlugField(
        required=False,
        help_text="Slug of the institution to deposit into; defaults to your only one.",
    )
    resource = serializers.IntegerField(
        required=False, min_value=1, help_text="Id of an existing resource to add a version to."
    )
    changelog = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    publish_on_pass = serializers.BooleanField(required=False, default=True)


class ForkIn(serializers.Serializer):
    institution = serializers.SlugField(
        required=False, help_text="Slug of the institution to fork into; defaults to your only one."
    )
    licence = serializers.CharField(required=False, max_length=80)
    title = serializers.CharField(required=False, max_length=200)

    def validate_licence(self, value: str) -> str:
        if not licensing.is_known(value):
            raise serializers.ValidationError(licensing.UnknownLicense(value).args[0])
        return value


class ApiClientIn(serializers.Serializer):
    name = serializers.CharField(max_length=200)


@extend_schema_field(OpenApiTypes.BINARY)
class BinaryField(serializers.Field):
    """Documents a raw byte response."""
