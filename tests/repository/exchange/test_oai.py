"""The OAI-PMH provider answered in-process: verbs, sets, dates, deleted records, errors, queries."""

from datetime import timedelta

import pytest
from django.utils import timezone
from lxml import etree

from repository.exchange.oai import oai_identifier
from repository.models import Version
from tests.factories import VersionFactory

OAI = "http://www.openarchives.org/OAI/2.0/"
NS = {
    "oai": OAI,
    "dc": "http://purl.org/dc/elements/1.1/",
    "lom": "http://ltsc.ieee.org/xsd/LOM",
}


def ask(client, method="get", **arguments):
    response = getattr(client, method)("/oai/", arguments)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    return etree.fromstring(response.content)


def errors(root) -> list[str]:
    return [e.get("code") for e in root.iterfind("oai:error", NS)]


def identifiers(root) -> list[str]:
    return root.xpath("//oai:header/oai:identifier/text()", namespaces=NS)


def ident(version: Version) -> str:
    return oai_identifier(version.resource.institution.slug, version.resource.slug, version.number)


def test_identify_declares_granularity_persistent_deletions_and_the_earliest_datestamp(
    client, catalogue
):
    root = ask(client, verb="Identify")
    identify = root.find("oai:Identify", NS)
    assert identify.findtext("oai:baseURL", namespaces=NS) == "http://127.0.0.1:8000/oai/"
    assert identify.findtext("oai:protocolVersion", namespaces=NS) == "2.0"
    assert identify.findtext("oai:deletedRecord", namespaces=NS) == "persistent"
    assert identify.findtext("oai:granularity", namespaces=NS) == "YYYY-MM-DDThh:mm:ssZ"
    earliest = min(v.published_at for v in catalogue.public if v.state == "published")
    withdrawn_at = Version.objects.get(pk=catalogue.withdrawn.pk).withdrawn_at
    expected = min(earliest, withdrawn_at).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert identify.findtext("oai:earliestDatestamp", namespaces=NS) == expected


def test_list_records_gives_every_public_version_and_the_withdrawn_one_as_deleted(
    client, catalogue
):
    root = ask(client, verb="ListRecords", metadataPrefix="oai_dc")
    assert identifiers(root) == [ident(v) for v in catalogue.public]
    assert ident(catalogue.draft) not in identifiers(root)
    deleted = root.xpath("//oai:header[@status='deleted']/oai:identifier/text()", namespaces=NS)
    assert deleted == [ident(catalogue.withdrawn)]
    withdrawn = root.xpath("//oai:record[oai:header/@status='deleted']", namespaces=NS)[0]
    assert withdrawn.find("oai:metadata", NS) is None


def test_dublin_core_carries_licence_url_and_lineage_relations(client, catalogue):
    root = ask(
        client, verb="GetRecord", metadataPrefix="oai_dc", identifier=ident(catalogue.tool_v2)
    )
    dc = root.find(".//oai:metadata/*", NS)
    assert dc.findtext("dc:title", namespaces=NS) == "Counter"
    assert dc.findtext("dc:rights", namespaces=NS) == "https://creativecommons.org/licenses/by/4.0/"
    relations = dc.xpath("dc:relation/text()", namespaces=NS)
    site = "http://127.0.0.1:8000"
    assert f"IsDerivedFrom {site}/i/northfield/counter/v1/" in relations
    assert f"IsSourceOf {site}/i/southbank/tally/v1/" in relations
    assert f"IsVersionOf {site}/i/northfield/counter/" in relations
    assert dc.xpath("dc:source/text()", namespaces=NS) == [f"{site}/i/northfield/counter/v1/"]
    assert dc.xpath("dc:subject/text()", namespaces=NS) == ["Mathematics", "Géographie"]
    assert dc.xpath("dc:contributor/text()", namespaces=NS) == ["Grace Hopper"]


def test_lom_names_kind_licence_and_datacite_relations(client, catalogue):
    root = ask(client, verb="GetRecord", metadataPrefix="oai_lom", identifier=ident(catalogue.fork))
    lom = root.find(".//oai:metadata/lom:lom", NS)
    assert lom.findtext("lom:general/lom:title/lom:string", namespaces=NS) == "Tally"
    assert (
        lom.findtext("lom:educational/lom:learningResourceType/lom:value", namespaces=NS)
        == "exercise"
    )
    assert lom.findtext("lom:educational/lom:context/lom:value", namespaces=NS) == "school"
    rights = lom.findtext("lom:rights/lom:description/lom:string", namespaces=NS)
    assert rights == "CC BY-SA 4.0 https://creativecommons.org/licenses/by-sa/4.0/"
    relations = {
        (
            r.findtext("lom:kind/lom:value", namespaces=NS),
            r.findtext("lom:resource/lom:description/lom:string", namespaces=NS),
            r.findtext("lom:resource/lom:identifier/lom:entry", namespaces=NS),
        )
        for r in lom.iterfind("lom:relation", NS)
    }
    assert relations == {
        ("isbasedon", "DataCite:IsDerivedFrom", "http://127.0.0.1:8000/i/northfield/counter/v2/"),
        ("isversionof", "DataCite:IsVersionOf", "http://127.0.0.1:8000/i/southbank/tally/"),
    }
    authors = lom.xpath(
        "lom:lifeCycle/lom:contribute[lom:role/lom:value='author']/lom:entity/text()", namespaces=NS
    )
    assert [a.splitlines()[3] for a in authors] == ["FN:Ada Lovelace", "FN:Alan Turing"]


def test_a_collection_is_in_the_collection_set_and_lists_its_parts(client, catalogue):
    root = ask(client, verb="ListIdentifiers", metadataPrefix="oai_lom", set="kind:collection")
    assert identifiers(root) == [ident(catalogue.collection)]
    tools = ask(client, verb="ListIdentifiers", metadataPrefix="oai_lom", set="kind:tool")
    assert ident(catalogue.collection) not in identifiers(tools)
    assert ident(catalogue.tool_v1) in identifiers(tools)
    record = ask(
        client, verb="GetRecord", metadataPrefix="oai_lom", identifier=ident(catalogue.collection)
    )
    parts = record.xpath(
        "//lom:relation[lom:kind/lom:value='haspart']/lom:resource/lom:identifier/lom:entry/text()",
        namespaces=NS,
    )
    assert parts == [
        "http://127.0.0.1:8000/i/northfield/counter/v2/",
        "http://127.0.0.1:8000/i/northfield/solar-tracker/v1/",
    ]


def test_sets_per_institution_subject_and_kind(client, catalogue):
    root = ask(client, verb="ListSets")
    specs = root.xpath("//oai:setSpec/text()", namespaces=NS)
    assert {"institution:northfield", "institution:southbank", "kind:tool", "kind:scenario"} <= set(
        specs
    )
    assert {"subject:mathematics", "subject:geographie", "subject:physics"} <= set(specs)
    names = dict(zip(specs, root.xpath("//oai:setName/text()", namespaces=NS), strict=True))
    assert names["subject:geographie"] == "Géographie"

    south = ask(
        client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="institution:southbank"
    )
    assert identifiers(south) == [ident(catalogue.fork)]
    geo = ask(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="subject:geographie")
    assert identifiers(geo) == [ident(catalogue.tool_v1), ident(catalogue.tool_v2)]
    maths = ask(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="subject:mathematics")
    assert identifiers(maths) == [
        ident(v)
        for v in (catalogue.tool_v1, catalogue.tool_v2, catalogue.fork, catalogue.collection)
    ]
    header = ask(
        client, verb="GetRecord", metadataPrefix="oai_dc", identifier=ident(catalogue.scenario)
    )
    assert header.xpath("//oai:header/oai:setSpec/text()", namespaces=NS) == [
        "institution:northfield",
        "kind:scenario",
        "subject:physics",
    ]


def test_from_and_until_select_by_datestamp_at_both_granularities(client, catalogue):
    day = (timezone.now() - timedelta(days=7)).strftime("%Y-%m-%d")
    recent = ask(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **{"from": day})
    # The withdrawal happened now: an incremental harvest learns of the deletion.
    assert identifiers(recent) == [
        ident(catalogue.scenario),
        ident(catalogue.withdrawn),
        ident(catalogue.collection),
    ]
    stamp = catalogue.fork.published_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    older = ask(client, verb="ListIdentifiers", metadataPrefix="oai_dc", until=stamp)
    # The withdrawn version's datestamp is its withdrawal (now), so it is not "until" then.
    assert identifiers(older) == [
        ident(catalogue.tool_v1),
        ident(catalogue.tool_v2),
        ident(catalogue.fork),
    ]


def test_resumption_tokens_page_by_keyset_and_the_last_page_says_complete(
    client, catalogue, settings
):
    settings.OAI_PAGE_SIZE = 4
    first = ask(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    token = first.findtext(".//oai:resumptionToken", namespaces=NS)
    assert len(identifiers(first)) == 4 and token
    # A version published mid-harvest is appended, never shifts the pages.
    late = VersionFactory(resource=catalogue.scenario.resource)
    second = ask(client, verb="ListIdentifiers", resumptionToken=token)
    assert identifiers(first) + identifiers(second) == [ident(v) for v in [*catalogue.public, late]]
    assert second.find(".//oai:resumptionToken", NS).text is None  # empty: the list is complete


@pytest.mark.parametrize(
    ("arguments", "code"),
    [
        ({}, "badVerb"),
        ({"verb": "Harvest"}, "badVerb"),
        ({"verb": "GetMetadata", "identifier": "x", "metadataPrefix": "oai_dc"}, "badVerb"),
        ({"verb": "ListRecords"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "colour": "red"}, "badArgument"),
        (
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "last tuesday"},
            "badArgument",
        ),
        (
            {
                "verb": "ListRecords",
                "metadataPrefix": "oai_dc",
                "from": "2026-01-01",
                "until": "2026-02-01T00:00:00Z",
            },
            "badArgument",
        ),
        (
            {"verb": "ListRecords", "resumptionToken": "x", "metadataPrefix": "oai_dc"},
            "badArgument",
        ),
        ({"verb": "Identify", "verb2": "x"}, "badArgument"),
        ({"verb": "ListRecords", "resumptionToken": "not-ours"}, "badResumptionToken"),
        (
            {"verb": "ListRecords", "resumptionToken": "metadataPrefix%3Dmarc%26cursor%3D3"},
            "badResumptionToken",
        ),
        (
            {
                "verb": "ListRecords",
                "resumptionToken": "metadataPrefix%3Doai_dc%26from_%3Dsoon%26cursor%3D3",
            },
            "badResumptionToken",
        ),
        ({"verb": "ListSets", "resumptionToken": "anything"}, "badResumptionToken"),
        ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
        (
            {
                "verb": "GetRecord",
                "metadataPrefix": "marc21",
                "identifier": "oai:127.0.0.1:northfield/counter/v1",
            },
            "cannotDisseminateFormat",
        ),
        (
            {
                "verb": "GetRecord",
                "metadataPrefix": "oai_dc",
                "identifier": "oai:127.0.0.1:northfield/draft/v1",
            },
            "idDoesNotExist",
        ),
        (
            {
                "verb": "GetRecord",
                "metadataPrefix": "oai_dc",
                "identifier": "oai:elsewhere:northfield/counter/v1",
            },
            "idDoesNotExist",
        ),
        ({"verb": "ListMetadataFormats", "identifier": "nonsense"}, "idDoesNotExist"),
        (
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "institution:nowhere"},
            "noRecordsMatch",
        ),
        (
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "subject:astrology"},
            "noRecordsMatch",
        ),
        (
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2999-01-01"},
            "noRecordsMatch",
        ),
    ],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_bad_requests_answer_with_the_protocol_error_code(
    client, catalogue, arguments, code, method
):
    root = ask(client, method, **arguments)
    assert errors(root) == [code]
    message = root.findtext("oai:error", namespaces=NS)
    assert len(message) > 20  # says what is wrong
    assert root.find("oai:request", NS).attrib == {}  # no arguments echoed back on an error
    assert not root.xpath("//oai:header", namespaces=NS)


def test_a_repeated_argument_is_a_bad_argument(client, catalogue):
    response = client.get("/oai/?verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=oai_lom")
    assert errors(etree.fromstring(response.content)) == ["badArgument"]


def test_list_metadata_formats_for_a_deleted_record_still_answers(client, catalogue):
    root = ask(client, verb="ListMetadataFormats", identifier=ident(catalogue.withdrawn))
    assert root.xpath("//oai:metadataPrefix/text()", namespaces=NS) == ["oai_dc", "oai_lom"]


def test_a_page_of_records_costs_the_same_queries_whatever_its_size(
    client, catalogue, settings, django_assert_max_num_queries
):
    settings.OAI_PAGE_SIZE = 3
    with django_assert_max_num_queries(6) as small:
        ask(client, verb="ListRecords", metadataPrefix="oai_lom")
    settings.OAI_PAGE_SIZE = 100
    for n in range(30):
        VersionFactory(resource=catalogue.tool_v1.resource, number=10 + n)
    with django_assert_max_num_queries(6) as large:
        root = ask(client, verb="ListRecords", metadataPrefix="oai_lom")
    assert len(root.xpath("//oai:record", namespaces=NS)) == 36
    assert len(large.captured_queries) == len(small.captured_queries)


def test_record_addresses_are_the_pages_addresses(catalogue):
    from repository.exchange.records import record_for

    for version in catalogue.public:
        record = record_for(version)
        assert record.url == "http://127.0.0.1:8000" + version.get_absolute_url()
        assert record.resource_url == "http://127.0.0.1:8000" + version.resource.get_absolute_url()
        assert record.institution_url.endswith(version.resource.institution.get_absolute_url())
