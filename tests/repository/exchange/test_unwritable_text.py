"""Text XML cannot hold, and dates at the calendar's edge, never break a harvest or an export."""

import io
import zipfile
from urllib.parse import quote

import pytest
from lxml import etree

from repository.models import Resource, Version
from tests.repository.exchange.test_oai import NS, errors, ident, identifiers

pytestmark = pytest.mark.django_db


def harvest(client, **arguments):
    response = client.get("/oai/", arguments)
    assert response.status_code == 200
    return etree.fromstring(response.content)


def test_a_control_character_in_a_title_leaves_the_harvest_and_cartridge_whole(client, catalogue):
    version = catalogue.tool_v2
    version.manifest = {**version.manifest, "title": "Bad\x01 title", "description": "Tab\x0b"}
    version.authors = ["Ada\x02 Lovelace"]
    version.save()
    Resource.objects.filter(pk=version.resource_id).update(
        title="Counter\x1b", subjects=["Mathematics", "Maths\x07"]
    )
    for prefix in ("oai_dc", "oai_lom"):
        root = harvest(client, verb="ListRecords", metadataPrefix=prefix)
        assert errors(root) == []
        assert ident(version) in identifiers(root)
    dc = harvest(client, verb="GetRecord", metadataPrefix="oai_dc", identifier=ident(version))
    assert dc.xpath("//dc:title/text()", namespaces=NS) == ["Bad title"]
    assert "Ada Lovelace" in dc.xpath("//dc:creator/text()", namespaces=NS)
    assert errors(harvest(client, verb="ListSets")) == []

    response = client.get(version.get_absolute_url() + "cartridge.imscc")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        manifest = etree.fromstring(archive.read("imsmanifest.xml"))
    assert "Bad title v2" in manifest.xpath("//*[local-name()='title']/text()")


@pytest.mark.parametrize("name", ["set", "identifier", "metadataPrefix"])
def test_an_argument_with_a_control_character_is_a_bad_argument(client, catalogue, name):
    arguments = {"verb": "ListRecords", "metadataPrefix": "oai_dc", name: "subject:\x00\x01"}
    if name == "identifier":
        arguments["verb"] = "GetRecord"
    assert errors(harvest(client, **arguments)) == ["badArgument"]


def test_until_the_last_second_of_the_calendar_lists_everything(client, catalogue):
    root = harvest(
        client, verb="ListIdentifiers", metadataPrefix="oai_dc", until="9999-12-31T23:59:59Z"
    )
    assert identifiers(root) == [ident(v) for v in catalogue.public]
    token = quote("metadataPrefix=oai_dc&cursor=0&until=9999-12-31T23:59:59Z")
    root = harvest(client, verb="ListIdentifiers", resumptionToken=token)
    assert identifiers(root) == [ident(v) for v in catalogue.public]


def test_until_still_takes_its_whole_second(client, catalogue):
    moment = Version.objects.get(pk=catalogue.scenario.pk).published_at
    assert moment is not None
    until = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    root = harvest(client, verb="ListIdentifiers", metadataPrefix="oai_dc", until=until)
    assert ident(catalogue.scenario) in identifiers(root)
