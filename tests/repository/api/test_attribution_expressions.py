"""Attribution of works whose licences are SPDX expressions, in every format the API and downloads give.

Versions stored before deposits refused expressions for the whole (and LTI or demo data) may
carry `MIT OR Apache-2.0` or `GPL-2.0-or-later WITH Classpath-exception-2.0`; components and
sources commonly do. The HTML is read as RDF by pyRdfa and the JSON-LD by PyLD, so the
assertions are on the triples a harvester would see.
"""

import io
import json
import zipfile

import pytest
from django.conf import settings
from rdflib import Literal, URIRef

from licensing.parts import Component, PackageParts, Part
from repository.models import CollectionItem, Derivation
from tests.factories import ResourceFactory, stored_version
from tests.repository.credit.test_journey import SCHEMA, XHV_LICENSE, jsonld_graph, rdfa_graph

SPDX = "https://spdx.org/licenses/{}.html"
FILES = {
    "index.html": '<!doctype html><meta charset="utf-8"><title>Wärmeleitung</title><p>Ω</p>'.encode(),
    "js/solver.js": b"export const step = (u) => u.map((x) => x * 0.5);\n",
    "lib/classpath/rt.js": b"// GPL-2.0-or-later WITH Classpath-exception-2.0\nvar rt;\n",
    "lib/classpath/COPYING": b"GNU GENERAL PUBLIC LICENSE\nVersion 2, June 1991\n",
}
CLASSPATH = "GPL-2.0-or-later WITH Classpath-exception-2.0"


def parts(licence: str) -> dict:
    return PackageParts(
        licence,
        (
            Part("index.html", licence),
            Part(
                "js/solver.js",
                "MIT OR Apache-2.0",
                ("2026 Søren Kierkegaard",),
                "files[0]",
                "js/**",
            ),
            Part("lib/classpath/rt.js", CLASSPATH, (), "third_party", "lib/classpath/**", "rt"),
        ),
        (
            Component(
                name="rt",
                license=CLASSPATH,
                paths=("lib/classpath/**",),
                version="0.99",
                url="https://www.gnu.org/software/classpath/",
                copyright=("1998-2012 Free Software Foundation, Inc.",),
                license_file="lib/classpath/COPYING",
            ),
        ),
    ).to_json()


@pytest.fixture
def works(northfield, southbank):
    """A dual-licensed original, its fork, and a collection holding the original."""
    original = stored_version(
        FILES,
        resource=ResourceFactory(institution=northfield, title="Wärmeleitung"),
        licence="MIT OR Apache-2.0",
        authors=["Ada Lovelace", "Søren Kierkegaard"],
        parts=parts("MIT OR Apache-2.0"),
    )
    fork = stored_version(
        FILES,
        resource=ResourceFactory(institution=southbank, title="Heat, adapted"),
        licence=CLASSPATH,
        authors=["Chloé Dubois"],
        parts=parts(CLASSPATH),
        changelog="Forked; the solver now uses Crank-Nicolson.",
    )
    Derivation.objects.create(child=fork, parent=original, kind=Derivation.Kind.FORK)
    collection = stored_version(
        {"README.md": "Heat lessons, für alle".encode()},
        resource=ResourceFactory(institution=southbank, title="Heat lessons"),
        licence="CC-BY-4.0",
        authors=["Chloé Dubois"],
    )
    CollectionItem.objects.create(collection=collection, item=original, folder="heat/")
    return original, fork, collection


def url(version) -> URIRef:
    return URIRef(settings.SITE_URL + version.get_absolute_url())


@pytest.mark.parametrize("which", ["original", "fork"])
def test_the_attribution_endpoint_answers_for_an_expression_licence(api, works, which):
    original, fork, _ = works
    version = {"original": original, "fork": fork}[which]
    expression = version.licence
    response = api.get(f"/api/v1/versions/{version.pk}/attribution/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["licence"] is None  # an expression is no one licence of the catalogue
    assert body["expression"] == expression
    named = ["MIT", "Apache-2.0"] if which == "original" else ["GPL-2.0-or-later"]
    assert [lic["id"] for lic in body["licences"]] == named

    # Text: the expression in people's words, the people, the component under its own terms.
    text = body["text"]
    assert "Wärmeleitung" in text and "Ada Lovelace" in text
    assert ("MIT OR Apache-2.0" if which == "original" else CLASSPATH) in text
    assert "rt 0.99" in text and CLASSPATH in text
    if which == "fork":
        assert "Chloé Dubois" in text and "adapted by" in text

    # HTML+RDFa: one rel="license" per licence the expression names, on the work itself.
    rdfa = rdfa_graph(body["html"])
    assert {str(o) for o in rdfa.objects(url(version), XHV_LICENSE)} == {
        SPDX.format(i) for i in named
    }
    assert (
        URIRef("https://www.gnu.org/software/classpath/"),
        XHV_LICENSE,
        URIRef(SPDX.format("GPL-2.0-or-later")),
    ) in rdfa

    # JSON-LD: schema.org license lists every licence named; the fork is based on the original.
    graph = jsonld_graph(json.loads(json.dumps(body["jsonld"])))
    assert {str(o) for o in graph.objects(url(version), SCHEMA.license)} == {
        SPDX.format(i) for i in named
    }
    if which == "fork":
        assert (url(fork), SCHEMA.isBasedOn, url(original)) in graph
        assert {str(o) for o in graph.objects(url(original), SCHEMA.license)} == {
            SPDX.format("MIT"),
            SPDX.format("Apache-2.0"),
        }
    assert graph.value(predicate=SCHEMA.name, object=Literal("rt")) is not None


def test_a_collection_of_a_dual_licensed_work_lists_it_with_its_expression(api, works):
    _, _, collection = works
    body = api.get(f"/api/v1/versions/{collection.pk}/attribution/").json()
    assert body["licence"]["id"] == "CC-BY-4.0" and body["is_collection"]
    (work,) = body["works"]
    assert work["title"] == "Wärmeleitung" and work["licence"] is None
    assert work["expression"] == "MIT OR Apache-2.0"
    assert [lic["id"] for lic in work["licences"]] == ["MIT", "Apache-2.0"]
    assert "MIT OR Apache-2.0" in body["text"]


def test_the_download_carries_an_attribution_file_with_each_licence(client, works):
    _, fork, _ = works
    response = client.get(fork.get_absolute_url() + "download/")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    credit = archive.read("ATTRIBUTION.txt").decode()
    assert credit.startswith("ATTRIBUTION\n")
    for expected in [
        "Wärmeleitung",
        "Chloé Dubois",
        "GNU GPL v2.0 or later:",
        "MIT: MIT License",
        "Apache 2.0:",
        "rt 0.99",
    ]:
        assert expected in credit, expected


def test_the_version_page_shows_the_credit_of_an_expression_licence(client, works):
    _, fork, _ = works
    page = client.get(fork.get_absolute_url())
    assert page.status_code == 200
    assert "Chloé Dubois" in page.content.decode()
