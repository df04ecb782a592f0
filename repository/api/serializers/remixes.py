"""Fork, remix and collection serializers: what a new derived work posts."""

from typing import Any

from rest_framework import serializers

import licensing
from repository.api.serializers.common import MAX_PATH, checked_files, known_licence
from repository.models import Resource

# Inputs ----------------------------------------------------------------------------------


class PartLicencesIn(serializers.Serializer):
    code = serializers.CharField(required=False, max_length=80)
    content = serializers.CharField(required=False, max_length=80)

    def to_internal_value(self, data: Any) -> Any:
        unknown = sorted(set(data) - {"code", "content"}) if isinstance(data, dict) else []
        if unknown:
            raise serializers.ValidationError(
                f"Parts are 'code' and 'content'; {', '.join(map(repr, unknown))} is not one."
            )
        return super().to_internal_value(data)

    def validate_code(self, value: str) -> str:
        return known_licence(value)

    def validate_content(self, value: str) -> str:
        return known_licence(value)


class ForkIn(serializers.Serializer):
    institution = serializers.SlugField(
        required=False, help_text="Slug of the institution to fork into; defaults to your only one."
    )
    licence = serializers.CharField(required=False, max_length=80)
    title = serializers.CharField(required=False, max_length=200)
    part_licences = PartLicencesIn(
        required=False,
        help_text="Where the source mixes licences: a licence for your changes to its code and "
        "to its content, each one that part allows (see /licences/adaptations/by-part/) and "
        "that fits inside `licence`.",
    )

    def validate_licence(self, value: str) -> str:
        if not licensing.is_known(value):
            raise serializers.ValidationError(licensing.UnknownLicence(value).args[0])
        return licensing.current_id(value)


class PickIn(serializers.Serializer):
    # A declared field named like Field.source in the stubs; DRF's metaclass collects it.
    source = serializers.IntegerField(min_value=1, help_text="Id of a version you may see.")  # type: ignore[assignment]
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
    # many=True makes a ListSerializer, which takes these; the stubs type the child's __init__.
    picks = PickIn(many=True, min_length=1, max_length=50)  # type: ignore[call-arg]
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
