"""Upstream serializers: what a source changed since a derived work took it, and pulling it."""

from rest_framework import serializers

from repository.api.serializers.common import ResourceRef, VersionRef
from repository.api.serializers.contributions import MergeIn

# Outputs ---------------------------------------------------------------------------------


class UpdateOut(serializers.Serializer):
    kind = serializers.CharField(source="edge.kind", read_only=True, help_text="fork or remix")
    base = VersionRef(
        read_only=True,
        allow_null=True,
        help_text="The source version derived from (null if hidden).",
    )
    # A declared field named like Field.source in the stubs; DRF's metaclass collects it.
    source = VersionRef(read_only=True, help_text="The newer published version to pull.")  # type: ignore[assignment]


class UpstreamOut(serializers.Serializer):
    resource = ResourceRef()
    can_pull = serializers.BooleanField(help_text="Whether you may pull updates into it.")
    updates = UpdateOut(many=True)
    pulls_url = serializers.URLField()


# Inputs ----------------------------------------------------------------------------------


class PullIn(MergeIn):
    # A declared field named like Field.source in the stubs; DRF's metaclass collects it.
    source = serializers.IntegerField(  # type: ignore[assignment]
        min_value=1, help_text="Id of the newer published source version to pull."
    )
