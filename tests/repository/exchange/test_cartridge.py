"""Common Cartridge 1.3 export: the manifest's structure, LOM and licence, and every file present."""

import io
import zipfile

from django.urls import reverse
from lxml import etree

from repository.models import Version
from repository.storage import blobs

CP = "http://www.imsglobal.org/xsd/imsccv1p3/imscp_v1p1"
NS = {
    "cp": CP,
    "lomimscc": "http://ltsc.ieee.org/xsd/imsccv1p3/LOM/manifest",
    "lom": "http://ltsc.ieee.org/xsd/imsccv1p3/LOM/resource",
}


def download(client, url: str) -> zipfile.ZipFile:
    response = client.get(url)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def manifest_of(archive: zipfile.ZipFile):
    return etree.fromstring(archive.read("imsmanifest.xml"))


def check_structure(archive: zipfile.ZipFile, root) -> None:
    """What an importer relies on: CC 1.3 declared, items point at resources, files exist."""
    assert root.tag == f"{{{CP}}}manifest"
    assert root.findtext("cp:metadata/cp:schema", namespaces=NS) == "IMS Common Cartridge"
    assert root.findtext("cp:metadata/cp:schemaversion", namespaces=NS) == "1.3.0"
    [organization] = root.iterfind("cp:organizations/cp:organization", NS)
    assert organization.get("structure") == "rooted-hierarchy"
    resources = {r.get("identifier"): r for r in root.iterfind("cp:resources/cp:resource", NS)}
    references = organization.xpath(".//cp:item/@identifierref", namespaces=NS)
    assert references and set(references) <= set(resources)
    identifiers = root.xpath("//@identifier")
    assert len(identifiers) == len(set(identifiers))
    names = set(archive.namelist())
    for resource in resources.values():
        hrefs = resource.xpath("cp:file/@href", namespaces=NS)
        assert set(hrefs) <= names
        if resource.get("type") == "webcontent":
            assert resource.get("href") in hrefs


def test_a_version_exports_its_files_attribution_lom_and_licence(client, catalogue):
    version = catalogue.fork
    archive = download(client, f"{version.get_absolute_url()}cartridge.imscc")
    root = manifest_of(archive)
    check_structure(archive, root)
    lom = root.find("cp:metadata/lomimscc:lom", NS)
    assert (
        lom.findtext("lomimscc:general/lomimscc:title/lomimscc:string", namespaces=NS) == "Tally v1"
    )
    rights = lom.findtext("lomimscc:rights/lomimscc:description/lomimscc:string", namespaces=NS)
    assert "CC BY-SA 4.0 (https://creativecommons.org/licenses/by-sa/4.0/)" in rights
    assert (
        lom.findtext(
            "lomimscc:rights/lomimscc:copyrightAndOtherRestrictions/lomimscc:value", namespaces=NS
        )
        == "yes"
    )
    entities = lom.xpath(
        "lomimscc:lifeCycle/lomimscc:contribute/lomimscc:entity/text()", namespaces=NS
    )
    assert ["FN:Ada Lovelace" in e for e in entities] == [True, False]
    [web] = root.iterfind("cp:resources/cp:resource[@type='webcontent']", NS)
    folder = "works/southbank-tally-v1"
    assert web.get("href") == f"{folder}/index.html"
    for stored in version.files.all():
        assert archive.read(f"{folder}/{stored.path}") == blobs.read_blob(stored.blob_id)
    attribution = archive.read(f"{folder}/ATTRIBUTION.txt").decode()
    assert "Counter" in attribution and "CC BY-SA 4.0" in attribution
    # Non-ASCII file content comes through byte for byte.
    assert "Crédits".encode() in archive.read(f"{folder}/credits.html")


def test_a_collection_exports_each_work_with_its_own_licence(client, catalogue):
    archive = download(client, "/i/northfield/maths-box/cartridge.imscc")
    root = manifest_of(archive)
    check_structure(archive, root)
    titles = root.xpath(
        "//cp:organization//cp:item[starts-with(@identifierref, 'web-')]/cp:title/text()",
        namespaces=NS,
    )
    assert titles == ["Counter v2", "Solar tracker v1"]
    webs = root.xpath("//cp:resource[@type='webcontent']/@href", namespaces=NS)
    assert webs == [
        "works/northfield-counter-v2/index.html",
        "works/northfield-solar-tracker-v1/index.html",
    ]
    licences = root.xpath(
        "//cp:resource/cp:metadata/lom:lom/lom:rights/lom:description/lom:string/text()",
        namespaces=NS,
    )
    assert licences == [
        "Counter v2: CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)",
        "Solar tracker v1: CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)",
    ]
    assert "works/northfield-counter-v2/ATTRIBUTION.txt" in archive.namelist()


def test_a_withdrawn_version_is_not_exported_and_the_answer_says_why(client, catalogue):
    response = client.get(f"{catalogue.withdrawn.get_absolute_url()}cartridge.imscc")
    assert response.status_code == 409
    assert "Only published versions are exported" in response.content.decode()
    assert "withdrawn" in response.content.decode()


def test_a_draft_is_not_found_for_the_public(client, catalogue):
    assert catalogue.draft.state == Version.State.PASSED
    assert client.get(f"{catalogue.draft.get_absolute_url()}cartridge.imscc").status_code == 404
    assert client.get("/i/northfield/draft/cartridge.imscc").status_code == 404


def test_the_version_page_offers_the_cartridge(client, catalogue):
    page = client.get(catalogue.tool_v2.get_absolute_url()).content.decode()
    assert f'href="{catalogue.tool_v2.get_absolute_url()}cartridge.imscc"' in page


def test_each_work_gets_an_lti_link_to_the_sites_lti_launch_of_that_version(client, catalogue):
    archive = download(client, "/i/northfield/maths-box/cartridge.imscc")
    root = manifest_of(archive)
    check_structure(archive, root)
    links = root.xpath("//cp:resource[@type='imsbasiclti_xmlv1p0']/cp:file/@href", namespaces=NS)
    assert links == [f"lti/{catalogue.tool_v2.pk}.xml", f"lti/{catalogue.scenario.pk}.xml"]
    link = etree.fromstring(archive.read(links[0]))
    blti = {"blti": "http://www.imsglobal.org/xsd/imsbasiclti_v1p0"}
    assert link.findtext("blti:title", namespaces=blti) == "Counter v2"
    launch = link.findtext("blti:launch_url", namespaces=blti)
    assert (
        launch
        == f"http://127.0.0.1:8000{reverse('lti_target_version', args=[catalogue.tool_v2.pk])}"
    )
    items = root.xpath(
        "//cp:item[starts-with(@identifierref, 'lti-')]/cp:title/text()", namespaces=NS
    )
    assert items == ["Counter v2 (LTI launch)", "Solar tracker v1 (LTI launch)"]
