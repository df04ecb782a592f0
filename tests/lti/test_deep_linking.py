"""Deep Linking as the tool store: the picker, and a signed response the platform library accepts."""

import html
import re

import pytest
import requests

from repository.models import CollectionItem, LtiLaunchState
from repository.validation import origins
from tests.factories import stored_version
from tests.lti.conftest import TOOL_FILES, launch
from tests.lti.platform import INSTRUCTOR, Placement

pytestmark = pytest.mark.django_db(transaction=True)


def open_picker(lms, session: requests.Session, **fields) -> requests.Response:
    lms.place(
        Placement(
            name="add-activity",
            url=f"{lms.tool}/lti/deep-link/",
            deep_linking=True,
            roles=[INSTRUCTOR],
            user="teacher-1",
            **fields,
        )
    )
    return launch(session, lms, "add-activity")


def hand_back(session: requests.Session, page: requests.Response) -> requests.Response:
    """What the return page's script does: post the signed JWT to the platform's return URL."""
    form = re.search(r'<form method="post" action="([^"]+)" id="lti-deep-link-return"', page.text)
    token = re.search(r'name="JWT" value="([^"]+)"', page.text)
    assert form and token, page.text
    action = html.unescape(form.group(1))
    return session.post(action, data={"JWT": token.group(1)}, timeout=30)


def test_teacher_picks_versions_and_the_platform_verifies_the_signed_response(
    lms, registered, published, northfield
):
    scenario = stored_version(
        {"scenario.json": b"{}"},
        resource__institution=northfield,
        resource__title="Solar Hill",
        resource__kind="scenario",
    )
    session = requests.Session()
    picker = open_picker(lms, session)
    assert picker.status_code == 200, picker.text
    assert "/lti/pick/" in picker.url
    assert "Wave Lab v1" in picker.text and "Solar Hill v1" in picker.text
    assert "CC BY 4.0" in picker.text  # the licence in plain words
    assert origins.url_of(published) in picker.text  # try it
    found = session.get(picker.url, params={"q": "wave"}, timeout=30)
    assert "Wave Lab" in found.text and "Solar Hill" not in found.text
    answer = session.post(picker.url, data={"version": [published.pk, scenario.pk]}, timeout=30)
    assert answer.status_code == 200, answer.text
    assert f"form-action http://localhost:{lms.port}" in answer.headers["Content-Security-Policy"]
    returned = hand_back(session, answer)
    assert returned.status_code == 200, returned.text
    assert not lms.deep_link_errors
    items = lms.deep_link_items
    assert [i["title"] for i in items] == ["Wave Lab (v1)", "Solar Hill (v1)"]
    first = items[0]
    assert first["type"] == "ltiResourceLink"
    assert first["url"] == f"{lms.tool}/lti/versions/{published.pk}/"
    assert first["custom"] == {"remixbank_version": str(published.pk)}
    assert "Zoë Ångström" in first["text"] and "CC BY 4.0" in first["text"]
    # The picker answers once: its launch is gone.
    assert session.post(picker.url, data={"version": [published.pk]}, timeout=30).status_code == 400
    assert not LtiLaunchState.objects.filter(key__startswith="lti1p3-launch-").exists()
    # A learner launched from the new link sees the pinned version.
    lms.place(Placement(name="from-store", url=first["url"], custom=first["custom"]))
    page = launch(requests.Session(), lms, "from-store")
    assert page.status_code == 200 and origins.url_of(published) in page.text


def test_a_collection_returns_its_works(lms, registered, published, northfield):
    other = stored_version(
        TOOL_FILES, resource__institution=northfield, resource__title="Optics Bench"
    )
    bundle = stored_version(
        {"README.md": b"A unit"}, resource__institution=northfield, resource__title="Waves Unit"
    )
    CollectionItem.objects.create(collection=bundle, item=published, folder="wave-lab")
    CollectionItem.objects.create(collection=bundle, item=other, folder="optics-bench")
    session = requests.Session()
    picker = open_picker(lms, session)
    assert "a collection: adds each of its works" in picker.text
    hand_back(session, session.post(picker.url, data={"version": [bundle.pk]}, timeout=30))
    assert [i["custom"]["remixbank_version"] for i in lms.deep_link_items] == [
        str(other.pk),
        str(published.pk),
    ]


def test_picking_nothing_says_what_to_do_and_keeps_the_picker(lms, registered, published):
    session = requests.Session()
    picker = open_picker(lms, session)
    again = session.post(picker.url, data={}, timeout=30)
    assert again.status_code == 400 and "Choose at least one" in again.text
    assert not lms.deep_link_items
    answer = session.post(picker.url, data={"version": [published.pk]}, timeout=30)
    assert answer.status_code == 200


def test_the_picker_filters_by_facet_and_by_what_may_be_combined(lms, registered, northfield):
    stored_version(
        TOOL_FILES,
        resource__institution=northfield,
        resource__title="Wave Lab",
        resource__subjects=["Physics"],
        resource__level="secondary",
        licence="CC-BY-4.0",
    )
    stored_version(
        TOOL_FILES,
        resource__institution=northfield,
        resource__title="Kräfte Explorer",
        resource__subjects=["Physics"],
        resource__level="university",
        licence="CC-BY-NC-4.0",
    )
    stored_version(
        {"scenario.json": b"{}"},
        resource__institution=northfield,
        resource__title="Solar Hill",
        resource__kind="scenario",
        resource__subjects=["Geography"],
        licence="CC-BY-SA-4.0",
    )
    stored_version(
        TOOL_FILES,
        resource__institution=northfield,
        resource__title="Unpublished Draft",
        state="passed",
        licence="CC-BY-4.0",
    )
    session = requests.Session()
    picker = open_picker(lms, session)
    facets = re.search(r'<nav class="facets".*?</nav>', picker.text, re.S)
    assert facets, picker.text
    assert 'Physics <span class="count">(2)</span>' in facets.group(0)
    assert 'Simulation scenario <span class="count">(1)</span>' in facets.group(0)
    assert "Unpublished Draft" not in picker.text
    level = session.get(picker.url, params={"level": "university"}, timeout=30)
    assert "Kräfte Explorer" in level.text and "Wave Lab" not in level.text
    # NC and SA cannot be combined (no licence may carry both); BY goes with either.
    combinable = session.get(picker.url, params={"combine": "CC-BY-SA-4.0"}, timeout=30)
    assert "Solar Hill" in combinable.text and "Wave Lab" in combinable.text
    assert "Kräfte Explorer" not in combinable.text
    assert "CC BY-SA 4.0</strong> in a remix" in combinable.text
    # Each card links to the same search narrowed to what may be combined with it.
    assert '?combine=CC-BY-NC-4.0">what may I combine with this?' in picker.text
