"""Every kind of OAI-PMH response validates against the protocol's XML schema (vendored)."""

from pathlib import Path

import pytest
from lxml import etree

from repository.exchange.oai import oai_identifier

SCHEMAS = Path(__file__).parent / "vendor" / "oai-pmh-2.0"
REMOTE = {
    "http://dublincore.org/schemas/xmls/simpledc20021212.xsd": "simpledc20021212.xsd",
    "http://www.w3.org/2001/03/xml.xsd": "xml.xsd",
}


class VendoredSchemas(etree.Resolver):
    """Serve the schemas' remote imports from the vendored copies; fetch nothing."""

    def resolve(self, url, pubid, context):
        if url in REMOTE:
            return self.resolve_filename(str(SCHEMAS / REMOTE[url]), context)
        assert url.startswith(str(SCHEMAS)) or not url.startswith("http"), url
        return None


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(VendoredSchemas())
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "OAI-PMH.xsd"), parser))


def ident(version) -> str:
    return oai_identifier(version.resource.institution.slug, version.resource.slug, version.number)


def test_the_vendored_schema_rejects_what_the_protocol_forbids(schema):
    bad = etree.fromstring(
        b'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2026-01-01T00:00:00Z'
        b'</responseDate><request>http://x/oai/</request><error code="tooBad">no</error></OAI-PMH>'
    )
    assert not schema.validate(bad)


def test_every_response_kind_is_valid_oai_pmh(client, catalogue, settings, schema):
    settings.OAI_PAGE_SIZE = 4
    first = client.get("/oai/", {"verb": "ListRecords", "metadataPrefix": "oai_dc"}).content
    token = etree.fromstring(first).findtext(
        ".//{http://www.openarchives.org/OAI/2.0/}resumptionToken"
    )
    requests = [
        {"verb": "Identify"},
        {"verb": "ListMetadataFormats"},
        {"verb": "ListMetadataFormats", "identifier": ident(catalogue.tool_v1)},
        {"verb": "ListSets"},
        {"verb": "ListIdentifiers", "metadataPrefix": "oai_lom", "set": "kind:tool"},
        {"verb": "ListRecords", "resumptionToken": token},
        {
            "verb": "ListRecords",
            "metadataPrefix": "oai_dc",
            "from": "2000-01-01",
            "until": "2999-12-31",
        },
        {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": ident(catalogue.fork)},
        {
            "verb": "GetRecord",
            "metadataPrefix": "oai_lom",
            "identifier": ident(catalogue.withdrawn),
        },
        {"verb": "Nope"},
        {"verb": "ListRecords", "resumptionToken": "forged"},
        {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "oai:x:y"},
    ]
    bodies = [first] + [client.get("/oai/", r).content for r in requests]
    bodies.append(client.post("/oai/", {"verb": "ListRecords", "metadataPrefix": "oai_dc"}).content)
    for body in bodies:
        document = etree.fromstring(body)
        assert schema.validate(document), (body[:400], schema.error_log.last_error)
