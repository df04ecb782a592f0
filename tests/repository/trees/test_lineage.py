"""Lineage: one recursive query up and down the derivation DAG, JSON and an accessible SVG."""

import pytest

from repository.actions.forks import fork_version
from repository.actions.remixes import Pick, remix_versions
from repository.trees.lineage import ancestors, descendants, lineage_graph, lineage_svg
from tests.repository.remixing import eastgate_staff, published, validated


@pytest.fixture
def family(tmp_path, northfield, staff, southbank, outsider):
    eastgate, erin = eastgate_staff()
    a = published(tmp_path, northfield, staff, title="Root", license="CC-BY-4.0")
    b = validated(fork_version(a, into=southbank, by=outsider))
    b.publish()
    c = validated(fork_version(a, into=eastgate, by=erin))
    c.publish()
    d = remix_versions(
        picks=[Pick(b, "", "b/"), Pick(c, "", "c/")],
        into=northfield,
        by=staff,
        title="Both",
        entry_point="b/index.html",
    )
    return a, b, c, d


def test_ancestors_and_descendants_walk_the_dag(family, django_assert_num_queries):
    a, b, c, d = family
    with django_assert_num_queries(1):
        assert descendants(a) == {b.pk, c.pk, d.pk}
    assert ancestors(d) == {a.pk, b.pk, c.pk}
    assert ancestors(a) == set() and descendants(d) == set()


def test_graph_json_counts_and_hides_drafts(family, staff, outsider, client):
    a, b, c, d = family
    graph = lineage_graph(a, user=staff)
    assert {n["id"] for n in graph["nodes"]} == {a.pk, b.pk, c.pk, d.pk}
    assert {(e["child"], e["parent"], e["kind"]) for e in graph["edges"]} >= {
        (b.pk, a.pk, "fork"),
        (d.pk, b.pk, "remix"),
    }
    assert graph["counts"]["summary"] == "Forked 2 times and remixed 1 time by 3 institutions."
    # d is an unpublished Northfield draft: an outsider does not see it.
    assert lineage_graph(a, user=outsider)["hidden"] == 1
    response = client.get(f"/i/northfield/{a.resource.slug}/v1/lineage.json")
    assert response.status_code == 200 and response.json()["hidden"] == 1


def test_svg_is_accessible_and_tells_institutions_apart(family, staff, client):
    a, *_ = family
    svg = lineage_svg(lineage_graph(a, user=staff))
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    for name in ("Northfield University", "Southbank College", "Eastgate Institute"):
        assert name in svg
    assert "style=" not in svg  # the CSP forbids inline styles
    client.force_login(staff)
    page = client.get(f"/i/northfield/{a.resource.slug}/v1/lineage/")
    assert page.status_code == 200 and b"<svg" in page.content


def test_svg_keeps_its_legend_inside_and_long_titles_in_their_boxes(family, staff):
    import re

    from repository.models import Resource
    from repository.trees.lineage import LEGEND_W, NODE_W, PAD

    root, *_ = family
    Resource.objects.filter(pk=root.resource_id).update(
        title="A very long title for a learning tool about the sun"
    )
    root.refresh_from_db()
    svg = lineage_svg(lineage_graph(root, user=staff))
    found = re.search(r'<svg[^>]* width="(\d+)"', svg)
    assert found is not None
    width = int(found.group(1))
    assert width >= PAD * 2 + LEGEND_W
    merge_label_x = max(int(x) for x in re.findall(r'<text x="(\d+)"[^>]*>merge</text>', svg))
    assert merge_label_x + 40 <= width  # "merge" at 12 px fits inside
    # The full title is kept for hover; the box shows a shortened one that fits its width.
    assert "A very long title for a learning tool about the sun v1" in svg
    shown = re.findall(r'font-weight="bold">([^<]*)</text>', svg)
    assert shown and all(len(label) * 8 <= NODE_W - 14 for label in shown)
