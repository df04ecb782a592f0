"""`manage.py generate_lineage`: a large synthetic lineage graph, for the lineage benchmark.

Versions are inserted in bulk into one scratch institution; each new version derives from an
earlier one (a fork or a merge) and sometimes from a second one (a remix), keeping every node
within --max-depth generations of a root and under --max-fanout children.
"""

import random

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from repository.models import Derivation, Institution, Resource, Version

VERSIONS_PER_RESOURCE = 100
BATCH = 5000


class Command(BaseCommand):
    help = "Generate a synthetic lineage graph (default 100,000 versions) in institution 'lineage-bench'."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--versions", type=int, default=100_000)
        parser.add_argument("--max-depth", type=int, default=1000)
        parser.add_argument("--max-fanout", type=int, default=100)
        parser.add_argument("--remix-share", type=float, default=0.1)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: object, **options: int | float) -> None:
        if Institution.objects.filter(slug="lineage-bench").exists():
            raise CommandError("Institution lineage-bench exists already; use a fresh database.")
        rng = random.Random(options["seed"])  # noqa: S311 - a reproducible shape, not a secret
        count, max_depth, max_fanout = (
            int(options["versions"]),
            int(options["max_depth"]),
            int(options["max_fanout"]),
        )
        with transaction.atomic():
            ids = self.create_versions(count)
            edges = plan_edges(
                ids,
                rng,
                max_depth=max_depth,
                max_fanout=max_fanout,
                remix_share=float(options["remix_share"]),
            )
            for start in range(0, len(edges), BATCH):
                Derivation.objects.bulk_create(edges[start : start + BATCH])
        self.stdout.write(
            f"{count} versions, {len(edges)} derivations, deepest chain {max_depth_of(edges)}."
        )

    def create_versions(self, count: int) -> list[int]:
        institution = Institution.objects.create(slug="lineage-bench", name="Lineage benchmark")
        user = get_user_model().objects.create_user("lineage-bench@example.org")
        resources = Resource.objects.bulk_create(
            Resource(
                institution=institution,
                slug=f"r{n}",
                kind="tool",
                title=f"Work {n}",
                created_by=user,
            )
            for n in range(-(-count // VERSIONS_PER_RESOURCE))
        )
        versions = [
            Version(
                resource=resources[n // VERSIONS_PER_RESOURCE],
                number=n % VERSIONS_PER_RESOURCE + 1,
                licence="CC-BY-4.0",
                authors=["Bench"],
                manifest={},
                state=Version.State.PUBLISHED,
                created_by=user,
            )
            for n in range(count)
        ]
        for start in range(0, count, BATCH):
            Version.objects.bulk_create(versions[start : start + BATCH])
        return list(
            Version.objects.filter(resource__institution=institution)
            .order_by("pk")
            .values_list("pk", flat=True)
        )


def plan_edges(
    ids: list[int], rng: random.Random, *, max_depth: int, max_fanout: int, remix_share: float
) -> list[Derivation]:
    """A DAG over `ids` in order: parents always come earlier, depth and fan-out stay bounded."""
    depth = {ids[0]: 0}
    fanout = dict.fromkeys(ids, 0)
    edges = []
    open_parents = [ids[0]]  # nodes that may still take children
    for node in ids[1:]:
        # Mostly extend one of the newest nodes (chains reach ~1,000 generations), sometimes
        # branch from anywhere (wide, shallow parts).
        pool = open_parents[-3:] if rng.random() < 0.98 else open_parents
        parent = rng.choice(pool)
        depth[node] = depth[parent] + 1
        edges.append(Derivation(child_id=node, parent_id=parent, kind=Derivation.Kind.FORK))
        take(parent, fanout, depth, open_parents, max_fanout, max_depth)
        if rng.random() < remix_share and len(open_parents) > 1:
            second = rng.choice(open_parents)
            if second != parent and depth[second] < max_depth:
                depth[node] = max(depth[node], depth[second] + 1)
                edges.append(
                    Derivation(child_id=node, parent_id=second, kind=Derivation.Kind.REMIX)
                )
                take(second, fanout, depth, open_parents, max_fanout, max_depth)
        if depth[node] < max_depth:
            open_parents.append(node)
    return edges


def take(
    parent: int,
    fanout: dict[int, int],
    depth: dict[int, int],
    open_parents: list[int],
    max_fanout: int,
    max_depth: int,
) -> None:
    fanout[parent] += 1
    if fanout[parent] >= max_fanout and parent in open_parents:
        open_parents.remove(parent)


def max_depth_of(edges: list[Derivation]) -> int:
    depth: dict[int, int] = {}
    for edge in edges:  # parents always precede children in `edges`
        depth[edge.child_id] = max(depth.get(edge.child_id, 0), depth.get(edge.parent_id, 0) + 1)
    return max(depth.values(), default=0)
