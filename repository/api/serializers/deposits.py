"""Deposit serializers: what a deposit posts."""

from rest_framework import serializers

# Inputs ----------------------------------------------------------------------------------


class DepositIn(serializers.Serializer):
    package = serializers.FileField(
        help_text=(
            "The package: a zip with remixbank.json at its root, an H5P file (.h5p), or a "
            "SCORM 1.2 or 2004 zip (imsmanifest.xml)."
        )
    )
    institution = serializers.SlugField(
        required=False,
        help_text="Slug of the institution to deposit into; defaults to your only one.",
    )
    resource = serializers.IntegerField(
        required=False, min_value=1, help_text="Id of an existing resource to add a version to."
    )
    changelog = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    publish_on_pass = serializers.BooleanField(required=False, default=True)
