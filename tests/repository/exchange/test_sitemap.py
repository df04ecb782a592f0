"""/sitemap.xml: an index of the published resources' and versions' pages, nothing else."""

from lxml import etree

SITEMAP = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def locations(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    return etree.fromstring(response.content).xpath("//s:loc/text()", namespaces=SITEMAP)


def test_sitemap_lists_published_resources_and_versions_only(client, catalogue):
    sections = locations(client, "/sitemap.xml")
    assert sections == [
        "http://testserver/sitemap-resources.xml",
        "http://testserver/sitemap-versions.xml",
    ]
    resources = locations(client, "/sitemap-resources.xml")
    assert resources == [
        "http://testserver/i/northfield/counter/",
        "http://testserver/i/southbank/tally/",
        "http://testserver/i/northfield/solar-tracker/",
        "http://testserver/i/northfield/maths-box/",
    ]
    versions = locations(client, "/sitemap-versions.xml")
    assert versions == [
        f"http://testserver{v.get_absolute_url()}"
        for v in catalogue.public
        if v != catalogue.withdrawn
    ]
    assert not any("draft" in url or "old-quiz" in url for url in resources + versions)


def test_sitemap_versions_carry_their_publication_date(client, catalogue):
    response = client.get("/sitemap-versions.xml")
    root = etree.fromstring(response.content)
    first = root.find("s:url", SITEMAP)
    assert (
        first.findtext("s:lastmod", namespaces=SITEMAP)
        == catalogue.tool_v1.published_at.date().isoformat()
    )
