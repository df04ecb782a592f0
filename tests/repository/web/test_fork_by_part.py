"""The fork page licenses the forker's changes to each part when the source mixes licences."""

from repository.models import Version
from tests.repository.actions.test_fork_part_licences import gpl_tool
from tests.repository.web.pages import version_url


def test_the_fork_form_offers_a_licence_per_part_and_records_it(
    client, northfield, outsider, southbank
):
    source = gpl_tool(northfield)
    client.force_login(outsider)
    page = client.get(version_url(source, "version_fork")).content.decode()
    assert "Licence of your changes to the code" in page
    assert "Licence of your changes to the content" in page
    assert "Why not others?" in page.split('id="by-part"', 1)[1]  # each part explains its gaps
    response = client.post(
        version_url(source, "version_fork"),
        {
            "institution": southbank.pk,
            "licence": "GPL-3.0-only",
            "code_licence": "",  # left to the fork's licence
            "content_licence": "CC-BY-SA-4.0",
        },
    )
    fork = Version.objects.get(resource__institution=southbank)
    assert response["Location"] == fork.get_absolute_url()
    assert fork.manifest["part_licences"] == {"content": "CC-BY-SA-4.0"}
    # The fork's page says so, beside the licence of the whole.
    shown = client.get(fork.get_absolute_url()).content.decode()
    by_part = shown.split('id="part-licences"', 1)[1].split("</p>", 1)[0]
    assert "the content (text, images, sound) under" in by_part and "CC BY-SA 4.0" in by_part


def test_a_part_licence_the_part_does_not_allow_is_refused_on_the_page(
    client, northfield, outsider, southbank
):
    source = gpl_tool(northfield)
    client.force_login(outsider)
    response = client.post(
        version_url(source, "version_fork"),
        {"institution": southbank.pk, "licence": "GPL-3.0-only", "content_licence": "MIT"},
    )
    # MIT is not among the content's choices: the form says so and nothing is made.
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Version.objects.filter(resource__institution=southbank).exists()
