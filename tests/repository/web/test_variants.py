"""Variant pages without a browser: the download with one student's parameters applied."""

import json

from django.urls import reverse

from repository.actions.deposits import deposit_package
from tests.browser.support import scenario_zip
from tests.factories import validated


def test_variant_download_applies_the_students_parameters(client, tmp_path, southbank, outsider):
    version = deposit_package(package=scenario_zip(tmp_path), institution=southbank, by=outsider)
    validated(version.pk)
    args = [southbank.slug, version.resource.slug, version.number]
    page = client.get(reverse("version", args=args), {"student": "s1"})
    params = dict(page.context["variant"]["parameters"])
    data = json.loads(
        b"".join(client.get(reverse("version_variant", args=args), {"student": "s1"}))
    )
    assert data["parameters"]["hill"]["slope_deg"] == params["hill.slope_deg"]
    assert "variants" not in data
    assert client.get(reverse("version_variant", args=args)).status_code == 404
