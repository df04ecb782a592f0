"""schema.org JSON-LD and ccREL RDFa as search engines read them from the live pages.

extruct pulls the metadata out of the served HTML; PyLD expands the JSON-LD against the
vendored schema.org context (its document loader serves the file: nothing is fetched) into
N-Quads, which rdflib parses, so the assertions are on triples, not on our own JSON.
"""

import hashlib
import json
import urllib.request
from pathlib import Path

import extruct
import pytest
from pyld import jsonld
from rdflib import RDF, Graph, Literal, Namespace, URIRef

pytestmark = pytest.mark.django_db(transaction=True)

CONTEXT_FILE = Path(__file__).parent / "vendor" / "schemaorg-12.0" / "schemaorgcontext.jsonld"
CONTEXT_SHA256 = "fcccad793c7854913a91cd9e624697b3de56660c4fb2b581d868cf4590409bb2"
SCHEMA = Namespace("http://schema.org/")
CC = Namespace("http://creativecommons.org/ns#")
XHV_LICENSE = URIRef("http://www.w3.org/1999/xhtml/vocab#license")
DCT_SOURCE = URIRef("http://purl.org/dc/terms/source")
BY = URIRef("https://creativecommons.org/licenses/by/4.0/")
BY_SA = URIRef("https://creativecommons.org/licenses/by-sa/4.0/")


def vendored_context() -> dict:
    data = CONTEXT_FILE.read_bytes()
    assert hashlib.sha256(data).hexdigest() == CONTEXT_SHA256
    return json.loads(data)


def schema_org_loader(url: str, options: dict | None = None) -> dict:
    """Serve schema.org's context from the vendored file; refuse any other address."""
    if url.rstrip("/") not in {"https://schema.org", "http://schema.org"}:
        raise AssertionError(f"the test would have fetched {url}")
    return {"contextUrl": None, "documentUrl": url, "document": vendored_context()}


def page(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - the live server
        html = response.read().decode()
    return extruct.extract(html, base_url=url, syntaxes=["json-ld", "rdfa"], uniform=False)


def triples(node: dict | list) -> Graph:
    nquads = jsonld.to_rdf(
        node, {"format": "application/n-quads", "documentLoader": schema_org_loader}
    )
    # Everything is in the default graph, so the N-Quads are N-Triples (rdflib's nquads parser
    # warns about its own deprecated API).
    return Graph().parse(data=nquads, format="nt")


@pytest.fixture
def site(live_server, settings, catalogue) -> str:
    settings.SITE_URL = live_server.url
    return live_server.url


def test_a_fork_page_says_learning_resource_licence_url_and_its_source(site, catalogue):
    url = f"{site}/i/southbank/tally/v1/"
    found = page(url)
    [node] = found["json-ld"]
    graph = triples(node)
    me = URIRef(url)
    assert (me, RDF.type, SCHEMA.LearningResource) in graph
    assert (me, SCHEMA.license, BY_SA) in graph
    assert (me, SCHEMA.isBasedOn, URIRef(f"{site}/i/northfield/counter/v2/")) in graph
    assert (me, SCHEMA.version, Literal("1")) in graph
    assert (me, SCHEMA.inLanguage, Literal("")) not in graph
    assert (me, SCHEMA.educationalLevel, Literal("Primary")) in graph
    assert (me, SCHEMA.learningResourceType, Literal("interactive tool")) in graph
    authors = {graph.value(a, SCHEMA.name) for a in graph.objects(me, SCHEMA.author)}
    assert authors == {Literal("Ada Lovelace"), Literal("Alan Turing")}
    subjects = {graph.value(a, SCHEMA.name) for a in graph.objects(me, SCHEMA.about)}
    assert subjects == {Literal("Mathematics")}


def test_the_attribution_block_is_cc_rdfa_with_licence_and_source(site, catalogue):
    url = f"{site}/i/southbank/tally/v1/"
    rdfa = triples(page(url)["rdfa"])  # extruct gives RDFa as expanded JSON-LD
    me = URIRef(url)
    assert (me, XHV_LICENSE, BY_SA) in rdfa
    assert (me, DCT_SOURCE, URIRef(f"{site}/i/northfield/counter/v2/")) in rdfa
    names = [str(n) for n in rdfa.objects(me, CC.attributionName)]
    assert names == ["Ada Lovelace and Alan Turing"]


def test_every_public_page_has_a_learning_resource_with_licence_and_lineage(site, catalogue):
    for version in catalogue.public:
        for path in (version.get_absolute_url(), version.resource.get_absolute_url()):
            if (
                path == version.resource.get_absolute_url()
                and version != version.resource.latest_published
            ):
                continue
            url = site + path
            [node] = page(url)["json-ld"]
            graph = triples(node)
            me = URIRef(url)
            assert (me, RDF.type, SCHEMA.LearningResource) in graph, url
            assert graph.value(me, SCHEMA.license) in {BY, BY_SA}, url
            parents = {
                URIRef(site + e.parent.get_absolute_url()) for e in version.parent_edges.all()
            }
            assert set(graph.objects(me, SCHEMA.isBasedOn)) == parents, url


def test_a_collection_page_has_its_works_as_parts(site, catalogue):
    url = f"{site}/i/northfield/maths-box/"
    [node] = page(url)["json-ld"]
    graph = triples(node)
    me = URIRef(url)
    assert set(graph.objects(me, SCHEMA.hasPart)) == {
        URIRef(f"{site}/i/northfield/counter/v2/"),
        URIRef(f"{site}/i/northfield/solar-tracker/v1/"),
    }
    assert (me, SCHEMA.learningResourceType, Literal("collection")) in graph
    assert (me, SCHEMA.workExample, URIRef(f"{site}/i/northfield/maths-box/v1/")) in graph


def test_text_in_the_metadata_cannot_close_the_script_element(site, catalogue):
    resource = catalogue.scenario.resource
    resource.summary = "</script><script>alert(1)</script> & more"
    resource.save()
    version = catalogue.scenario
    version.manifest = {**version.manifest, "description": resource.summary}
    version.save()
    url = f"{site}{version.get_absolute_url()}"
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - the live server
        html = response.read().decode()
    assert "<script>alert(1)" not in html
    [node] = extruct.extract(html, base_url=url, syntaxes=["json-ld"])["json-ld"]
    assert node["description"] == "</script><script>alert(1)</script> & more"
