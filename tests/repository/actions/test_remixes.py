"""Remixes from several sources and collections of unmodified works."""

import pytest

from repository.actions.remixes import Pick, RemixRefused, collect_versions, remix_versions
from repository.errors import LicenceRefused, PermissionRefused
from repository.models import CollectionItem, Derivation, RemixPick, Resource, Version
from repository.storage import blobs
from tests.factories import tool_files
from tests.repository.remixing import eastgate_staff, published, validated


@pytest.fixture
def sources(tmp_path, southbank, outsider, db):
    eastgate, erin = eastgate_staff()
    a = published(
        tmp_path,
        southbank,
        outsider,
        title="Pendulum",
        license="CC-BY-4.0",
        files=tool_files(**{"lib/physics.js": b"// physics"}),
    )
    b = published(
        tmp_path,
        eastgate,
        erin,
        title="Graphs",
        license="CC-BY-SA-4.0",
        files=tool_files(**{"css/plot.css": b"body{}"}),
    )
    return a, b


def test_remix_of_two_institutions_tools_credits_both_and_records_edges(sources, northfield, staff):
    a, b = sources
    remix = remix_versions(
        picks=[
            Pick(a, "lib/", "vendor/pendulum/"),
            Pick(b, "css/plot.css", "css/"),
            Pick(a, "index.html", "index.html"),
            Pick(b, "app.js", "app.js"),
        ],
        files={"notes.txt": b"teacher notes"},
        into=northfield,
        by=staff,
        title="Pendulum graphs",
        entry_point="index.html",
    )
    paths = dict(remix.files.values_list("path", "blob_id"))
    assert set(paths) == {
        "vendor/pendulum/physics.js",
        "css/plot.css",
        "index.html",
        "app.js",
        "notes.txt",
        "ATTRIBUTION.txt",
    }
    assert paths["vendor/pendulum/physics.js"] == a.files.get(path="lib/physics.js").blob_id
    assert remix.licence == "CC-BY-SA-4.0"  # ShareAlike source decides
    assert {(e.parent_id, e.kind) for e in Derivation.objects.filter(child=remix)} == {
        (a.pk, "remix"),
        (b.pk, "remix"),
    }
    assert RemixPick.objects.filter(version=remix).count() == 4
    text = blobs.read_blob(paths["ATTRIBUTION.txt"]).decode()
    assert '"Pendulum"' in text and '"Graphs"' in text and "vendor/pendulum/" in text
    assert validated(remix).state == Version.State.PASSED


def test_remix_refuses_licences_that_cannot_be_combined_naming_the_sources(
    tmp_path, sources, northfield, staff, southbank, outsider
):
    nc = published(tmp_path, southbank, outsider, title="Orbits", license="CC-BY-NC-4.0")
    sa = sources[1]
    before = (Version.objects.count(), Resource.objects.count())
    with pytest.raises(LicenceRefused, match="Orbits") as refused:
        remix_versions(
            picks=[Pick(nc, "index.html", "index.html"), Pick(sa, "app.js", "app.js")],
            into=northfield,
            by=staff,
            title="Bad",
            entry_point="index.html",
        )
    assert "Graphs" in refused.value.message
    assert (Version.objects.count(), Resource.objects.count()) == before


def test_remix_refuses_a_path_collision(sources, northfield, staff):
    a, b = sources
    with pytest.raises(RemixRefused, match=r"Path collision at index\.html"):
        remix_versions(
            picks=[Pick(a, "index.html", ""), Pick(b, "index.html", "")],
            into=northfield,
            by=staff,
            title="Clash",
            entry_point="index.html",
        )
    assert not Resource.objects.filter(institution=northfield).exists()


def test_remix_refuses_a_missing_entry_point_and_unsafe_paths(sources, northfield, staff):
    a, _ = sources
    with pytest.raises(RemixRefused, match="entry point"):
        remix_versions(
            picks=[Pick(a, "app.js", "")],
            into=northfield,
            by=staff,
            title="X",
            entry_point="index.html",
        )
    with pytest.raises(Exception, match=r"\.\."):
        remix_versions(
            picks=[Pick(a, "app.js", "../x.js")],
            into=northfield,
            by=staff,
            title="X",
            entry_point="x.js",
        )
    assert not Resource.objects.filter(institution=northfield).exists()


def test_remix_of_an_unseen_draft_is_refused(
    tmp_path, sources, northfield, staff, southbank, outsider
):
    from repository.actions.deposits import deposit_package
    from tests.factories import build_zip

    draft = deposit_package(
        package=build_zip(tmp_path / "d.zip"),
        institution=southbank,
        by=outsider,
        publish_on_pass=False,
    )
    with pytest.raises(PermissionRefused):
        remix_versions(
            picks=[Pick(draft)], into=northfield, by=staff, title="X", entry_point="index.html"
        )


def test_collection_keeps_each_work_unmodified_with_its_own_licence(
    tmp_path, sources, northfield, staff, southbank, outsider
):
    a, b = sources
    nd = published(tmp_path, southbank, outsider, title="Fixed quiz", license="CC-BY-ND-4.0")
    collection = collect_versions(sources=[a, b, nd], into=northfield, by=staff, title="Kit")
    assert collection.licence == "CC-BY-4.0"
    assert not Derivation.objects.filter(child=collection).exists()
    assert CollectionItem.objects.filter(collection=collection).count() == 3
    paths = dict(collection.files.values_list("path", "blob_id"))
    folder = "southbank-fixed-quiz-v1"
    assert paths[f"{folder}/index.html"] == nd.files.get(path="index.html").blob_id
    notices = blobs.read_blob(paths["NOTICES.txt"]).decode()
    assert "CC BY-ND 4.0" in notices and "keeps its own licence" in notices
    assert "Fixed quiz" in blobs.read_blob(paths[f"{folder}/ATTRIBUTION.txt"]).decode()
    assert validated(collection).state == Version.State.PASSED


def test_collection_with_non_commercial_work_refuses_a_commercial_licence(
    tmp_path, sources, northfield, staff, southbank, outsider
):
    a, _ = sources
    nc = published(tmp_path, southbank, outsider, title="Orbits", license="CC-BY-NC-4.0")
    with pytest.raises(LicenceRefused, match="NonCommercial"):
        collect_versions(
            sources=[a, nc], into=northfield, by=staff, title="Kit", licence="CC-BY-4.0"
        )
    assert collect_versions(sources=[a, nc], into=northfield, by=staff, title="Kit").licence == (
        "CC-BY-NC-4.0"
    )
