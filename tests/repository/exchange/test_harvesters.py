"""Real harvesters against the live /oai/: Sickle, oaipmh-scythe, and pyoai's client over POST.

Each harvests the whole public catalogue across resumption tokens (three records a page), so
the tokens we issue, the empty token that ends a list and the deleted records are read by
code nobody here wrote.
"""

import pytest
from oaipmh.client import Client
from oaipmh.metadata import MetadataRegistry, oai_dc_reader
from oaipmh_scythe import Scythe
from oaipmh_scythe.models import Header, Record, Set
from sickle import Sickle

from repository.exchange.oai import oai_identifier

pytestmark = pytest.mark.django_db(transaction=True)


def only(kind, items) -> list:
    """`items` as harvested, each checked to be a `kind` (scythe may yield raw responses)."""
    items = list(items)
    assert all(isinstance(item, kind) for item in items), items
    return items


def ident(version) -> str:
    return oai_identifier(version.resource.institution.slug, version.resource.slug, version.number)


@pytest.fixture
def endpoint(live_server, settings, catalogue) -> str:
    settings.SITE_URL = live_server.url
    settings.OAI_PAGE_SIZE = 3  # six public versions: two pages and the closing empty token
    return f"{live_server.url}/oai/"


def test_sickle_harvests_every_public_version_across_resumption_tokens(endpoint, catalogue):
    harvester = Sickle(endpoint, max_retries=0)
    records = list(harvester.ListRecords(metadataPrefix="oai_dc", ignore_deleted=False))
    assert [r.header.identifier for r in records] == [ident(v) for v in catalogue.public]
    deleted = [r.header.identifier for r in records if r.header.deleted]
    assert deleted == [ident(catalogue.withdrawn)]
    fork = next(r for r in records if r.header.identifier == ident(catalogue.fork))
    assert fork.metadata["rights"] == ["https://creativecommons.org/licenses/by-sa/4.0/"]
    assert (
        f"IsDerivedFrom {endpoint.removesuffix('oai/')}i/northfield/counter/v2/"
        in fork.metadata["relation"]
    )
    lom = list(harvester.ListIdentifiers(metadataPrefix="oai_lom", set="kind:tool"))
    assert [h.identifier for h in lom] == [
        ident(v)
        for v in (catalogue.tool_v1, catalogue.tool_v2, catalogue.fork, catalogue.withdrawn)
    ]


def test_oaipmh_scythe_harvests_lom_and_sets(endpoint, catalogue):
    with Scythe(endpoint) as scythe:
        identify = scythe.identify()
        assert identify.deletedRecord == "persistent"  # type: ignore[attr-defined]
        records = only(Record, scythe.list_records(metadata_prefix="oai_lom"))
        assert [r.header.identifier for r in records] == [ident(v) for v in catalogue.public]
        assert [r.header.identifier for r in records if r.deleted] == [ident(catalogue.withdrawn)]
        collection = next(r for r in records if r.header.identifier == ident(catalogue.collection))
        assert "Maths box" in collection.metadata["string"]
        specs = [s.setSpec for s in only(Set, scythe.list_sets())]
        assert "institution:southbank" in specs and "kind:collection" in specs
        south = only(
            Header, scythe.list_identifiers(metadata_prefix="oai_dc", set_="institution:southbank")
        )
        assert [h.identifier for h in south] == [ident(catalogue.fork)]


def test_pyoai_client_harvests_over_post(endpoint, catalogue):
    registry = MetadataRegistry()
    registry.registerReader("oai_dc", oai_dc_reader)
    client = Client(endpoint, registry)  # pyoai sends POST unless told force_http_get
    assert client.identify().deletedRecord() == "persistent"
    harvested = list(client.listRecords(metadataPrefix="oai_dc"))
    assert [header.identifier() for header, _, _ in harvested] == [
        ident(v) for v in catalogue.public
    ]
    assert [h.identifier() for h, _, _ in harvested if h.isDeleted()] == [
        ident(catalogue.withdrawn)
    ]
    header, metadata, _ = client.getRecord(
        identifier=ident(catalogue.tool_v2), metadataPrefix="oai_dc"
    )
    assert metadata["creator"] == ["Ada Lovelace"]
    assert metadata["rights"] == ["https://creativecommons.org/licenses/by/4.0/"]
    assert header.setSpec()[:2] == ["institution:northfield", "kind:tool"]
