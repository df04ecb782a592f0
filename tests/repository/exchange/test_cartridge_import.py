"""Common Cartridge deposits: web content and LOM become a tool; a round trip through our export."""

import io
import zipfile
from pathlib import Path

import pytest
from django.urls import reverse

from repository.actions.deposits import deposit_package
from repository.actions.imports import DEPOSITED, DUPLICATE, import_folder
from repository.errors import PackageRefused
from repository.models import Blob, Resource, Version
from repository.storage import blobs
from repository.validation.steps import check_licence, check_package
from tests.factories import (
    ResourceFactory,
    features_manifest,
    features_tool_files,
    stored_version,
)

CC_NAMESPACES = {
    "1.1": "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1",
    "1.2": "http://www.imsglobal.org/xsd/imsccv1p2/imscp_v1p1",
    "1.3": "http://www.imsglobal.org/xsd/imsccv1p3/imscp_v1p1",
}
LOM_NAMESPACES = {
    "1.1": "http://ltsc.ieee.org/xsd/imsccv1p1/LOM/manifest",
    "1.2": "http://ltsc.ieee.org/xsd/imsccv1p2/LOM/manifest",
    "1.3": "http://ltsc.ieee.org/xsd/imsccv1p3/LOM/manifest",
}
RIGHTS = (
    "© 2024 Académie de Lyon. Licence Creative Commons Attribution - Partage dans les mêmes "
    "conditions 4.0 : https://creativecommons.org/licenses/by-sa/4.0/"
)
LTI_LINK = """<?xml version="1.0" encoding="UTF-8"?>
<cartridge_basiclti_link xmlns="http://www.imsglobal.org/xsd/imslticc_v1p0"
    xmlns:blti="http://www.imsglobal.org/xsd/imsbasiclti_v1p0"
    xmlns:lticp="http://www.imsglobal.org/xsd/imslticp_v1p0">
  <blti:title>Quiz en ligne (LTI)</blti:title>
  <blti:description>Le quiz noté, lancé depuis l'ENT.</blti:description>
  <blti:secure_launch_url>https://quiz.example.org/lti/launch</blti:secure_launch_url>
  <blti:vendor><lticp:code>example</lticp:code><lticp:name>Example</lticp:name></blti:vendor>
</cartridge_basiclti_link>
""".encode()
WEB_LINK = """<?xml version="1.0" encoding="UTF-8"?>
<webLink xmlns="http://www.imsglobal.org/xsd/imsccv1p1/imswl_v1p1">
  <title>Carte des planètes (NASA)</title>
  <url href="https://solarsystem.nasa.gov/planets/overview/"/>
</webLink>
""".encode()


def course_files() -> dict[str, bytes]:
    """A course's web content as a VLE exports it: pages, modules, a worker, a font, credits."""
    files = features_tool_files()
    web = {f"web_resources/{path}": content for path, content in files.items()}
    web["web_resources/étape-2.html"] = (
        '<!doctype html><html lang="fr"><meta charset="utf-8"><title>Étape 2</title>'
        '<p>Crédits : <a href="https://example.org/orbites">Orbites</a>, CC BY-SA.</p></html>'
    ).encode()
    return web


def cartridge_manifest(
    web: dict[str, bytes],
    *,
    version: str = "1.1",
    rights: str | None = RIGHTS,
    with_web: bool = True,
) -> bytes:
    ns, lom = CC_NAMESPACES[version], LOM_NAMESPACES[version]
    files = "".join(f'<file href="{path}"/>' for path in web)
    rights_xml = (
        f"<lomimscc:rights><lomimscc:copyrightAndOtherRestrictions><lomimscc:value>yes"
        f"</lomimscc:value></lomimscc:copyrightAndOtherRestrictions><lomimscc:description>"
        f'<lomimscc:string language="fr">{rights}</lomimscc:string></lomimscc:description>'
        f"</lomimscc:rights>"
        if rights
        else ""
    )
    web_items = (
        '<item identifier="i-intro" identifierref="r-web"><title>Introduction</title></item>'
        if with_web
        else ""
    )
    web_resources = (
        f'<resource identifier="r-web" type="webcontent" href="web_resources/index.html">'
        f"{files}</resource>"
        if with_web
        else ""
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="cours-orbites" xmlns="{ns}" xmlns:lomimscc="{lom}">
  <metadata>
    <schema>IMS Common Cartridge</schema>
    <schemaversion>{version}.0</schemaversion>
    <lomimscc:lom>
      <lomimscc:general>
        <lomimscc:title><lomimscc:string language="fr">Orbites : un cours</lomimscc:string></lomimscc:title>
        <lomimscc:description><lomimscc:string language="fr">Les lois de Kepler, pas à pas.</lomimscc:string></lomimscc:description>
      </lomimscc:general>
      <lomimscc:lifeCycle><lomimscc:contribute>
        <lomimscc:role><lomimscc:source>LOMv1.0</lomimscc:source><lomimscc:value>author</lomimscc:value></lomimscc:role>
        <lomimscc:entity>BEGIN:VCARD
VERSION:3.0
FN:Zoë Ångström
END:VCARD</lomimscc:entity>
        <lomimscc:entity>BEGIN:VCARD
VERSION:3.0
FN:Kofi Mensah
END:VCARD</lomimscc:entity>
      </lomimscc:contribute></lomimscc:lifeCycle>
      {rights_xml}
    </lomimscc:lom>
  </metadata>
  <organizations>
    <organization identifier="org" structure="rooted-hierarchy">
      <item identifier="root">
        <item identifier="i-map" identifierref="r-link"><title>Carte</title></item>
        {web_items}
        <item identifier="i-quiz" identifierref="r-lti"><title>Quiz</title></item>
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="r-link" type="imswl_xmlv1p1"><file href="links/carte.xml"/></resource>
    {web_resources}
    <resource identifier="r-lti" type="imsbasiclti_xmlv1p0"><file href="lti/quiz.xml"/></resource>
  </resources>
</manifest>
""".encode()


def write_cartridge(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return path


def course_cartridge(path: Path, **manifest_options) -> Path:
    web = course_files()
    return write_cartridge(
        path,
        {
            "imsmanifest.xml": cartridge_manifest(web, **manifest_options),
            "links/carte.xml": WEB_LINK,
            "lti/quiz.xml": LTI_LINK,
            **web,
        },
    )


def assert_nothing_stored(blob_folder: Path) -> None:
    assert Resource.objects.count() == 0
    assert Version.objects.count() == 0
    assert Blob.objects.count() == 0
    assert not blob_folder.exists() or not any(p.is_file() for p in blob_folder.rglob("*"))


@pytest.mark.parametrize("cc_version", ["1.1", "1.2", "1.3"])
def test_a_cartridge_deposits_its_web_content_lom_and_lti_links(
    tmp_path, northfield, staff, cc_version
):
    package = course_cartridge(tmp_path / "orbites.imscc", version=cc_version)
    version = deposit_package(package=package, institution=northfield, by=staff)

    assert version.resource.title == "Orbites : un cours"
    assert version.manifest["description"] == "Les lois de Kepler, pas à pas."
    assert version.licence == "CC-BY-SA-4.0"
    assert [a["name"] for a in version.manifest["authors"]] == ["Zoë Ångström", "Kofi Mensah"]
    # The files are the web content, relative to the folder it shares; nothing else comes in.
    stored = {f.path: blobs.read_blob(f.blob_id) for f in version.files.all()}
    expected = {p.removeprefix("web_resources/"): c for p, c in course_files().items()}
    assert stored == expected
    assert version.entry_point == "index.html"
    package_info = version.manifest["package"]
    assert package_info["format"] == "common-cartridge"
    assert package_info["version"] == cc_version
    assert package_info["lti_links"] == [
        {
            "identifier": "r-lti",
            "title": "Quiz en ligne (LTI)",
            "description": "Le quiz noté, lancé depuis l'ENT.",
            "launch_url": "https://quiz.example.org/lti/launch",
        }
    ]


def test_the_licence_may_be_given_as_a_deed_url_alone(tmp_path, northfield, staff):
    package = course_cartridge(
        tmp_path / "orbites.imscc", rights="https://creativecommons.org/licenses/by-nc/4.0/"
    )
    version = deposit_package(package=package, institution=northfield, by=staff)
    assert version.licence == "CC-BY-NC-4.0"


def test_a_cartridge_of_external_links_only_is_refused(tmp_path, northfield, staff, blob_folder):
    package = course_cartridge(tmp_path / "liens.imscc", with_web=False)
    with pytest.raises(PackageRefused) as refused:
        deposit_package(package=package, institution=northfield, by=staff)
    message = refused.value.message
    assert "no web content" in message
    assert "imsbasiclti_xmlv1p0, imswl_xmlv1p1" in message
    assert "nothing was stored" in message
    assert_nothing_stored(blob_folder)


def test_a_cartridge_missing_files_its_manifest_names_is_refused(
    tmp_path, northfield, staff, blob_folder
):
    web = course_files()
    entries = {
        "imsmanifest.xml": cartridge_manifest(web),
        "links/carte.xml": WEB_LINK,
        **{p: c for p, c in web.items() if p != "web_resources/js/worker.js"},
    }
    package = write_cartridge(tmp_path / "incomplet.imscc", entries)
    with pytest.raises(PackageRefused) as refused:
        deposit_package(package=package, institution=northfield, by=staff)
    message = refused.value.message
    assert "names 2 file(s) the cartridge does not have" in message
    assert "lti/quiz.xml (resource r-lti)" in message
    assert "web_resources/js/worker.js (resource r-web)" in message
    assert_nothing_stored(blob_folder)


def test_a_cartridge_without_a_licence_is_refused(tmp_path, northfield, staff, blob_folder):
    package = course_cartridge(tmp_path / "sans-licence.imscc", rights=None)
    with pytest.raises(PackageRefused) as refused:
        deposit_package(package=package, institution=northfield, by=staff)
    message = refused.value.message
    assert "imsmanifest.xml does not say under which licence" in message
    assert "LOM rights of a SCORM or Common Cartridge manifest" in message
    assert_nothing_stored(blob_folder)


@pytest.mark.parametrize(
    ("manifest", "complaint"),
    [
        (
            b"<manifest xmlns='http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1'><metadata>",
            "imsmanifest.xml is not well-formed XML",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE manifest [<!ENTITY secret SYSTEM '
            b'"file:///etc/passwd">]><manifest xmlns="http://www.imsglobal.org/xsd/imsccv1p1/'
            b'imscp_v1p1"><metadata><schema>&secret;</schema></metadata></manifest>',
            "The cartridge has no web content",
        ),
    ],
    ids=["truncated", "external-entity"],
)
def test_unparseable_or_hostile_xml_is_refused(
    tmp_path, northfield, staff, blob_folder, manifest, complaint
):
    web = course_files()
    package = write_cartridge(tmp_path / "casse.imscc", {"imsmanifest.xml": manifest, **web})
    with pytest.raises(PackageRefused) as refused:
        deposit_package(package=package, institution=northfield, by=staff)
    assert refused.value.message.startswith(complaint)
    assert "root:" not in refused.value.message  # the entity was never read
    assert_nothing_stored(blob_folder)


def test_a_broken_lti_descriptor_is_refused_by_name(tmp_path, northfield, staff, blob_folder):
    web = course_files()
    entries = {
        "imsmanifest.xml": cartridge_manifest(web),
        "links/carte.xml": WEB_LINK,
        "lti/quiz.xml": LTI_LINK[:200],
        **web,
    }
    package = write_cartridge(tmp_path / "lti-casse.imscc", entries)
    with pytest.raises(PackageRefused) as refused:
        deposit_package(package=package, institution=northfield, by=staff)
    assert refused.value.message.startswith("lti/quiz.xml is not well-formed XML")
    assert_nothing_stored(blob_folder)


def test_the_deposit_form_takes_a_cartridge_and_shows_a_refusal(
    client, tmp_path, northfield, staff
):
    client.force_login(staff)
    with course_cartridge(tmp_path / "liens.imscc", with_web=False).open("rb") as upload:
        refused = client.post(reverse("deposit"), {"institution": northfield.pk, "package": upload})
    assert refused.status_code == 200
    assert "The cartridge has no web content to deposit" in refused.content.decode()
    assert Version.objects.count() == 0

    with course_cartridge(tmp_path / "orbites.imscc").open("rb") as upload:
        response = client.post(
            reverse("deposit"), {"institution": northfield.pk, "package": upload}
        )
    version = Version.objects.get()
    assert response.status_code == 302
    assert response["Location"] == version.get_absolute_url()
    page = client.get(version.get_absolute_url()).content.decode()
    assert "Orbites : un cours" in page


def test_bulk_import_takes_imscc_files(tmp_path, northfield, staff):
    folder = tmp_path / "authority"
    folder.mkdir()
    course_cartridge(folder / "orbites.imscc")
    report = import_folder(folder, institution=northfield, by=staff)
    [outcome] = report.outcomes
    assert (outcome.name, outcome.status) == ("orbites.imscc", DEPOSITED), outcome
    assert Version.objects.get().resource.title == "Orbites : un cours"
    # A re-run finds the cartridge's tool already there and deposits nothing.
    [again] = import_folder(folder, institution=northfield, by=staff).outcomes
    assert again.status == DUPLICATE, again
    assert Version.objects.count() == 1


def test_round_trip_through_our_own_export(client, tmp_path, southbank, northfield, staff):
    files = features_tool_files()
    resource = ResourceFactory.create(
        institution=southbank,
        slug="atelier",
        title="Atelier des mots",
        summary="Des mots en français, en allemand et en chinois.",
        language="fr",
    )
    authors = ["Zoë Ångström", "Mensah, Kofi; Ph.D."]  # vCard escapes , and ; in the export
    source = stored_version(
        files,
        resource=resource,
        licence="CC-BY-SA-4.0",
        authors=authors,
        manifest=features_manifest(license="CC-BY-SA-4.0", authors=authors),
    )
    response = client.get(f"{source.get_absolute_url()}cartridge.imscc")
    assert response.status_code == 200
    exported = tmp_path / "atelier.imscc"
    exported.write_bytes(b"".join(response.streaming_content))
    with zipfile.ZipFile(io.BytesIO(exported.read_bytes())) as archive:
        assert "imsmanifest.xml" in archive.namelist()

    copy = deposit_package(package=exported, institution=northfield, by=staff)

    stored = {f.path: blobs.read_blob(f.blob_id) for f in copy.files.all()}
    attribution = stored.pop("ATTRIBUTION.txt").decode()  # what the export adds
    assert "Atelier des mots" in attribution
    assert stored == files
    assert copy.entry_point == source.entry_point
    assert copy.resource.title == "Atelier des mots"
    assert copy.licence == source.licence
    assert [a["name"] for a in copy.manifest["authors"]] == authors
    assert (
        copy.manifest["description"]
        == "Des mots en français, en allemand et en chinois: élève, Straße, 中文."
    )
    assert copy.manifest["package"]["format"] == "common-cartridge"
    # Once stored it is a plain tool: validation's package and licence steps pass on its tree.
    for step in (check_package, check_licence):
        outcome = step(copy)
        assert outcome.status == "passed", (step.__name__, outcome.messages)
