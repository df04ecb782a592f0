"""A multi-licence tool from deposit to remix: verdicts, the licence table and every credit format.

MIT code, CC BY 4.0 content and a third-party MIT library are deposited at Northfield; Southbank
forks it under CC BY-SA 4.0; Eastgate remixes the fork with a CC BY-SA 4.0 work of its own.
The HTML credit is read as RDF by pyRdfa (the W3C's RDFa distiller) and the JSON-LD by PyLD
against schema.org's vendored context, so the assertions are on triples a harvester would see.
"""

import io
import json
import zipfile

import pytest
from django.conf import settings
from pyld import jsonld
from pyRdfa import pyRdfa
from rdflib import Graph, Literal, Namespace, URIRef
from rest_framework.test import APIClient

import licensing
from repository.actions.deposits import deposit_package
from repository.actions.forks import fork_version
from repository.actions.publishing import publish_version
from repository.actions.remixes import Pick, remix_versions
from repository.credit.attribution import work_of
from repository.models import Version
from repository.storage import blobs
from tests.factories import build_zip, manifest
from tests.repository.exchange.test_embedded_metadata import schema_org_loader
from tests.repository.remixing import eastgate_staff, published, validated

SCHEMA = Namespace("http://schema.org/")
DCT = Namespace("http://purl.org/dc/terms/")
CC = Namespace("http://creativecommons.org/ns#")
XHV_LICENSE = URIRef("http://www.w3.org/1999/xhtml/vocab#license")
BY = URIRef("https://creativecommons.org/licenses/by/4.0/")
BY_SA = URIRef("https://creativecommons.org/licenses/by-sa/4.0/")
MIT = URIRef("https://spdx.org/licenses/MIT.html")

HOWLER_LICENSE = (
    b"Copyright (c) 2013-2020 James Simpson and GoldFire Studios, Inc.\n\n"
    b"Permission is hereby granted, free of charge, to any person obtaining a copy of this "
    b'software and associated documentation files (the "Software"), to deal in the Software '
    b'without restriction. THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND.\n'
)
ORBIT_FILES = {
    "index.html": (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Orbit lab</title>'
        '<link rel="stylesheet" href="css/orbit.css"><script type="module" src="js/app.mjs">'
        '</script></head><body><h1>Orbit lab</h1><canvas id="sky"></canvas>'
        '<p><a href="credits.html">Crédits</a></p></body></html>'
    ).encode(),
    "css/orbit.css": b"body { font-family: sans-serif; } canvas { width: 100%; }\n",
    "js/app.mjs": (
        b"import { orbit } from './orbit.mjs';\n"
        b"const planets = await (await fetch('data/planets.json')).json();\n"
        b"localStorage.setItem('orbit-lab', JSON.stringify(planets.map(orbit)));\n"
    ),
    "js/orbit.mjs": b"export const orbit = (p) => ({ name: p.name, period: p.a ** 1.5 });\n",
    "data/planets.json": '[{"name": "Mercure", "a": 0.39}, {"name": "Vénus", "a": 0.72}]'.encode(),
    "credits.html": (
        '<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Crédits</title>'
        '</head><body><p>Sons: <a href="https://howlerjs.com/">howler.js</a> (MIT). '
        "Textes: Ada Lovelace, CC BY 4.0.</p></body></html>"
    ).encode(),
    "images/orbit.svg": b'<svg xmlns="http://www.w3.org/2000/svg"><circle r="4"/></svg>',
    "LICENSE.txt": b"Orbit lab: https://creativecommons.org/licenses/by/4.0/ (code: MIT)\n",
    "vendor/howler/howler.min.js": b"/*! howler.js v2.2.4 | MIT */ var Howl = function () {};\n",
    "vendor/howler/LICENSE.md": HOWLER_LICENSE,
}
ORBIT_MANIFEST = manifest(
    title="Orbit lab",
    license="CC-BY-4.0",
    authors=["Ada Lovelace"],
    # The credits page links to the library's home page (a link, not a loaded resource).
    external_resources=["https://howlerjs.com/"],
    files=[{"path": "js/**", "license": "MIT", "copyright": ["2026 Ada Lovelace"]}],
    third_party=[
        {
            "name": "howler.js",
            "version": "2.2.4",
            "url": "https://howlerjs.com/",
            "license": "MIT",
            "copyright": ["Copyright (c) 2013-2020 James Simpson and GoldFire Studios, Inc."],
            "paths": ["vendor/howler/**"],
            "license_file": "vendor/howler/LICENSE.md",
        }
    ],
)


def rdfa_graph(html: str) -> Graph:
    page = f"<!DOCTYPE html><html><head><title>credit</title></head><body>{html}</body></html>"
    return pyRdfa().graph_from_source(io.StringIO(page))


def jsonld_graph(doc: dict) -> Graph:
    nquads = jsonld.to_rdf(
        doc, {"format": "application/n-quads", "documentLoader": schema_org_loader}
    )
    return Graph().parse(data=nquads, format="nt")


def licence_step(version: Version) -> list[str]:
    run = version.validation_runs.first()
    assert run is not None
    step = run.steps.get(name="licence")
    assert step.status == "passed", step.messages
    return step.messages


@pytest.fixture
def journey(tmp_path, northfield, staff, southbank, outsider, db):
    package = build_zip(tmp_path / "orbit.zip", ORBIT_FILES, manifest_data=ORBIT_MANIFEST)
    original = validated(deposit_package(package=package, institution=northfield, by=staff))
    assert original.state == Version.State.PUBLISHED, licence_step(original)
    fork = fork_version(original, into=southbank, by=outsider, licence="CC-BY-SA-4.0")
    fork = validated(fork)
    publish_version(fork, by=outsider)
    eastgate, erin = eastgate_staff()
    waves = published(
        tmp_path, eastgate, erin, title="Wave tank", license="CC-BY-SA-4.0", authors=["Erin Ng"]
    )
    remix = remix_versions(
        picks=[Pick(fork), Pick(waves, "app.js", "waves/")],
        into=eastgate,
        by=erin,
        title="Orbits and waves",
        entry_point="index.html",
    )
    return original, fork, waves, validated(remix)


def test_the_verdicts_follow_the_parts(journey):
    original, fork, _, remix = journey
    # The fork may carry what every part allows: ShareAlike content licences, never CC BY-NC.
    allowed = licensing.allowed_adaptation_licenses([original.licence])
    assert {"CC-BY-SA-4.0", "CC-BY-4.0"} <= allowed
    assert fork.licence == "CC-BY-SA-4.0" and fork.state == Version.State.PUBLISHED
    assert any("Adapts 1 source" in m for m in licence_step(fork))
    # The remix of two BY-SA works is BY-SA, and passes its own licence step too.
    assert remix.licence == "CC-BY-SA-4.0"
    licence_step(remix)
    with pytest.raises(licensing.LicenceConflict, match="What you can do"):
        licensing.require_adaptation_license([fork.licence], "CC-BY-NC-4.0", names=["Orbit"])


def test_the_licence_table_keeps_each_part_under_its_own_terms(journey):
    original, fork, _, remix = journey
    table = original.licence_parts
    assert table.summary() == (
        "code: CC BY 4.0, MIT; text, images and data: CC BY 4.0; 1 third-party component"
    )
    assert table.part("js/app.mjs").license == "MIT"
    assert table.part("credits.html").license == "CC-BY-4.0"
    # The fork: a new LICENSE, the original's kept; the source's files keep their licences.
    assert set(fork.files.values_list("path", flat=True)) >= {
        "LICENSE.txt",
        "LICENSES/CC-BY-4.0.txt",
        "vendor/howler/LICENSE.md",
    }
    assert fork.licence_parts.part("js/orbit.mjs").license == "MIT"
    assert [c.name for c in fork.licence_parts.components] == ["howler.js"]
    # The remix carries the parts it picked: code still MIT, the component still declared.
    parts = remix.licence_parts
    assert parts.part("js/orbit.mjs").license == "MIT"
    assert parts.part("waves/app.js").license == "CC-BY-SA-4.0"
    assert [(c.name, c.license) for c in parts.components] == [("howler.js", "MIT")]


def test_every_credit_format_names_everyone(client, journey, staff):
    original, fork, waves, remix = journey
    work = work_of(remix)
    text = licensing.attribution_text(work)
    for expected in [
        '"Orbit lab"',
        "by Ada Lovelace at Northfield University",
        "adapted by",
        "at Southbank",
        "Erin Ng at Eastgate Institute",
        "Changes:",
        "/changes/",
        "howler.js 2.2.4 (https://howlerjs.com/)",
        "James Simpson and GoldFire Studios",
    ]:
        assert expected in text, expected

    url = lambda v: URIRef(settings.SITE_URL + v.get_absolute_url())  # noqa: E731
    rdfa = rdfa_graph(licensing.attribution_html(work))
    assert (url(remix), XHV_LICENSE, BY_SA) in rdfa
    assert {o for o in rdfa.objects(url(remix), DCT.source)} == {url(fork), url(waves)}
    assert (url(fork), DCT.source, url(original)) in rdfa
    assert (url(original), XHV_LICENSE, BY) not in rdfa  # an ancestor's licence is not claimed
    howler = URIRef("https://howlerjs.com/")
    assert (howler, XHV_LICENSE, MIT) in rdfa
    assert (howler, DCT.title, Literal("howler.js 2.2.4")) in rdfa
    assert set(rdfa.objects(url(remix), CC.attributionName)) == {Literal("Erin")}  # the remixer

    doc = licensing.attribution_jsonld(work)
    graph = jsonld_graph(json.loads(json.dumps(doc)))
    assert (url(remix), SCHEMA.license, BY_SA) in graph
    assert (url(remix), SCHEMA.isBasedOn, url(fork)) in graph
    assert (url(fork), SCHEMA.isBasedOn, url(original)) in graph
    assert (url(original), SCHEMA.license, BY) in graph
    components = [n for n in graph.subjects(SCHEMA.name, Literal("howler.js"))]
    assert components and (components[0], SCHEMA.license, MIT) in graph
    affiliations = {
        str(graph.value(org, SCHEMA.name))
        for person in graph.objects(url(remix), SCHEMA.author)
        for org in graph.objects(person, SCHEMA.affiliation)
    }
    assert affiliations == {"Eastgate Institute"}

    client.force_login(staff)
    response = client.get(fork.get_absolute_url() + "download/")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    credit = archive.read("ATTRIBUTION.txt").decode()
    assert "by Ada Lovelace at Northfield University" in credit
    assert "adapted by" in credit and "howler.js" in credit
    assert "Third-party components keep their own licences" in credit
    new_licence = archive.read("LICENSE.txt").decode()
    assert "CC BY-SA 4.0" in new_licence and "LICENSES/CC-BY-4.0.txt" in new_licence


def test_the_fork_page_offers_licences_per_part_and_keeps_components(client, journey, outsider):
    original, *_ = journey
    client.force_login(outsider)
    page = client.get(original.get_absolute_url() + "fork/").content.decode()
    section = page.split('id="by-part"', 1)[1].split("</section>", 1)[0]
    assert "Code (CC-BY-4.0, MIT)" in section and "Content (CC-BY-4.0)" in section
    assert section.count("<h3>") == 2  # one choice for the code, one for the content
    assert "Recommended: <strong>CC BY 4.0</strong>" in section  # for the content
    assert "howler.js (MIT)" in section and "keep their own terms" in section


def test_a_fork_licensed_by_part_passes_its_own_licence_step_and_credits_everyone(
    journey, southbank, outsider
):
    api = APIClient()
    original, *_ = journey
    # What the API offers first: per part, with why-not for each licence it leaves out.
    body = api.get(f"/api/v1/licences/adaptations/by-part/?version={original.pk}").json()
    assert body["is_mixed"] is True
    parts = {p["part"]: p for p in body["parts"]}
    assert parts["code"]["sources"] == ["CC-BY-4.0", "MIT"]
    assert "Apache-2.0" in {o["licence"]["id"] for o in parts["code"]["options"]}
    assert parts["content"]["recommended"] == "CC-BY-4.0"
    assert body["components"] == [{"name": "howler.js", "licence": "MIT"}]

    fork = fork_version(
        original,
        into=southbank,
        by=outsider,
        licence="CC-BY-SA-4.0",
        title="Orbit lab, par parties",
        part_licences={"code": "Apache-2.0", "content": "CC-BY-SA-4.0"},
    )
    fork = validated(fork)
    messages = licence_step(fork)
    assert any("Adapts 1 source" in m for m in messages)
    assert fork.manifest["part_licences"] == {"code": "Apache-2.0", "content": "CC-BY-SA-4.0"}
    new_licence = fork.files.get(path="LICENSE.txt")
    text = blobs.read_blob(new_licence.blob_id).decode()
    assert "by part (code: Apache 2.0; content: CC BY-SA 4.0)" in text
    assert "END OF TERMS AND CONDITIONS" in text  # Apache-2.0 §4(a): a copy of the licence
    app = fork.licence_parts.part("js/app.mjs")
    assert app is not None and app.license == "MIT"  # the source's own licence, kept

    work = work_of(fork)
    credit = licensing.attribution_text(work)
    assert "by Ada Lovelace at Northfield University" in credit and "adapted by" in credit
    url = lambda v: URIRef(settings.SITE_URL + v.get_absolute_url())  # noqa: E731
    rdfa = rdfa_graph(licensing.attribution_html(work))
    assert (url(fork), XHV_LICENSE, BY_SA) in rdfa
    assert (url(fork), DCT.source, url(original)) in rdfa
    graph = jsonld_graph(json.loads(json.dumps(licensing.attribution_jsonld(work))))
    assert (url(fork), SCHEMA.isBasedOn, url(original)) in graph
    assert "howler.js" in licensing.attribution_file(work)
