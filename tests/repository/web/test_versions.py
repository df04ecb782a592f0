"""Version pages: the page, its resource URL, visibility, files, diff, download, fork form, status JSON."""

import io
import zipfile

from django.urls import reverse

from repository.actions.deposits import deposit_package
from repository.actions.validation import validate_version
from repository.models import Version
from tests.factories import APP_JS, build_zip, manifest, tool_files, validated
from tests.repository.web.pages import version_url


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
    validated(second.pk)
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
    validated(version.pk)
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
    validated(second.pk)
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


def test_status_json_reports_steps_and_verdict(client, package, northfield, staff):
    version = deposit_package(package=package, institution=northfield, by=staff)
    validate_version(version.pk)
    client.force_login(staff)
    url = reverse(
        "version_status", args=[version.resource.institution.slug, version.resource.slug, 1]
    )
    data = client.get(url).json()
    assert data["settled"] is True and data["state"] == "not_run"
    assert [s["name"] for s in data["steps"]] == ["package", "licence", "content", "run"]
    # The suite does not run content by default, so the run step was skipped: never "passed".
    assert data["steps"][-1]["status"] == "skipped"
    assert data["badge"]["text"] == (
        "Not yet validated: the validator could not run it "
        "(no browser or sandbox on this installation)"
    )
    assert data["pending"] == []


def test_fork_form_folds_the_licences_that_are_permitted_but_not_recommended(
    client, tmp_path, northfield, staff, outsider
):
    version = deposit_package(
        package=build_zip(tmp_path / "by.zip", manifest_data=manifest(license="CC-BY-4.0")),
        institution=northfield,
        by=staff,
    )
    validated(version.pk)
    client.force_login(outsider)
    url = reverse("version_fork", args=["northfield", version.resource.slug, 1])
    html = client.get(url).content.decode()
    assert "Recommended: <strong>CC BY 4.0</strong>" in html
    assert html.count("permitted but not recommended") == 1
    assert html.count("is an older version; CC recommends 4.0") == 1
    assert '<optgroup label="Also permitted, not recommended">' in html


def test_a_scenario_page_offers_no_tool_tab(client, tmp_path, northfield, staff):
    from repository.management.commands.load_demo import SCENARIO_DIR, scenario_manifest, zip_folder

    package = zip_folder(SCENARIO_DIR, tmp_path / "scenario.zip", scenario_manifest())
    scenario = deposit_package(package=package, institution=northfield, by=staff)
    validated(scenario.pk)
    html = client.get(version_url(scenario)).content.decode()
    assert "Solar tracker on a hill" in html
    assert "Open in a new tab" not in html
