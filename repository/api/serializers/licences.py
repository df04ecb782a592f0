"""Licence serializers: the catalogue and the licences a derived work may take."""

from rest_framework import serializers

# Outputs ---------------------------------------------------------------------------------


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
    is_software = serializers.BooleanField(read_only=True)
    copyleft = serializers.CharField(
        read_only=True,
        help_text="Software licences: permissive, weak copyleft, strong copyleft or network "
        "copyleft; empty for content licences.",
    )
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


# Inputs ----------------------------------------------------------------------------------


class AdaptationsIn(serializers.Serializer):
    # A declared field named like Field.source in the stubs; DRF's metaclass collects it.
    source = serializers.ListField(  # type: ignore[assignment]
        child=serializers.CharField(max_length=80), min_length=1, max_length=50
    )
