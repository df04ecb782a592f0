"""Upstream updates: a fork or remix sees a newer source version and pulls it in a new version."""

import pytest

from repository.actions.forks import fork_version
from repository.actions.remixes import Pick, remix_versions
from repository.actions.upstream import pull_upstream, upstream_updates
from repository.errors import DomainError, PermissionRefused
from repository.models import Derivation, RemixPick
from repository.storage import blobs
from repository.trees.merges import MergeConflict
from tests.factories import tool_files
from tests.repository.remixing import published, validated


@pytest.fixture
def source(tmp_path, northfield, staff):
    return published(tmp_path, northfield, staff, files=tool_files(**{"data.txt": b"a\n"}))


def newer(tmp_path, source, staff, **files):
    return published(
        tmp_path,
        source.resource.institution,
        staff,
        resource=source.resource,
        files=tool_files(**files),
    )


def blob(version, path):
    return blobs.read_blob(version.files.get(path=path).blob_id)


def test_fork_owner_sees_a_newer_source_and_pulls_it(tmp_path, source, staff, southbank, outsider):
    fork = validated(fork_version(source, into=southbank, by=outsider))
    assert upstream_updates(fork.resource) == []
    v2 = newer(tmp_path, source, staff, **{"data.txt": b"b\n", "more.txt": b"m"})
    [update] = upstream_updates(fork.resource)
    assert (update.base, update.source) == (source, v2)
    pulled = pull_upstream(resource=fork.resource, source=v2, by=outsider)
    assert pulled.number == 2 and pulled.state == "uploaded"
    assert blob(pulled, "data.txt") == b"b\n" and blob(pulled, "more.txt") == b"m"
    assert Derivation.objects.get(child=pulled).parent == v2
    fork.refresh_from_db()
    assert fork.files.count() == 2 + 1  # the published fork is unchanged
    assert upstream_updates(fork.resource) == []


def test_pull_with_both_sides_changed_needs_a_resolution(tmp_path, source, staff, northfield):
    fork = validated(fork_version(source, into=northfield, by=staff))
    from repository.actions.deposits import deposit_package
    from tests.factories import build_zip, manifest

    ours = deposit_package(
        package=build_zip(
            tmp_path / "ours.zip",
            tool_files(**{"data.txt": b"ours\n"}),
            manifest_data=manifest(license=fork.licence),
        ),
        institution=northfield,
        by=staff,
        resource=fork.resource,
    )
    v2 = newer(tmp_path, source, staff, **{"data.txt": b"theirs\n"})
    with pytest.raises(MergeConflict):
        pull_upstream(resource=fork.resource, source=v2, by=staff)
    pulled = pull_upstream(
        resource=fork.resource, source=v2, by=staff, resolutions={"data.txt": "theirs"}
    )
    assert pulled.number == ours.number + 1
    assert blob(pulled, "data.txt") == b"theirs\n"


def test_remix_pull_maps_the_source_through_its_picks(tmp_path, source, staff, southbank, outsider):
    remix = remix_versions(
        picks=[Pick(source, "", "lab/")],
        files={"index.html": b"<p>hub</p>"},
        into=southbank,
        by=outsider,
        title="Hub",
        entry_point="index.html",
    )
    v2 = newer(tmp_path, source, staff, **{"data.txt": b"new\n"})
    pulled = pull_upstream(resource=remix.resource, source=v2, by=outsider)
    assert blob(pulled, "lab/data.txt") == b"new\n"
    assert blob(pulled, "index.html") == b"<p>hub</p>"
    assert f"v{v2.number}" in blob(pulled, "ATTRIBUTION.txt").decode()
    assert RemixPick.objects.get(version=pulled).source == v2


def test_only_owners_pull_and_only_real_updates(
    tmp_path, source, staff, southbank, outsider, student
):
    fork = fork_version(source, into=southbank, by=outsider)
    with pytest.raises(DomainError, match="nothing to pull"):
        pull_upstream(resource=fork.resource, source=source, by=outsider)
    v2 = newer(tmp_path, source, staff, **{"data.txt": b"x"})
    with pytest.raises(PermissionRefused):
        pull_upstream(resource=fork.resource, source=v2, by=student)
    assert fork.resource.versions.count() == 1


def test_upstream_pages_never_show_a_hidden_base_version(
    northfield, staff, outsider, tmp_path, client
):
    from repository.actions.deposits import deposit_package
    from repository.actions.publishing import publish_version
    from repository.actions.remixes import Pick, remix_versions
    from tests.factories import build_zip, manifest, tool_files

    draft_files = {**tool_files(), "answers.txt": b"SECRET ANSWER KEY 42\n"}
    draft = deposit_package(
        package=build_zip(tmp_path / "a.zip", draft_files, manifest_data=manifest(title="Quiz")),
        institution=northfield,
        by=staff,
        publish_on_pass=False,
    )
    validated(draft)
    remix = remix_versions(
        picks=[Pick(draft, "index.html"), Pick(draft, "app.js")],
        into=northfield,
        by=staff,
        title="Quiz remix",
        entry_point="index.html",
    )
    validated(remix)
    remix.refresh_from_db()
    publish_version(remix, by=staff)
    newer = deposit_package(
        package=build_zip(tmp_path / "b.zip", tool_files(), manifest_data=manifest(title="Quiz")),
        institution=northfield,
        by=staff,
        resource=draft.resource,
    )
    validated(newer)
    client.force_login(outsider)
    pages = [
        client.get(f"/i/northfield/{remix.resource.slug}/upstream/"),
        client.get(f"/i/northfield/{remix.resource.slug}/upstream/{newer.pk}/"),
    ]
    assert pages[1].status_code == 404  # only the remix's owners pull
    assert all(b"SECRET ANSWER KEY" not in page.content for page in pages)
