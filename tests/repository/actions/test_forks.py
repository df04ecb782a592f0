"""Forks: a new resource from an existing version, no bytes copied, the licence applied."""

import pytest

from repository.actions.deposits import deposit_package
from repository.actions.forks import fork_version
from repository.errors import LicenceRefused, PermissionRefused
from repository.models import Blob, Derivation, Version
from tests.factories import build_zip, manifest, validated


@pytest.fixture
def published(package, northfield, staff):
    version = deposit_package(package=package, institution=northfield, by=staff)
    validated(version.pk)
    version.refresh_from_db()
    assert version.state == Version.State.PUBLISHED
    return version


def test_fork_reuses_blobs_and_queues_validation(
    published, southbank, outsider, blob_folder, django_capture_on_commit_callbacks
):
    files_before = sorted(p for p in blob_folder.rglob("*") if p.is_file())
    with django_capture_on_commit_callbacks() as callbacks:
        fork = fork_version(published, into=southbank, by=outsider)
    assert fork.resource.institution == southbank
    assert fork.number == 1
    assert fork.state == Version.State.UPLOADED
    assert dict(fork.files.values_list("path", "blob_id")) == dict(
        published.files.values_list("path", "blob_id")
    )
    assert Blob.objects.count() == 2
    assert sorted(p for p in blob_folder.rglob("*") if p.is_file()) == files_before
    edge = Derivation.objects.get(child=fork)
    assert (edge.parent, edge.kind) == (published, Derivation.Kind.FORK)
    assert len(callbacks) == 1


def test_fork_takes_a_licence_the_source_allows(published, southbank, outsider):
    fork = fork_version(published, into=southbank, by=outsider, licence="CC-BY-SA-4.0")
    assert fork.licence == "CC-BY-SA-4.0"
    assert fork.manifest["license"] == "CC-BY-SA-4.0"


def test_fork_refuses_a_licence_share_alike_forbids(published, southbank, outsider):
    with pytest.raises(LicenceRefused):
        fork_version(published, into=southbank, by=outsider, licence="CC-BY-4.0")
    assert Version.objects.count() == 1


def test_no_derivatives_work_cannot_be_forked(tmp_path, northfield, staff, southbank, outsider):
    package = build_zip(tmp_path / "nd.zip", manifest_data=manifest(license="CC-BY-ND-4.0"))
    version = deposit_package(package=package, institution=northfield, by=staff)
    validated(version.pk)
    version.refresh_from_db()
    with pytest.raises(LicenceRefused, match="ND"):
        fork_version(version, into=southbank, by=outsider)
    assert Version.objects.count() == 1


def test_unpublished_version_cannot_be_forked_by_an_outsider(
    package, northfield, staff, southbank, outsider
):
    version = deposit_package(
        package=package, institution=northfield, by=staff, publish_on_pass=False
    )
    with pytest.raises(PermissionRefused):
        fork_version(version, into=southbank, by=outsider)


def test_fork_into_an_institution_you_do_not_belong_to_is_refused(published, southbank, student):
    with pytest.raises(PermissionRefused, match="Only members of Southbank College"):
        fork_version(published, into=southbank, by=student)


def test_student_fork_is_a_draft_seen_by_them_and_their_staff(
    published, northfield, student, staff, outsider
):
    fork = fork_version(published, into=northfield, by=student)
    assert Version.objects.visible_to(student).filter(pk=fork.pk).exists()
    assert Version.objects.visible_to(staff).filter(pk=fork.pk).exists()
    assert not Version.objects.visible_to(outsider).filter(pk=fork.pk).exists()


def test_fork_page_says_why_other_licences_are_missing(client, published, outsider):
    from django.urls import reverse

    client.force_login(outsider)
    url = reverse("version_fork", args=["northfield", published.resource.slug, published.number])
    html = client.get(url).content.decode()
    assert "Why not others?" in html
    assert "CC BY 4.0" in html
    # One ShareAlike rule rules out five licences: it is said once, not five times.
    assert html.count("is ShareAlike: adaptations must carry") == 1


def test_publishing_re_checks_the_licence_of_a_derived_version(published, southbank, outsider):
    from repository.actions.publishing import publish_version

    fork = fork_version(published, into=southbank, by=outsider)
    validated(fork.pk)
    fork.refresh_from_db()
    # The recorded licence drifted from what the source allows (e.g. edited in the database).
    Version.objects.filter(pk=fork.pk).update(licence="CC-BY-4.0")
    fork.refresh_from_db()
    with pytest.raises(LicenceRefused, match="BY-SA"):
        publish_version(fork, by=outsider)
    fork.refresh_from_db()
    assert fork.state == Version.State.PASSED


def test_a_collection_cannot_be_forked_or_remixed_as_one_work(
    tmp_path, published, northfield, staff, southbank, outsider
):
    from repository.actions.publishing import publish_version
    from repository.actions.remixes import Pick, collect_versions, remix_versions

    nd = deposit_package(
        package=build_zip(
            tmp_path / "nd.zip", manifest_data=manifest(license="CC-BY-ND-4.0", title="ND")
        ),
        institution=northfield,
        by=staff,
    )
    validated(nd.pk)
    nd.refresh_from_db()
    collection = collect_versions(sources=[published, nd], into=northfield, by=staff, title="Both")
    validated(collection.pk)
    collection.refresh_from_db()
    publish_version(collection, by=staff)
    with pytest.raises(
        LicenceRefused, match="is a collection: each work in it keeps its own licence"
    ):
        fork_version(collection, into=southbank, by=outsider)
    some_path = (
        collection.files.exclude(path__endswith=".txt").values_list("path", flat=True).first()
    )
    assert some_path is not None
    with pytest.raises(LicenceRefused, match="is a collection"):
        remix_versions(
            picks=[Pick(collection, some_path)],
            into=southbank,
            by=outsider,
            title="X",
            entry_point=some_path,
        )


def test_a_new_version_deposited_into_a_fork_keeps_to_its_sources_licences(
    tmp_path, published, southbank, outsider
):
    from repository.errors import PackageRefused

    fork = fork_version(published, into=southbank, by=outsider)
    relicensed = build_zip(tmp_path / "v2.zip", manifest_data=manifest(license="CC-BY-4.0"))
    with pytest.raises(PackageRefused, match="adapts other works"):
        deposit_package(
            package=relicensed, institution=southbank, by=outsider, resource=fork.resource
        )
    same = build_zip(
        tmp_path / "v2b.zip", manifest_data=manifest(license="CC-BY-SA-4.0", changelog="Tidied")
    )
    assert (
        deposit_package(
            package=same, institution=southbank, by=outsider, resource=fork.resource
        ).number
        == 2
    )
