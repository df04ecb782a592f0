"""Licence rules as plain Python: the catalogue, adaptation rules, expressions, collections, credit.

Creative Commons content licences and software licences (SPDX ids and expressions) side by side.

No Django and no database: `repository` calls these functions at every fork, remix and merge.
"""

from licensing.attribution import (
    Component,
    Work,
    attribution_file,
    attribution_html,
    attribution_jsonld,
    attribution_text,
)
from licensing.catalogue import (
    License,
    UnknownLicence,
    all_licenses,
    current_id,
    get_license,
    is_known,
    license_for_url,
)
from licensing.collection import Collection, collection_notices
from licensing.expressions import BadLicenceExpression, manifest_license, named_licenses, normalise
from licensing.rules import (
    LicenceConflict,
    LicenseOption,
    adaptation_options,
    allowed_adaptation_licenses,
    explain,
    explain_refusal,
    recommended_adaptation_license,
    require_adaptation_license,
)

__all__ = [
    "BadLicenceExpression",
    "Collection",
    "Component",
    "LicenceConflict",
    "License",
    "LicenseOption",
    "UnknownLicence",
    "Work",
    "adaptation_options",
    "all_licenses",
    "allowed_adaptation_licenses",
    "attribution_file",
    "attribution_html",
    "attribution_jsonld",
    "attribution_text",
    "collection_notices",
    "current_id",
    "explain",
    "explain_refusal",
    "get_license",
    "is_known",
    "license_for_url",
    "manifest_license",
    "named_licenses",
    "normalise",
    "recommended_adaptation_license",
    "require_adaptation_license",
]
