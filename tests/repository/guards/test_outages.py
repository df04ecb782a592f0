"""Telling a database outage from a bad query, and logging an outage once."""

import logging

import pytest
from django.db import OperationalError, connection

from repository.guards import outages


@pytest.mark.django_db
def test_a_failing_query_on_a_live_connection_is_a_bug_not_an_outage():
    # Both raise OperationalError on a connection that is still up: a 500 to look into.
    with pytest.raises(OperationalError) as raised, connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL statement_timeout = 1")
            cursor.execute("SELECT pg_sleep(1)")
        else:
            cursor.execute("SELECT * FROM no_such_table")
    assert not outages.database_unavailable(raised.value)


def test_an_outage_is_logged_when_it_starts_and_when_it_ends_only(caplog):
    outage = outages.Outage("broker")
    with caplog.at_level(logging.INFO, logger="repository.guards.outages"):
        for _ in range(5):
            outage.failed(ConnectionRefusedError("Connection refused\n  on 127.0.0.1:1"))
        outage.recovered()
        outage.recovered()
    assert [r.getMessage().split(" after ")[0] for r in caplog.records] == [
        "broker unavailable: Connection refused on 127.0.0.1:1",
        "broker available again",
    ]
