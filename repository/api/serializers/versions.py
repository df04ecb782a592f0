"""Version serializers: a version, its files, validation, attribution and lineage, and an accepted write."""

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from repository.api.serializers.common import ResourceRef, VersionRef, api_url, site_url
from repository.api.serializers.licences import LicenceOut
from repository.models import Version
from repository.validation.verdicts import Verdict, needs_network, verdict_of, why_not_finished

# Outputs ---------------------------------------------------------------------------------


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


class WithdrawalOut(serializers.Serializer):
    at = serializers.DateTimeField(source="withdrawn_at", read_only=True, allow_null=True)
    by = serializers.SerializerMethodField()
    reason = serializers.CharField(source="withdrawal_reason", read_only=True)

    def get_by(self, obj: Version) -> str | None:
        user = obj.withdrawn_by
        return (user.get_full_name() or user.get_username()) if user else None


class WithdrawalIn(serializers.Serializer):
    reason = serializers.CharField(
        max_length=2000, help_text="Why it is withdrawn: shown to everyone who visits it."
    )


class LicencePartOut(serializers.Serializer):
    path = serializers.CharField()
    license = serializers.CharField(help_text="SPDX expression of this file's licence.")
    copyright = serializers.ListField(child=serializers.CharField())
    via = serializers.CharField(
        help_text="Where it was stated: 'package licence', 'files[N]' (remixbank.json), "
        "'third_party', 'header', 'sidecar', 'REUSE.toml' or '.reuse/dep5'."
    )
    pattern = serializers.CharField(help_text="The glob or path the statement was made for.")
    component = serializers.CharField(help_text="The third-party component's name, or ''.")
    kind = serializers.CharField(
        help_text="code, text, images, sounds, video, fonts, data, other files."
    )


class ComponentOut(serializers.Serializer):
    name = serializers.CharField()
    version = serializers.CharField()
    url = serializers.CharField()
    license = serializers.CharField()
    copyright = serializers.ListField(child=serializers.CharField())
    paths = serializers.ListField(child=serializers.CharField())
    license_file = serializers.CharField()
    notice_file = serializers.CharField()


class LicencePartsOut(serializers.Serializer):
    license = serializers.CharField(help_text="The licence of the package as a whole.")
    summary = serializers.CharField(
        help_text="e.g. 'code: MIT; images: CC BY 4.0; 2 third-party components'."
    )
    files = LicencePartOut(many=True)
    components = ComponentOut(many=True)


class NeedsNetworkOut(serializers.Serializer):
    url = serializers.CharField(read_only=True)
    kind = serializers.CharField(
        read_only=True, help_text="What loads it (script, stylesheet, font, fetch, …)."
    )
    found_in = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="file:line where the tool refers to it; empty when only the manifest names it.",
    )


class VersionDetailOut(VersionOut):
    changelog = serializers.CharField(read_only=True)
    needs_network = serializers.SerializerMethodField(
        help_text="Outside URLs the tool declares it needs: it does not work offline without them."
    )
    licence_parts = serializers.SerializerMethodField(
        help_text="Each file's licence and the third-party components, decided at deposit."
    )
    manifest = serializers.JSONField(read_only=True)
    files_url = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()
    lineage_url = serializers.SerializerMethodField()
    attribution_url = serializers.SerializerMethodField()
    withdrawal = serializers.SerializerMethodField(help_text="Who withdrew it, when and why.")

    @extend_schema_field(LicencePartsOut)
    def get_licence_parts(self, obj: Version) -> dict[str, Any]:
        parts = obj.licence_parts
        data = parts.to_json()
        for part, row in zip(parts.files, data["files"], strict=True):
            row["kind"] = part.kind
        return {**data, "summary": parts.summary()}

    @extend_schema_field(NeedsNetworkOut(many=True))
    def get_needs_network(self, obj: Version) -> list[dict[str, Any]]:
        return needs_network(obj)

    @extend_schema_field(WithdrawalOut(allow_null=True))
    def get_withdrawal(self, obj: Version) -> dict[str, Any] | None:
        return WithdrawalOut(obj).data if obj.state == Version.State.WITHDRAWN else None

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


class RunSummaryOut(serializers.Serializer):
    validator_release = serializers.CharField(read_only=True)
    state = serializers.CharField(read_only=True)
    round = serializers.IntegerField(read_only=True)
    rerun = serializers.SerializerMethodField(help_text="Whether staff asked for this run.")
    started_at = serializers.DateTimeField(read_only=True)
    finished_at = serializers.DateTimeField(read_only=True, allow_null=True)

    def get_rerun(self, obj: Any) -> bool:
        return obj.requested_by_id is not None


class ValidationOut(serializers.Serializer):
    version = serializers.SerializerMethodField()
    state = serializers.ChoiceField(choices=Version.State.choices, read_only=True)
    finished = serializers.SerializerMethodField()
    run = serializers.SerializerMethodField()
    verdict = serializers.SerializerMethodField(
        help_text="pending, passed (every step ran and passed), failed (the deposit is at fault), "
        "not run (a step could not run on this installation) or could not finish (our fault)."
    )

    reasons = serializers.SerializerMethodField(
        help_text="Why the newest run could not run or finish (not run, could not finish)."
    )
    needs_network = serializers.SerializerMethodField(
        help_text="Outside URLs the tool declares it needs."
    )
    runs = serializers.SerializerMethodField(help_text="Every run, newest first.")

    def get_version(self, obj: Version) -> str:
        return api_url(self.context, "version-detail", obj.pk)

    def get_reasons(self, obj: Version) -> list[str]:
        runs = list(obj.validation_runs.all())
        return why_not_finished(runs[0]) if runs else []

    @extend_schema_field(NeedsNetworkOut(many=True))
    def get_needs_network(self, obj: Version) -> list[dict[str, Any]]:
        runs = list(obj.validation_runs.all())
        return needs_network(obj, runs[0] if runs else None)

    @extend_schema_field(RunSummaryOut(many=True))
    def get_runs(self, obj: Version) -> list[dict[str, Any]]:
        return [dict(RunSummaryOut(r).data) for r in obj.validation_runs.all()]

    @extend_schema_field(serializers.ChoiceField(choices=[v.value for v in Verdict]))
    def get_verdict(self, obj: Version) -> str:
        runs = list(obj.validation_runs.all())
        return str(verdict_of(obj, runs[0] if runs else None))

    def get_finished(self, obj: Version) -> bool:
        """Whether polling may stop: validation has given its verdict (or more happened since)."""
        return obj.state not in {Version.State.UPLOADED, Version.State.VALIDATING}

    @extend_schema_field(RunOut(allow_null=True))
    def get_run(self, obj: Version) -> dict[str, Any] | None:
        runs = list(obj.validation_runs.all())
        return RunOut(runs[0]).data if runs else None


class CollectedWorkOut(serializers.Serializer):
    """A work in a collection, with its own title, authors and licence."""

    version = VersionRef()
    title = serializers.CharField()
    authors = serializers.ListField(child=serializers.CharField())
    institution = serializers.CharField()
    licence = LicenceOut(
        allow_null=True, help_text="Its licence; null when it is an expression (see licences)."
    )
    expression = serializers.CharField(
        help_text="Its licence as an SPDX id or expression, e.g. 'MIT OR Apache-2.0'."
    )
    licences = LicenceOut(many=True, help_text="Each licence the expression names, in order.")
    folder = serializers.CharField(help_text="Where its files are in the collection's tree.")


class AttributionOut(serializers.Serializer):
    licence = LicenceOut(
        allow_null=True,
        help_text="The version's licence; for a collection, the licence of the collector's own "
        "selection and arrangement only (each work keeps its own, in `works`). Null when the "
        "licence is an SPDX expression such as 'MIT OR Apache-2.0': see `expression` and "
        "`licences`.",
    )
    expression = serializers.CharField(
        help_text="The licence as an SPDX id or expression, in current SPDX spelling."
    )
    licences = LicenceOut(
        many=True, help_text="Each licence the expression names, in the order written."
    )
    text = serializers.CharField()
    html = serializers.CharField()
    jsonld = serializers.JSONField()
    is_collection = serializers.BooleanField()
    works = CollectedWorkOut(many=True, help_text="A collection's works; empty otherwise.")


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
    collects = VersionRef(many=True, help_text="The works this collection holds, unmodified.")
    collected_in = VersionRef(many=True, help_text="The collections that hold this version.")
    truncated = serializers.BooleanField(help_text="More relatives exist than were listed.")


class AcceptedOut(serializers.Serializer):
    version = VersionOut()
    status_url = serializers.URLField(help_text="Poll this until `finished` is true.")


# Inputs ----------------------------------------------------------------------------------


class LineageIn(serializers.Serializer):
    depth = serializers.IntegerField(min_value=1, max_value=50, default=10)


@extend_schema_field(OpenApiTypes.BINARY)
class BinaryField(serializers.Field):
    """Documents a raw byte response."""
