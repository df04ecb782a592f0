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


class ReasonGroupOut(serializers.Serializer):
    licences = serializers.ListField(child=serializers.CharField(), help_text="SPDX ids.")
    reason = serializers.CharField(help_text="Why, in plain words, with the rule's source.")


class LicenceChoicesOut(serializers.Serializer):
    recommended = serializers.CharField(allow_null=True, help_text="SPDX id, or null if none.")
    options = AdaptationOptionOut(many=True, help_text="Every licence allowed, best first.")
    refused = ReasonGroupOut(
        many=True, help_text="The current licences not allowed, grouped by the reason why not."
    )


class PartChoiceOut(LicenceChoicesOut):
    part = serializers.ChoiceField(choices=["code", "content"])
    sources = serializers.ListField(
        child=serializers.CharField(), help_text="The licences this part is under now."
    )


class ComponentTermsOut(serializers.Serializer):
    name = serializers.CharField()
    licence = serializers.CharField(help_text="SPDX id or expression; kept as it is.")


class PartAdaptationsOut(serializers.Serializer):
    versions = serializers.ListField(child=serializers.IntegerField())
    whole = LicenceChoicesOut(help_text="The licence the adaptation as a whole may carry.")
    is_mixed = serializers.BooleanField(help_text="Whether the parts' licences differ at all.")
    parts = PartChoiceOut(
        many=True,
        help_text="Per part, code with code and content with content: what the adapters' "
        "changes to it may be licensed under.",
    )
    components = ComponentTermsOut(
        many=True, help_text="Third-party components: not adapted, they keep their own terms."
    )


# Inputs ----------------------------------------------------------------------------------


class AdaptationsIn(serializers.Serializer):
    # A declared field named like Field.source in the stubs; DRF's metaclass collects it.
    source = serializers.ListField(  # type: ignore[assignment]
        child=serializers.CharField(max_length=80), min_length=1, max_length=50
    )


class PartAdaptationsIn(serializers.Serializer):
    version = serializers.ListField(
        child=serializers.IntegerField(min_value=1), min_length=1, max_length=50
    )
