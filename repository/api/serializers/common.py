"""What several resources' serializers share: absolute links, references, the error shape, input checks."""

from collections.abc import Mapping
from functools import cache
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.urls import reverse
from rest_framework import serializers

import licensing
from repository.models import Resource, Version


def api_url(context: Mapping[str, Any], name: str, *args: object) -> str:
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


class VersionRef(serializers.Serializer):
    """A version in a line: enough to recognise it and follow the link."""

    id = serializers.IntegerField(read_only=True)
    url = serializers.SerializerMethodField()
    number = serializers.IntegerField(read_only=True)
    licence = serializers.CharField(read_only=True)
    state = serializers.ChoiceField(choices=Version.State.choices, read_only=True)

    def get_url(self, obj: Version) -> str:
        return api_url(self.context, "version-detail", obj.pk)


class ResourceRef(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    url = serializers.SerializerMethodField()
    institution = serializers.SlugField(source="institution.slug", read_only=True)
    slug = serializers.SlugField(read_only=True)
    kind = serializers.ChoiceField(choices=Resource.Kind.choices, read_only=True)
    title = serializers.CharField(read_only=True)

    def get_url(self, obj: Resource) -> str:
        return api_url(self.context, "resource-detail", obj.pk)


def person_name(user: Any) -> str:
    if user is None:
        return ""
    return str(user.get_full_name() or user.get_username())


class ErrorDetail(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    # The API's error shape names this key `fields`; DRF's metaclass takes it as a declared
    # field, though the stubs see it as Serializer.fields.
    fields = serializers.DictField()  # type: ignore[assignment]
    conflicts = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="merge_conflict only: the paths changed on both sides that need a resolution.",
    )


class ErrorOut(serializers.Serializer):
    error = ErrorDetail()


# Inputs ----------------------------------------------------------------------------------


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
        raise serializers.ValidationError(licensing.UnknownLicence(value).args[0])
    return licensing.current_id(value)
