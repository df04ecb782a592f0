"""Per-part licence choices through the API: GET /licences/adaptations/by-part/ and forks with them."""

from repository.models import Version
from tests.repository.actions.test_fork_part_licences import gpl_tool
from tests.repository.api.conftest import bearer


def test_the_choices_by_part_say_what_each_part_allows_and_why_not_the_rest(api, northfield):
    source = gpl_tool(northfield)
    response = api.get(f"/api/v1/licences/adaptations/by-part/?version={source.pk}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["versions"] == [source.pk] and body["is_mixed"] is True
    assert body["whole"]["recommended"] == "GPL-3.0-only"
    code, content = body["parts"]
    assert (code["part"], code["sources"]) == ("code", ["GPL-3.0-only"])
    assert {o["licence"]["id"] for o in code["options"]} == {"GPL-3.0-only", "AGPL-3.0-only"}
    refused_code = {lic: group["reason"] for group in code["refused"] for lic in group["licences"]}
    assert "copyleft code never becomes permissive" in refused_code["MIT"]
    assert set(refused_code) >= {"MIT", "Apache-2.0", "GPL-2.0-only", "LGPL-3.0-only"}
    assert (content["part"], content["sources"]) == ("content", ["CC-BY-SA-4.0"])
    assert content["recommended"] == "CC-BY-SA-4.0"
    assert "GPL-3.0-only" in {o["licence"]["id"] for o in content["options"]}
    refused_content = {lic for group in content["refused"] for lic in group["licences"]}
    assert {"CC-BY-4.0", "CC-BY-NC-SA-4.0"} <= refused_content
    assert all(group["reason"] for group in content["refused"])
    assert body["components"] == [{"name": "KaTeX", "licence": "MIT"}]


def test_bad_or_hidden_versions_are_field_errors(api, northfield, draft):
    for query, says in [
        ("", "version"),
        ("?version=abc", "version"),
        ("?version=999999", "No version visible to you has the id 999999"),
        (f"?version={draft.pk}", f"No version visible to you has the id {draft.pk}"),
    ]:
        response = api.get("/api/v1/licences/adaptations/by-part/" + query)
        assert response.status_code == 400, query
        assert says in str(response.json()["error"]["fields"]), query


def test_the_endpoint_is_in_the_schema_under_the_read_scope(client, db):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operation = schema["paths"]["/api/v1/licences/adaptations/by-part/"]["get"]
    assert {"oauth2": ["read"]} in operation["security"]
    assert "by part" in operation["description"]
    fork = schema["components"]["schemas"]["ForkInRequest"]["properties"]
    assert "part_licences" in fork


def fork(api, make_token, outsider, source, **data):
    return api.post(
        f"/api/v1/versions/{source.pk}/forks/",
        {"licence": "GPL-3.0-only", **data},
        format="json",
        **bearer(make_token(outsider, "deposit")),
    )


def test_a_fork_through_the_api_records_its_part_licences(api, make_token, outsider, northfield):
    source = gpl_tool(northfield)
    response = fork(api, make_token, outsider, source, part_licences={"content": "CC-BY-SA-4.0"})
    assert response.status_code == 201, response.content
    made = Version.objects.get(pk=response.json()["version"]["id"])
    assert made.manifest["part_licences"] == {"content": "CC-BY-SA-4.0"}


def test_bad_part_licences_through_the_api_say_what_to_fix_and_make_nothing(
    api, make_token, outsider, northfield
):
    source = gpl_tool(northfield)
    before = Version.objects.count()
    misspelt = fork(api, make_token, outsider, source, part_licences={"code": "GPL v3"})
    assert misspelt.status_code == 400
    assert "part_licences" in misspelt.json()["error"]["fields"]
    assert "not a licence Remixbank knows" in str(misspelt.json()["error"]["fields"])
    no_part = fork(api, make_token, outsider, source, part_licences={"sounds": "CC0-1.0"})
    assert no_part.status_code == 400
    assert "'sounds' is not one" in str(no_part.json()["error"]["fields"])
    refused = fork(api, make_token, outsider, source, part_licences={"code": "MIT"})
    assert refused.status_code == 409
    assert "copyleft code never becomes permissive" in refused.json()["error"]["message"]
    assert Version.objects.count() == before
