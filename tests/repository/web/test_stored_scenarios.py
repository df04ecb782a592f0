"""Pages over stored data that older, looser checks let through: a note, never a 500."""

import json

import pytest
from django.test import Client

from repository.management.commands.load_demo import SCENARIO_DIR
from repository.models import Resource
from sims.scenario import MAX_SCENARIO_BYTES
from tests.factories import ResourceFactory, manifest, stored_version


def nested(levels: int) -> object:
    value: object = 1
    for _ in range(levels):
        value = [value]
    return value


def scenario_version(institution, scenario: bytes):
    resource = ResourceFactory(
        institution=institution, slug="lake", kind=Resource.Kind.SCENARIO, title="Lake"
    )
    data = manifest(kind="scenario", title="Lake", entry_point="lake.json")
    return stored_version({"lake.json": scenario}, resource=resource, manifest=data)


def example(**changes: object) -> dict:
    data = json.loads((SCENARIO_DIR / "predator_prey.json").read_text())
    data.update(changes)
    return data


@pytest.fixture
def http() -> Client:
    # A 500 must show as a status, never as an exception re-raised into the test.
    return Client(raise_request_exception=False)


@pytest.mark.parametrize("where", ["variant choices", "controller options"])
def test_a_scenario_nested_480_deep_is_shown_with_a_note_on_every_page(northfield, http, where):
    data = example()
    if where == "variant choices":
        data["variants"]["prey0"] = {"choices": [nested(480)]}
    else:
        data["controller"]["options"]["deep"] = nested(480)
    version = scenario_version(northfield, json.dumps(data).encode())
    note = "This scenario could not be shown: it is nested too deep"
    for url in ["/i/northfield/lake/", "/i/northfield/lake/v1/"]:
        page = http.get(url)
        assert page.status_code == 200, url
        assert note in page.content.decode(), url
    download = http.get("/i/northfield/lake/v1/variant.json", {"student": "s1"})
    assert download.status_code == 404
    assert http.get(f"/api/v1/versions/{version.pk}/").status_code == 200
    assert http.get("/i/northfield/lake/v1/status.json").status_code == 200


def test_a_stored_scenario_over_the_size_limit_is_not_read(northfield, http):
    padding = " " * MAX_SCENARIO_BYTES
    scenario_version(northfield, json.dumps(example()).encode() + padding.encode())
    page = http.get("/i/northfield/lake/v1/")
    assert page.status_code == 200
    assert f"over the {MAX_SCENARIO_BYTES} allowed" in page.content.decode()


def test_a_stored_scenario_that_is_not_json_gets_a_note(northfield, http):
    scenario_version(northfield, b"\xff\xfe not json")
    page = http.get("/i/northfield/lake/v1/")
    assert page.status_code == 200
    assert "its scenario file is not valid JSON" in page.content.decode()


def test_a_sound_stored_scenario_offers_its_variants_and_no_note(northfield, http):
    scenario_version(northfield, json.dumps(example()).encode())
    page = http.get("/i/northfield/lake/v1/", {"student": "s1"}).content.decode()
    assert "could not be shown" not in page
    assert "Parameters for s1" in page
    download = http.get("/i/northfield/lake/v1/variant.json", {"student": "s1"})
    assert download.status_code == 200
    assert "prey0" in download.json()["parameters"]
