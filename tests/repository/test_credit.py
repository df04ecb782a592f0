"""End to end through the web: remix across institutions, a student's merged change, credit."""

import html

import pytest

from repository.models import Contribution, Derivation, Version
from tests.factories import tool_files, validated
from tests.repository.remixing import eastgate_staff, published


@pytest.fixture
def two_tools(tmp_path, southbank, outsider, db):
    eastgate, erin = eastgate_staff()
    a = published(tmp_path, southbank, outsider, title="Pendulum", license="CC-BY-4.0")
    b = published(
        tmp_path,
        eastgate,
        erin,
        title="Graphs",
        license="CC-BY-4.0",
        files=tool_files(**{"plot.js": b"// plot"}),
    )
    return a, b


def test_remix_then_student_contribution_then_lineage_and_credit(
    client, two_tools, staff, student, northfield
):
    a, b = two_tools
    client.force_login(staff)
    url = f"/remix/?sources={a.pk},{b.pk}"
    page = client.get(url)
    assert page.status_code == 200 and b"Pendulum" in page.content
    response = client.post(
        url,
        {
            "mode": "remix",
            "institution": northfield.pk,
            "title": "Pendulum graphs",
            "licence": "",
            "kind": "tool",
            "entry_point": "index.html",
            "pick_0": ["index.html", "app.js"],
            "to_0": "",
            "pick_1": ["plot.js"],
            "to_1": "lib/",
        },
    )
    remix = Version.objects.get(resource__title="Pendulum graphs")
    assert response.status_code == 302 and response["Location"] == remix.get_absolute_url()
    validated(remix.pk)
    client.post(f"/i/northfield/{remix.resource.slug}/v1/publish/")
    remix.refresh_from_db()
    assert remix.state == "published"

    client.force_login(student)
    response = client.post(
        f"/i/northfield/{remix.resource.slug}/v1/contribute/",
        {
            "description": "Label the axes",
            "path": "lib/plot.js",
            "content": "// plot with labels\n",
        },
    )
    proposal = Contribution.objects.get()
    assert response["Location"] == proposal.get_absolute_url()

    client.force_login(staff)
    assert b"Label the axes" in client.get(proposal.get_absolute_url()).content
    response = client.post(proposal.get_absolute_url(), {"action": "approve", "body": "Nice"})
    merged = Version.objects.get(resource=remix.resource, number=2)
    assert response["Location"] == merged.get_absolute_url()
    validated(merged.pk)
    merged.refresh_from_db()
    assert merged.state == "published" and merged.contributors == ["Charlie"]
    assert Derivation.objects.get(child=merged, kind="merge").parent == remix

    page = html.unescape(client.get(merged.get_absolute_url()).content.decode())
    assert "Contributors: Charlie" in page
    assert '"Pendulum"' in page and '"Graphs"' in page  # attribution walks the chain
    lineage = client.get(f"/i/northfield/{remix.resource.slug}/v1/lineage.json").json()
    assert {e["kind"] for e in lineage["edges"]} == {"remix", "merge"}
    assert "Remixed 1 time by 1 institution" in client.get(a.get_absolute_url()).content.decode()

    person = client.get(f"/people/{student.pk}/").content.decode()
    assert "Pendulum graphs v2" in person and "Label the axes" in person


def test_refusals_show_a_message_and_change_nothing(
    client, tmp_path, two_tools, staff, northfield, outsider
):
    a, _ = two_tools
    nd = published(tmp_path, a.resource.institution, outsider, title="Quiz", license="CC-BY-ND-4.0")
    client.force_login(staff)
    url = f"/remix/?sources={a.pk},{nd.pk}"
    assert b"cannot be adapted" in client.get(url).content
    response = client.post(
        url,
        {
            "mode": "remix",
            "institution": northfield.pk,
            "title": "X",
            "licence": "",
            "kind": "tool",
            "entry_point": "index.html",
            "pick_0": ["index.html"],
            "pick_1": ["app.js"],
        },
        follow=True,
    )
    assert b"Quiz" in response.content
    assert not Version.objects.filter(resource__institution=northfield).exists()
    client.force_login(outsider)
    response = client.post(f"/i/northfield/{a.resource.slug}/v1/contribute/", {"description": "x"})
    assert response.status_code == 404 or not Contribution.objects.exists()
