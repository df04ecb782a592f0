"""Credit through the site: forks name their adapters and link their changes; collections list
every work with its own licence, in the page, the API, the lineage and the download."""

import html
import io
import re
import zipfile

import pytest

from repository.actions.forks import fork_version
from repository.actions.remixes import collect_versions
from repository.credit.attribution import attribution_text, work_of
from tests.repository.remixing import eastgate_staff, published


@pytest.fixture
def two_works(tmp_path, southbank, outsider, db):
    eastgate, erin = eastgate_staff()
    nc = published(
        tmp_path,
        southbank,
        outsider,
        title="Tide tables",
        license="CC-BY-NC-4.0",
        authors=["Owen Jones"],
    )
    sa = published(
        tmp_path, eastgate, erin, title="Wave tank", license="CC-BY-SA-4.0", authors=["Erin Ng"]
    )
    return nc, sa


def test_a_fork_names_its_adapter_where_they_work_and_links_the_changes(
    client, two_works, staff, northfield
):
    _, sa = two_works
    fork = fork_version(sa, into=northfield, by=staff, licence="CC-BY-SA-4.0")
    text = attribution_text(fork)
    assert '"Wave tank"' in text and "by Erin Ng at Eastgate Institute" in text
    assert f", adapted by {staff.first_name} at {northfield.name}, is licensed" in text
    changes = f"/i/{northfield.slug}/{fork.resource.slug}/v1/changes/"
    assert f"see the changes: http://testserver{changes}" in text or changes in text
    client.force_login(staff)
    page = client.get(changes)
    assert page.status_code == 200
    assert "Wave tank v1" in page.content.decode()


def test_a_later_version_of_a_fork_still_credits_the_source(two_works, staff, northfield):
    from repository.actions.versions import create_version, tree_of

    _, sa = two_works
    fork = fork_version(sa, into=northfield, by=staff)
    second = create_version(
        resource=fork.resource,
        manifest=fork.manifest,
        tree=tree_of(fork),
        by=staff,
        changelog="Bigger waves.",
        contributors=["Charlie"],
    )
    work = work_of(second)
    assert [s.title for s in work.sources] == ["Wave tank"]
    assert "with contributions by Charlie" in attribution_text(second)


def test_a_collection_lists_each_work_with_its_own_licence_and_no_licence_for_the_whole(
    client, two_works, staff, northfield
):
    nc, sa = two_works
    collection = collect_versions(sources=[nc, sa], into=northfield, by=staff, title="Sea science")
    text = attribution_text(collection)
    assert '"Tide tables"' in text and "by Owen Jones at Southbank" in text
    assert "licensed under CC BY-NC 4.0" in text and "licensed under CC BY-SA 4.0" in text
    assert "The collection adds no licence to these works" in text
    assert (
        f"CC BY-NC 4.0 (https://creativecommons.org/licenses/by-nc/4.0/) by {staff.first_name}"
        not in text
    )

    client.force_login(staff)
    page = html.unescape(client.get(collection.get_absolute_url()).content.decode())
    assert "This collection adds no licence to the works it holds" in page
    assert "An original work" not in page
    lineage_text = re.sub(r"<[^>]+>", "", page).split("Collects, unmodified: ", 1)[1]
    collects = lineage_text.split("\n", 1)[0]
    assert "Tide tables v1 (Southbank" in collects and "Wave tank v1 (Eastgate" in collects
    for title, author, licence in [
        ("Tide tables", "Owen Jones", "CC-BY-NC-4.0"),
        ("Wave tank", "Erin Ng", "CC-BY-SA-4.0"),
    ]:
        row = page.split(f">{title} v1</a></td>", 1)[1].split("</tr>", 1)[0]
        assert author in row and licence in row

    api = client.get(f"/api/v1/versions/{collection.pk}/attribution/").json()
    assert api["is_collection"] is True
    assert sorted((w["title"], w["authors"], w["licence"]["id"]) for w in api["works"]) == [
        ("Tide tables", ["Owen Jones"], "CC-BY-NC-4.0"),
        ("Wave tank", ["Erin Ng"], "CC-BY-SA-4.0"),
    ]
    assert api["jsonld"]["@type"] == "Collection"
    assert {p["name"] for p in api["jsonld"]["hasPart"]} == {"Tide tables", "Wave tank"}

    lineage = client.get(f"/api/v1/versions/{collection.pk}/lineage/").json()
    assert {v["id"] for v in lineage["collects"]} == {nc.pk, sa.pk}
    graph = client.get(f"/i/{northfield.slug}/{collection.resource.slug}/v1/lineage.json").json()
    assert {(e["child"], e["parent"], e["kind"]) for e in graph["edges"]} == {
        (collection.pk, nc.pk, "collection"),
        (collection.pk, sa.pk, "collection"),
    }
    held = client.get(f"/api/v1/versions/{nc.pk}/lineage/").json()
    assert [v["id"] for v in held["collected_in"]] == [collection.pk]

    download = client.get(f"/i/{northfield.slug}/{collection.resource.slug}/v1/download/")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    credit = archive.read("ATTRIBUTION.txt").decode()
    assert "Tide tables" in credit and "Wave tank" in credit
    assert "Each work in this collection keeps its own licence" in credit


def test_a_collections_licence_table_keeps_each_works_licence(two_works, staff, northfield):
    nc, sa = two_works
    collection = collect_versions(sources=[nc, sa], into=northfield, by=staff, title="Sea")
    parts = collection.licence_parts
    by_folder = {
        item.folder: parts.part(f"{item.folder}/index.html") for item in collection.items.all()
    }
    assert {f: p.license for f, p in by_folder.items() if p} == {
        "southbank-tide-tables-v1": "CC-BY-NC-4.0",
        "eastgate-wave-tank-v1": "CC-BY-SA-4.0",
    }
    own = parts.part("index.html")  # the collector's own page
    assert own is not None and own.license == collection.licence
