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
from repository.models import (
    Contribution,
    Institution,
    Invitation,
    Membership,
    Resource,
    Review,
    Version,
)


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


def person_name(user: Any) -> str:
    if user is None:
        return ""
    return str(user.get_full_name() or user.get_username())


class ReviewOut(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    kind = serializers.ChoiceField(choices=Review.Kind.choices, read_only=True)
    author = serializers.SerializerMethodField()
    body = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)

    def get_author(self, obj: Review) -> str:
        return person_name(obj.author)


class ContributionFileOut(serializers.Serializer):
    path = serializers.CharField(read_only=True)
    size = serializers.IntegerField(source="blob.size", read_only=True)
    sha256 = serializers.CharField(source="blob_id", read_only=True)


class ContributionOut(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    url = serializers.SerializerMethodField()
    web_url = serializers.SerializerMethodField()
    resource = ResourceRef(read_only=True)
    base = VersionRef(read_only=True)
    author = serializers.SerializerMethodField()
    description = serializers.CharField(read_only=True)
    state = serializers.ChoiceField(choices=Contribution.State.choices, read_only=True)
    check_state = serializers.ChoiceField(choices=Contribution.CheckState.choices, read_only=True)
    check_messages = serializers.ListField(child=serializers.CharField(), read_only=True)
    merged_version = VersionRef(read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    def get_url(self, obj: Contribution) -> str:
        return api_url(self.context, "contribution-detail", obj.pk)

    def get_web_url(self, obj: Contribution) -> str:
        return site_url(obj.get_absolute_url())

    def get_author(self, obj: Contribution) -> str:
        return person_name(obj.author)


class ContributionDetailOut(ContributionOut):
    manifest = serializers.JSONField(read_only=True)
    files = ContributionFileOut(many=True, read_only=True)
    reviews = ReviewOut(many=True, read_only=True)
    reviews_url = serializers.SerializerMethodField()
    merge_url = serializers.SerializerMethodField()

    def get_reviews_url(self, obj: Contribution) -> str:
        return api_url(self.context, "contribution-reviews", obj.pk)

    def get_merge_url(self, obj: Contribution) -> str:
        return api_url(self.context, "contribution-merge", obj.pk)


class NewReviewOut(ReviewOut):
    contribution = ContributionOut(read_only=True)


class UpdateOut(serializers.Serializer):
    kind = serializers.CharField(source="edge.kind", read_only=True, help_text="fork or remix")
    base = VersionRef(
        read_only=True,
        allow_null=True,
        help_text="The source version derived from (null if hidden).",
    )
    source = VersionRef(read_only=True, help_text="The newer published version to pull.")


class UpstreamOut(serializers.Serializer):
    resource = ResourceRef()
    can_pull = serializers.BooleanField(help_text="Whether you may pull updates into it.")
    updates = UpdateOut(many=True)
    pulls_url = serializers.URLField()


class InvitationOut(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    institution = serializers.SlugField(source="institution.slug", read_only=True)
    email = serializers.EmailField(read_only=True)
    role = serializers.ChoiceField(choices=Membership.Role.choices, read_only=True)
    invited_by = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(read_only=True)

    def get_invited_by(self, obj: Invitation) -> str:
        return person_name(obj.invited_by)


class ErrorDetail(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField()
    conflicts = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="merge_conflict only: the paths changed on both sides that need a resolution.",
    )


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


MAX_PATH = 1024
MAX_FILES = 200


def checked_files(value: dict[str, Any]) -> dict[str, Any]:
    if len(value) > MAX_FILES:
        raise serializers.ValidationError(f"At most {MAX_FILES} files at once.")
    long = [path for path in value if len(path) > MAX_PATH]
    if long:
        raise serializers.ValidationError(f"Paths are at most {MAX_PATH} characters long.")
    return value


def known_licence(value: str) -> str:
    if not licensing.is_known(value):
        raise serializers.ValidationError(licensing.UnknownLicense(value).args[0])
    return value


class PickIn(serializers.Serializer):
    source = serializers.IntegerField(min_value=1, help_text="Id of a version you may see.")
    path = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=MAX_PATH,
        help_text='A file, a folder ending in "/", or "" for every file.',
    )
    to = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=MAX_PATH,
        help_text='Where it lands: a path, a folder ending in "/", or "" for the root.',
    )


class RemixIn(serializers.Serializer):
    institution = serializers.SlugField(
        required=False,
        help_text="Slug of the institution to remix into; defaults to your only one.",
    )
    title = serializers.CharField(max_length=200)
    entry_point = serializers.CharField(max_length=MAX_PATH)
    picks = PickIn(many=True, min_length=1, max_length=50)
    files = serializers.DictField(
        child=serializers.CharField(allow_blank=True, trim_whitespace=False),
        required=False,
        default=dict,
        help_text="New files (or edits of picked ones) as {path: UTF-8 text}.",
    )
    licence = serializers.CharField(
        required=False, max_length=80, help_text="Defaults to the recommended one for the sources."
    )
    kind = serializers.ChoiceField(choices=Resource.Kind.choices, required=False)
    description = serializers.CharField(required=False, allow_blank=True, max_length=5000)

    def validate_files(self, value: dict[str, Any]) -> dict[str, Any]:
        return checked_files(value)

    def validate_licence(self, value: str) -> str:
        return known_licence(value)


class CollectionIn(serializers.Serializer):
    institution = serializers.SlugField(
        required=False,
        help_text="Slug of the institution to make it in; defaults to your only one.",
    )
    title = serializers.CharField(max_length=200)
    sources = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        min_length=1,
        max_length=50,
        help_text="Ids of the versions to put side by side (at least two).",
    )
    licence = serializers.CharField(
        required=False,
        max_length=80,
        help_text="The collection's own licence (its selection and arrangement).",
    )
    description = serializers.CharField(required=False, allow_blank=True, max_length=5000)

    def validate_licence(self, value: str) -> str:
        return known_licence(value)


class ContributionPackageIn(serializers.Serializer):
    package = serializers.FileField(help_text="The whole proposed package (zip).")
    description = serializers.CharField(max_length=5000)


class ContributionEditsIn(serializers.Serializer):
    edits = serializers.DictField(
        child=serializers.CharField(allow_blank=True, allow_null=True, trim_whitespace=False),
        allow_empty=False,
        help_text="{path: new UTF-8 text, or null to remove the file}; remixbank.json edits "
        "the manifest.",
    )
    description = serializers.CharField(max_length=5000)

    def validate_edits(self, value: dict[str, Any]) -> dict[str, Any]:
        return checked_files(value)


# What a person may post; revised and merged entries are written by revising and merging.
REVIEW_KINDS = ["comment", "changes_requested", "approved", "rejected"]


class ReviewIn(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[(v, label) for v, label in Review.Kind.choices if v in REVIEW_KINDS],
        help_text="comment (the author or staff; `contribute` or `review` scope), or a "
        "reviewer's verdict (staff; `review` scope).",
    )
    body = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)


class ResolutionIn(serializers.Serializer):
    choice = serializers.ChoiceField(choices=["ours", "theirs", "delete", "text"])
    text = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, help_text="For choice=text."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["choice"] == "text" and "text" not in attrs:
            raise serializers.ValidationError({"text": ["Give the text for choice=text."]})
        return attrs


def resolutions_of(data: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """{path: ours|theirs|delete|bytes}, as repository.trees.merges.apply_resolutions takes them."""
    return {
        path: r["text"].replace("\r\n", "\n").encode() if r["choice"] == "text" else r["choice"]
        for path, r in data.items()
    }


class MergeIn(serializers.Serializer):
    resolutions = serializers.DictField(
        child=ResolutionIn(),
        required=False,
        default=dict,
        help_text="How to settle each conflicting path (see the 409 merge_conflict's `conflicts`).",
    )


class PullIn(MergeIn):
    source = serializers.IntegerField(
        min_value=1, help_text="Id of the newer published source version to pull."
    )


class InvitationIn(serializers.Serializer):
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=Membership.Role.choices)


class ApiClientIn(serializers.Serializer):
    name = serializers.CharField(max_length=200)


@extend_schema_field(OpenApiTypes.BINARY)
class BinaryField(serializers.Field):
    """Documents a raw byte response."""
