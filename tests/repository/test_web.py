"""Web pages: browse, version pages, files, diff, download, deposit form and fork form."""

import io
import zipfile

import pytest
from django.urls import reverse

from repository.actions.deposits import deposit_package
from repository.actions.validation import validate_version
from repository.models import Version
from tests.factories import APP_JS, build_zip, manifest, tool_files


@pytest.fixture
def published(package, northfield, staff):
    version = deposit_package(package=package, institution=northfield, by=staff)
    validate_version(version.pk)
    version.refresh_from_db()
    return version


def version_url(version: Version, name: str = "version", *extra: object) -> str:
    return reverse(
        name,
        args=[version.resource.institution.slug, version.resource.slug, version.number, *extra],
    )


def test_home_lists_published_resources_to_anonymous_visitors(client, published):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert b"Counter" in response.content
    assert response["Content-Security-Policy"].startswith("default-src 'self'")


def test_version_page_shows_licence_attribution_files_and_validation(client, published):
    response = client.get(version_url(published))
    html = response.content.decode()
    assert response.status_code == 200
    assert "CC BY-SA 4.0" in html
    assert "Ada Lovelace" in html
    assert "app.js" in html
    assert "hashes verified" in html


def test_resource_url_shows_its_latest_published_version(
    client, published, tmp_path, northfield, staff
):
    package = build_zip(tmp_path / "v2.zip", tool_files(**{"app.js": APP_JS + b"\n// v2"}))
    second = deposit_package(
        package=package, institution=northfield, by=staff, resource=published.resource
    )
    validate_version(second.pk)
    response = client.get(published.resource.get_absolute_url())
    assert "v2" in response.content.decode()
    assert client.get(version_url(published)).status_code == 200  # v1 keeps its address


def test_unpublished_version_is_not_found_for_outsiders(
    client, package, northfield, staff, outsider
):
    draft = deposit_package(
        package=package, institution=northfield, by=staff, publish_on_pass=False
    )
    client.force_login(outsider)
    assert client.get(version_url(draft)).status_code == 404
    client.force_login(staff)
    assert client.get(version_url(draft)).status_code == 200


def test_hostile_title_is_shown_as_text(client, tmp_path, northfield, staff):
    package = build_zip(
        tmp_path / "x.zip", manifest_data=manifest(title="<script>alert(1)</script>")
    )
    version = deposit_package(package=package, institution=northfield, by=staff)
    validate_version(version.pk)
    html = client.get(reverse("home")).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_file_page_shows_text_escaped(client, published):
    response = client.get(version_url(published, "version_file", "index.html"))
    assert "&lt;button id=&quot;b&quot;&gt;" in response.content.decode()


def test_diff_between_versions(client, published, tmp_path, northfield, staff):
    package = build_zip(
        tmp_path / "v2.zip", tool_files(**{"app.js": APP_JS + b"\n// second version"})
    )
    second = deposit_package(
        package=package, institution=northfield, by=staff, resource=published.resource
    )
    validate_version(second.pk)
    url = reverse("version_diff", args=["northfield", published.resource.slug])
    html = client.get(url, {"from": 1, "to": 2}).content.decode()
    assert "+// second version" in html
    assert "index.html" not in html  # unchanged files are not listed


def test_download_streams_a_zip_with_manifest_and_attribution(client, published):
    response = client.get(version_url(published, "version_download"))
    assert response.streaming
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert sorted(archive.namelist()) == [
        "ATTRIBUTION.txt",
        "app.js",
        "index.html",
        "remixbank.json",
    ]
    assert archive.read("app.js") == APP_JS
    assert "Ada Lovelace" in archive.read("ATTRIBUTION.txt").decode()


def test_deposit_form_creates_a_version(client, staff, northfield, package):
    client.force_login(staff)
    with package.open("rb") as upload:
        response = client.post(
            reverse("deposit"),
            {"institution": northfield.pk, "package": upload, "publish_on_pass": "on"},
        )
    version = Version.objects.get()
    assert response.status_code == 302
    assert response["Location"] == version.get_absolute_url()


def test_deposit_form_shows_the_refusal(client, staff, northfield, tmp_path):
    client.force_login(staff)
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"not a zip")
    with bad.open("rb") as upload:
        response = client.post(
            reverse("deposit"), {"institution": northfield.pk, "package": upload}
        )
    assert response.status_code == 200
    assert "not a zip file" in response.content.decode()
    assert Version.objects.count() == 0


def test_fork_form_offers_allowed_licences_and_forks(client, published, outsider, southbank):
    client.force_login(outsider)
    page = client.get(version_url(published, "version_fork")).content.decode()
    assert "CC-BY-SA-4.0" in page
    response = client.post(
        version_url(published, "version_fork"),
        {"institution": southbank.pk, "licence": "CC-BY-SA-4.0"},
    )
    fork = Version.objects.get(resource__institution=southbank)
    assert response["Location"] == fork.get_absolute_url()


def test_content_origin_serves_published_files_sandboxed(client, published, settings):
    response = client.get(f"/v/{published.pk}/index.html", HTTP_HOST=settings.CONTENT_HOST)
    assert b"".join(response.streaming_content).startswith(b"<!doctype html>")
    response.close()  # ends the request, as a server does, resetting the content origin's URLs
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert response["Content-Security-Policy"].startswith("sandbox allow-scripts")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_content_is_not_served_from_the_main_origin(client, published):
    assert client.get(f"/v/{published.pk}/index.html").status_code == 404


def test_content_origin_serves_nothing_of_the_main_site(client, settings):
    assert client.get("/admin/", HTTP_HOST=settings.CONTENT_HOST).status_code == 404


def test_manifest_schema_is_served(client):
    response = client.get(reverse("manifest_schema"))
    assert b"remixbank.json" in b"".join(response.streaming_content)
