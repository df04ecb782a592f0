"""The API's version representation carries the per-file licensing decided at deposit."""

from repository.actions.deposits import deposit_package
from tests.factories import build_zip, multi_licence_tool
from tests.repository.api.conftest import bearer


def test_version_detail_lists_each_files_licence_and_the_components(
    api, make_token, staff, northfield, tmp_path
):
    files, data = multi_licence_tool()
    package = build_zip(tmp_path / "orbits.zip", files, manifest_data=data)
    version = deposit_package(package=package, institution=northfield, by=staff)
    api.credentials(**bearer(make_token(staff, "read")))
    body = api.get(f"/api/v1/versions/{version.pk}/").json()
    parts = body["licence_parts"]
    assert parts["license"] == "CC-BY-NC-4.0"
    assert parts["summary"].endswith("3 third-party components")
    by_path = {f["path"]: f for f in parts["files"]}
    assert by_path["assets/sounds/click.mp3"] == {
        "path": "assets/sounds/click.mp3",
        "license": "CC-BY-NC-3.0",
        "copyright": ["2014 kwahmah_02 (freesound.org)"],
        "via": "REUSE.toml",
        "pattern": "assets/sounds/*.mp3",
        "component": "",
        "kind": "sounds",
    }
    assert by_path["lib/p5/p5.min.js"]["component"] == "p5.js"
    pixi = parts["components"][0]
    assert (pixi["name"], pixi["version"], pixi["license"], pixi["license_file"]) == (
        "PIXI.js",
        "7.4.2",
        "MIT",
        "lib/pixi/LICENSE",
    )


def test_a_package_with_one_licence_lists_every_file_under_it(api, published):
    parts = api.get(f"/api/v1/versions/{published.pk}/").json()["licence_parts"]
    assert parts["license"] == published.licence
    assert {f["license"] for f in parts["files"]} == {published.licence}
    assert parts["components"] == []
