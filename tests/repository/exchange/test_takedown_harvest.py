"""A taken-down version leaves OAI-PMH as a deleted record, read by real harvesters."""

import pytest
from django.contrib.auth import get_user_model
from oaipmh.client import Client
from oaipmh.metadata import MetadataRegistry, oai_dc_reader
from sickle import Sickle

from repository.actions.moderation import restore_version, take_down_version
from tests.repository.exchange.test_harvesters import ident

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def endpoint(live_server, settings, catalogue) -> str:
    settings.SITE_URL = live_server.url
    settings.OAI_PAGE_SIZE = 3
    return f"{live_server.url}/oai/"


@pytest.fixture
def moderator(db):
    return get_user_model().objects.create_user(
        "moderator@remixbank.example", email="moderator@remixbank.example", is_staff=True
    )


def test_sickle_harvests_a_taken_down_version_as_deleted_and_it_returns_on_restore(
    endpoint, catalogue, moderator
):
    take_down_version(catalogue.fork, by=moderator, reason="Copies a pupil's photo.")
    harvester = Sickle(endpoint, max_retries=0)
    records = list(harvester.ListRecords(metadataPrefix="oai_dc", ignore_deleted=False))
    assert [r.header.identifier for r in records] == [ident(v) for v in catalogue.public]
    deleted = sorted(r.header.identifier for r in records if r.header.deleted)
    assert deleted == sorted([ident(catalogue.withdrawn), ident(catalogue.fork)])
    gone = next(r for r in records if r.header.identifier == ident(catalogue.fork))
    assert "<metadata" not in gone.raw  # a deleted record says nothing of the work
    listed = list(harvester.ListRecords(metadataPrefix="oai_dc", ignore_deleted=True))
    assert ident(catalogue.fork) not in [r.header.identifier for r in listed]

    restore_version(catalogue.fork, by=moderator, reason="Photo used with consent.")
    again = Sickle(endpoint, max_retries=0).ListRecords(
        metadataPrefix="oai_dc", ignore_deleted=True
    )
    assert ident(catalogue.fork) in [r.header.identifier for r in again]


def test_pyoai_gets_the_taken_down_record_as_deleted(endpoint, catalogue, moderator):
    take_down_version(catalogue.tool_v2, by=moderator, reason="Phishing form in index.html.")
    registry = MetadataRegistry()
    registry.registerReader("oai_dc", oai_dc_reader)
    header, metadata, _ = Client(endpoint, registry).getRecord(
        identifier=ident(catalogue.tool_v2), metadataPrefix="oai_dc"
    )
    assert header.isDeleted() and metadata is None
