"""Attempts in the API: the code in, the attempt (state, result, links) out."""

from typing import Any

from django.urls import reverse
from rest_framework import serializers

from repository.api.serializers.common import api_url
from repository.models import Attempt


class AttemptIn(serializers.Serializer[Any]):
    code = serializers.CharField(trim_whitespace=False, allow_blank=True)
    from_blocks = serializers.BooleanField(default=False)


class AttemptOut(serializers.ModelSerializer[Attempt]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    url = serializers.SerializerMethodField()
    web_url = serializers.SerializerMethodField()
    version = serializers.SerializerMethodField()
    finished = serializers.BooleanField(read_only=True)
    plots = serializers.SerializerMethodField()

    class Meta:
        model = Attempt
        fields = [
            "id",
            "url",
            "web_url",
            "version",
            "student_id",
            "parameters",
            "state",
            "finished",
            "score",
            "grade",
            "metrics",
            "comparisons",
            "checks",
            "error",
            "error_line",
            "plots",
            "code",
            "from_blocks",
            "time_limit_s",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_url(self, attempt: Attempt) -> str:
        # UUID routes do not fit api_url's cached numeric templates.
        path = reverse("api:attempt-detail", args=[attempt.public_id])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    def get_web_url(self, attempt: Attempt) -> str:
        request = self.context.get("request")
        path = attempt.get_absolute_url()
        return request.build_absolute_uri(path) if request is not None else path

    def get_version(self, attempt: Attempt) -> str:
        return api_url(self.context, "version-detail", attempt.version_id)

    def get_plots(self, attempt: Attempt) -> list[dict[str, str]]:
        request = self.context.get("request")
        base = attempt.get_absolute_url()
        out = []
        for f in attempt.files:
            path = f"{base}{f['sha256']}/{f['name']}"
            out.append(
                {"name": f["name"], "url": request.build_absolute_uri(path) if request else path}
            )
        return out
