"""A small public catalogue for the exchange tests: lineage, a collection, a withdrawal, a draft."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from repository.models import CollectionItem, Derivation, Resource, Version
from tests.factories import ResourceFactory, stored_version, tool_files

CREDITS = (
    b'<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Cr\xc3\xa9dits</title></head>'
    b'<body><p>Ic\xc3\xb4nes: <a href="https://example.org/icons">Feather</a> (MIT).</p></body></html>'
)


@dataclass
class Catalogue:
    tool_v1: Version
    tool_v2: Version
    fork: Version
    scenario: Version
    withdrawn: Version
    draft: Version
    collection: Version

    @property
    def public(self) -> list[Version]:
        return [
            self.tool_v1,
            self.tool_v2,
            self.fork,
            self.scenario,
            self.withdrawn,
            self.collection,
        ]


def published(resource: Resource, *, days_ago: int, **fields) -> Version:
    when = timezone.now() - timedelta(days=days_ago)
    files = tool_files(**{"credits.html": CREDITS, "data/levels.json": b'{"levels": [1, 2, 3]}'})
    return stored_version(files, resource=resource, published_at=when, **fields)


@pytest.fixture
def catalogue(northfield, southbank) -> Catalogue:
    counter = ResourceFactory.create(
        institution=northfield,
        slug="counter",
        title="Counter",
        summary="Counts clicks, for tally charts.",
        subjects=["Mathematics", "Géographie"],
        level="Secondary",
        language="en",
    )
    tool_v1 = published(counter, days_ago=30, authors=["Ada Lovelace"])
    tool_v2 = published(
        counter,
        days_ago=20,
        authors=["Ada Lovelace"],
        contributors=["Grace Hopper"],
        changelog="Bigger buttons.",
    )
    Derivation.objects.create(child=tool_v2, parent=tool_v1, kind=Derivation.Kind.MERGE)

    tally = ResourceFactory.create(
        institution=southbank,
        slug="tally",
        title="Tally",
        subjects=["Mathematics"],
        level="Primary",
    )
    fork = published(
        tally, days_ago=10, authors=["Ada Lovelace", "Alan Turing"], licence="CC-BY-SA-4.0"
    )
    Derivation.objects.create(child=fork, parent=tool_v2, kind=Derivation.Kind.FORK)

    solar = ResourceFactory.create(
        institution=northfield,
        slug="solar-tracker",
        title="Solar tracker",
        kind=Resource.Kind.SCENARIO,
        subjects=["Physics"],
        language="en",
    )
    scenario = published(solar, days_ago=5, authors=["Katherine Johnson"])

    old = ResourceFactory.create(
        institution=northfield, slug="old-quiz", title="Old quiz", subjects=["History"]
    )
    withdrawn = published(old, days_ago=40, authors=["Ada Lovelace"])
    withdrawn.withdraw(by=None, reason="Superseded.")
    Resource.objects.filter(pk=old.pk).update(latest_published=None)  # as withdraw_version does

    secret = ResourceFactory.create(institution=northfield, slug="draft", title="Unreleased draft")
    draft = stored_version(
        tool_files(), resource=secret, state=Version.State.PASSED, published_at=None
    )

    box = ResourceFactory.create(
        institution=northfield, slug="maths-box", title="Maths box", subjects=["Mathematics"]
    )
    collection = published(box, days_ago=1, authors=["Northfield College"])
    CollectionItem.objects.create(collection=collection, item=tool_v2, folder="counter")
    CollectionItem.objects.create(collection=collection, item=scenario, folder="solar-tracker")
    return Catalogue(tool_v1, tool_v2, fork, scenario, withdrawn, draft, collection)
