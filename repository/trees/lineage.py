"""Lineage: ancestors and descendants of a version through Derivation edges, as data and SVG.

One recursive query (`LINEAGE_SQL`) walks the derivation table up and down from a version. It
is plain SQL that PostgreSQL and SQLite both run: UNION (not UNION ALL) drops repeated edges, so
a node reached by several paths of a DAG is expanded once, and no cycle can loop (edges form a
DAG anyway: a version's parents exist before it). The LIMIT sits outside each recursive part,
so PostgreSQL stops walking once enough rows are read: a recursive walk costs about 1 µs per
row visited (some 0.1 s for 10⁵ descendants on a million-version DAG), so interactive reads are
bounded in rows and paginated after the CTE, never inside a join with it. The edges' index on
child (the unique (child, parent) constraint) and the foreign-key index on parent serve both
directions.
"""

from __future__ import annotations

import html
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from repository.models import CollectionItem, Derivation, Version

DEFAULT_LIMIT = 500

LINEAGE_SQL = """
WITH RECURSIVE
  up(child_id, parent_id, kind) AS (
    SELECT child_id, parent_id, kind FROM {table} WHERE child_id = %s
    UNION
    SELECT d.child_id, d.parent_id, d.kind FROM {table} d JOIN up ON d.child_id = up.parent_id
  ),
  down(child_id, parent_id, kind) AS (
    SELECT child_id, parent_id, kind FROM {table} WHERE parent_id = %s
    UNION
    SELECT d.child_id, d.parent_id, d.kind FROM {table} d JOIN down ON d.parent_id = down.child_id
  )
SELECT 'up', child_id, parent_id, kind FROM (SELECT * FROM up LIMIT %s) AS a
UNION ALL
SELECT 'down', child_id, parent_id, kind FROM (SELECT * FROM down LIMIT %s) AS b
"""


@dataclass
class Edges:
    """The edges found above (`up`) and below (`down`) a version: (child, parent, kind)."""

    root: int
    up: list[tuple[int, int, str]] = field(default_factory=list)
    down: list[tuple[int, int, str]] = field(default_factory=list)
    truncated: bool = False

    @property
    def ancestors(self) -> set[int]:
        return {parent for _, parent, _ in self.up}

    @property
    def descendants(self) -> set[int]:
        return {child for child, _, _ in self.down}


def lineage_edges(version: Version | int, *, limit: int = DEFAULT_LIMIT) -> Edges:
    """Every derivation edge above and below `version`, at most `limit` each way, in one query."""
    pk = version if isinstance(version, int) else version.pk
    sql = LINEAGE_SQL.format(table=connection.ops.quote_name(Derivation._meta.db_table))
    found = Edges(pk)
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk, pk, limit + 1, limit + 1])
        for direction, child, parent, kind in cursor.fetchall():
            (found.up if direction == "up" else found.down).append((child, parent, kind))
    for side in (found.up, found.down):
        if len(side) > limit:
            found.truncated = True
            del side[limit:]
    return found


def ancestors(version: Version | int, *, limit: int = DEFAULT_LIMIT) -> set[int]:
    """Ids of every version `version` was made from, directly or not."""
    return lineage_edges(version, limit=limit).ancestors


def descendants(version: Version | int, *, limit: int = DEFAULT_LIMIT) -> set[int]:
    """Ids of every version made from `version`, directly or not."""
    return lineage_edges(version, limit=limit).descendants


def depths(root: int, edges: Edges) -> dict[int, int]:
    """Generation of each node relative to `root`: ancestors negative, descendants positive."""
    depth = {root: 0}
    for side, sign in ((edges.up, -1), (edges.down, 1)):
        step: dict[int, list[int]] = {}
        for child, parent, _ in side:
            a, b = (child, parent) if sign < 0 else (parent, child)
            step.setdefault(a, []).append(b)
        queue = deque([root])
        while queue:
            node = queue.popleft()
            for nxt in step.get(node, []):
                if nxt not in depth:
                    depth[nxt] = depth[node] + sign
                    queue.append(nxt)
    return depth


def relatives_by_distance(
    edges: Edges, *, max_distance: int
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(version id, distance) of ancestors and of descendants within `max_distance`, nearest first."""
    found = depths(edges.root, edges)
    up = sorted((-g, pk) for pk, g in found.items() if -max_distance <= g < 0)
    down = sorted((g, pk) for pk, g in found.items() if 0 < g <= max_distance)
    return [(pk, d) for d, pk in up], [(pk, d) for d, pk in down]


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary_counts(version: Version, edges: Edges, nodes: dict[int, Version]) -> dict[str, Any]:
    """Counts for people: how often the work was forked and remixed, and by how many institutions."""
    below = [(c, k) for c, _, k in edges.down if c in nodes]
    children_by_kind = {
        kind: len({c for c, k in below if k == kind}) for kind in Derivation.Kind.values
    }
    others = {
        nodes[c].resource.institution_id
        for c, k in below
        if k != Derivation.Kind.MERGE
        and nodes[c].resource.institution_id != version.resource.institution_id
    }
    derived = {c for c, k in below if k != Derivation.Kind.MERGE}
    institutions = {nodes[c].resource.institution_id for c in derived}
    collections = CollectionItem.objects.filter(item=version).count()
    forks, remixes = children_by_kind["fork"], children_by_kind["remix"]
    parts = []
    if forks:
        parts.append(f"forked {plural(forks, 'time')}")
    if remixes:
        parts.append(f"remixed {plural(remixes, 'time')}")
    sentence = " and ".join(parts)
    if sentence:
        sentence += f" by {plural(len(institutions), 'institution')}"
    if collections:
        sentence += ("; " if sentence else "") + f"in {plural(collections, 'collection')}"
    return {
        "ancestors": len({p for _, p, _ in edges.up if p in nodes}),
        "descendants": len({c for c, _ in below}),
        "forks": forks,
        "remixes": remixes,
        "merges": children_by_kind["merge"],
        "institutions": len(institutions),
        "other_institutions": len(others),
        "collections": collections,
        "summary": (sentence[0].upper() + sentence[1:] + ".")
        if sentence
        else "Not yet forked or remixed.",
    }


COLLECTION = "collection"


def collection_edges(version: Version, user: object) -> list[tuple[Version, Version, int]]:
    """(collection, item, depth of the other end) for the works `version` collects and the
    collections that hold it, among versions `user` may see."""
    visible = Version.objects.visible_to(user)
    related = "resource__institution"
    held = CollectionItem.objects.filter(collection=version, item__in=visible).select_related(
        "item__" + related
    )
    holders = CollectionItem.objects.filter(item=version, collection__in=visible).select_related(
        "collection__" + related
    )
    return [(version, i.item, -1) for i in held] + [(i.collection, version, 1) for i in holders]


def lineage_graph(version: Version, *, user: object, limit: int = DEFAULT_LIMIT) -> dict[str, Any]:
    """The lineage of `version` as a JSON-able dict {root, nodes, edges, counts, truncated}.

    Only versions `user` may see are included; edges touching hidden versions are left out
    and counted in `hidden`.
    """
    from django.conf import settings

    edges = lineage_edges(version, limit=limit)
    ids = edges.ancestors | edges.descendants | {version.pk}
    nodes = {
        v.pk: v
        for v in Version.objects.visible_to(user)
        .filter(pk__in=ids)
        .select_related("resource__institution")
    }
    nodes[version.pk] = version
    depth = depths(version.pk, edges)
    all_edges = dict.fromkeys(edges.up + edges.down)
    shown = [(c, p, k) for c, p, k in all_edges if c in nodes and p in nodes]
    # A collection is no derivation (its works keep their licences), but its lineage shows the
    # works it holds, and a work's lineage the collections that hold it: one step each way.
    for c, p, d in collection_edges(version, user):
        other = c if p.pk == version.pk else p
        nodes.setdefault(other.pk, other)
        depth.setdefault(other.pk, d)
        shown.append((c.pk, p.pk, COLLECTION))
    return {
        "root": version.pk,
        "nodes": [
            {
                "id": v.pk,
                "title": v.resource.title,
                "number": v.number,
                "institution": v.resource.institution.slug,
                "institution_name": v.resource.institution.name,
                "licence": v.licence,
                "state": v.state,
                "url": settings.SITE_URL + v.get_absolute_url(),
                "depth": depth.get(v.pk, 0),
            }
            for v in sorted(nodes.values(), key=lambda v: (depth.get(v.pk, 0), v.pk))
        ],
        "edges": [{"child": c, "parent": p, "kind": k} for c, p, k in shown],
        "counts": summary_counts(version, edges, nodes),
        "hidden": len(ids - nodes.keys()),
        "truncated": edges.truncated,
    }


# --- the picture ---------------------------------------------------------------------------

# Okabe-Ito colours: told apart by people with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442", "#000000"]
DASHES = {"fork": "", "remix": "6 4", "merge": "2 3", COLLECTION: "10 3 2 3"}
NODE_W, NODE_H, GAP_X, GAP_Y, PAD = 170, 46, 60, 18, 20
MAX_DRAWN = 200


#: Width of the legend's edge line (four kinds side by side, 110 units apart, and their labels).
LEGEND_W = 440


def lineage_svg(graph: dict[str, Any]) -> str:
    """Draw the graph as an accessible SVG: generations left to right, colour per institution.

    Colours come with a legend and every box names its institution in text, so colour is never
    the only cue; edges are drawn solid (fork), dashed (remix) or dotted (merge), also in the
    legend. Presentation attributes only (no style attributes), so the site's CSP allows it.
    """
    e = html.escape
    nodes = graph["nodes"][:MAX_DRAWN]
    institutions = list(dict.fromkeys((n["institution"], n["institution_name"]) for n in nodes))
    colour = {slug: PALETTE[i % len(PALETTE)] for i, (slug, _) in enumerate(institutions)}
    columns: dict[int, list[dict[str, Any]]] = {}
    for node in nodes:
        columns.setdefault(node["depth"], []).append(node)
    first = min(columns, default=0)
    pos = {}
    for d, members in columns.items():
        for row, node in enumerate(members):
            pos[node["id"]] = (
                PAD + (d - first) * (NODE_W + GAP_X),
                PAD + row * (NODE_H + GAP_Y),
            )
    # Never narrower than the legend's line of edge kinds (fork, remix, merge, collection).
    width = max(PAD * 2 + max(len(columns), 1) * (NODE_W + GAP_X), PAD * 2 + LEGEND_W)
    legend_top = PAD + max((len(m) for m in columns.values()), default=1) * (NODE_H + GAP_Y)
    height = legend_top + 24 * (len(institutions) + 4)
    root = next((n for n in nodes if n["id"] == graph["root"]), None)
    title = f"Lineage of {root['title']} v{root['number']}" if root else "Lineage"
    desc = (
        f"{len(nodes)} versions and {len(graph['edges'])} derivations. "
        f"{graph['counts']['summary']} Arrows point from a work to the work it was made from."
    )
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="lineage" role="img" '
        f'aria-labelledby="lineage-title lineage-desc" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}">',
        f'<title id="lineage-title">{e(title)}</title>',
        f'<desc id="lineage-desc">{e(desc)}</desc>',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" '
        'markerHeight="8" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="#444"/>'
        "</marker></defs>",
    ]
    for edge in graph["edges"]:
        if edge["child"] not in pos or edge["parent"] not in pos:
            continue
        cx, cy = pos[edge["child"]]
        px, py = pos[edge["parent"]]
        x1, y1 = (cx, cy + NODE_H / 2) if cx > px else (cx + NODE_W, cy + NODE_H / 2)
        x2, y2 = (px + NODE_W, py + NODE_H / 2) if cx > px else (px, py + NODE_H / 2)
        dash = DASHES.get(edge["kind"], "")
        out.append(
            f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="#444" stroke-width="1.5"'
            + (f' stroke-dasharray="{dash}"' if dash else "")
            + ' marker-end="url(#arrow)"><title>'
            + e(f"{edge['kind']}")
            + "</title></line>"
        )
    for node in nodes:
        x, y = pos[node["id"]]
        is_root = node["id"] == graph["root"]
        label = f"{node['title']} v{node['number']}"
        weight = ' font-weight="bold"' if is_root else ""
        out.append(
            f'<a href="{e(node["url"])}"><g>'
            f"<title>{e(label)}, {e(node['institution_name'])}, {e(node['licence'])}"
            f"{' (this version)' if is_root else ''}</title>"
            f'<rect x="{x}" y="{y}" width="{NODE_W}" height="{NODE_H}" rx="4" fill="#fff" '
            f'stroke="{colour[node["institution"]]}" stroke-width="{4 if is_root else 2}"/>'
            f'<rect x="{x}" y="{y}" width="8" height="{NODE_H}" fill="{colour[node["institution"]]}"/>'
            f'<text x="{x + 14}" y="{y + 19}" font-size="13" fill="#111"'
            f"{weight}>{e(shorten(label, 19 if is_root else 22))}</text>"
            f'<text x="{x + 14}" y="{y + 36}" font-size="11" fill="#333">'
            f"{e(shorten(node['institution_name'], 26))}</text></g></a>"
        )
    y = legend_top
    out.append(
        f'<g class="legend"><text x="{PAD}" y="{y}" font-size="13" fill="#111">Institutions</text>'
    )
    for slug, name in institutions:
        y += 22
        out.append(
            f'<rect x="{PAD}" y="{y - 12}" width="14" height="14" fill="{colour[slug]}"/>'
            f'<text x="{PAD + 22}" y="{y}" font-size="12" fill="#111">{e(name)}</text>'
        )
    y += 26
    x = PAD
    for kind, dash in DASHES.items():
        out.append(
            f'<line x1="{x}" y1="{y - 4}" x2="{x + 36}" y2="{y - 4}" stroke="#444" stroke-width="1.5"'
            + (f' stroke-dasharray="{dash}"' if dash else "")
            + f'/><text x="{x + 42}" y="{y}" font-size="12" fill="#111">{kind}</text>'
        )
        x += 110
    out.append("</g></svg>")
    return "".join(out)


def shorten(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
