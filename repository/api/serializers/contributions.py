"""Contribution serializers: proposals, revisions, reviews and merges."""

from typing import Any

from rest_framework import serializers

from repository.api.serializers.common import (
    ResourceRef,
    VersionRef,
    api_url,
    checked_files,
    person_name,
    site_url,
)
from repository.models import Contribution, Review

# Outputs ---------------------------------------------------------------------------------


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


# Inputs ----------------------------------------------------------------------------------


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
