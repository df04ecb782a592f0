"""Input and output of reports ("Report this") sent through the API."""

from rest_framework import serializers

from repository.actions.moderation import DETAILS_MAX_CHARS
from repository.models import Report


class ReportIn(serializers.Serializer):
    # Checked by the action (repository/actions/moderation.py), whose messages say what to fix.
    category = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="What is wrong: " + ", ".join(Report.Category.values) + ".",
    )
    details = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text=f"What the site's admins should know, at most {DETAILS_MAX_CHARS} characters.",
    )


class ReportOut(serializers.Serializer):
    id = serializers.IntegerField()
    category = serializers.CharField()
    state = serializers.CharField()
    created_at = serializers.DateTimeField()
