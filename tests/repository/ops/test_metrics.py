"""/metrics read by Prometheus' own parser: families present, counters that move, access kept."""

from datetime import timedelta

import pytest
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from repository.models import ValidationRun, ValidationStep
from tests.factories import VersionFactory
from tests.worker import take_all

pytestmark = pytest.mark.django_db(transaction=True)


def scrape(client, **headers) -> dict[str, dict[tuple[tuple[str, str], ...], float]]:
    """{family name: {sorted labels: value}} of one scrape."""
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=")
    found: dict[str, dict[tuple[tuple[str, str], ...], float]] = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            found.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
    return found


def test_requests_are_counted_by_view_and_status(client):
    client.get("/healthz")
    before = scrape(client)["remixbank_http_requests_total"]
    key = (("method", "GET"), ("status", "200"), ("view", "healthz"))
    client.get("/healthz")
    client.get("/healthz")
    client.get("/no-such-page/")
    after = scrape(client)
    counted = after["remixbank_http_requests_total"]
    assert counted[key] == before[key] + 2
    assert counted[(("method", "GET"), ("status", "404"), ("view", "<unmatched>"))] >= 1
    assert after["remixbank_http_request_duration_seconds_count"][(("view", "healthz"),)] >= 3


def test_queue_depth_is_read_from_the_broker(client):
    take_all("checks")
    before = scrape(client)
    assert before["remixbank_broker_up"][()] == 1
    assert before["remixbank_queue_messages"][(("queue", "checks"),)] == 0
    assert set(dict(k)["queue"] for k in before["remixbank_queue_messages"]) == {
        "checks",
        "results",
        "sandbox",
        "browser",
        "attempts",
    }
    from repository import tasks

    tasks.flush_outbox.delay()
    tasks.flush_outbox.delay()
    after = scrape(client)
    assert after["remixbank_queue_messages"][(("queue", "checks"),)] == 2
    take_all("checks")


def test_validation_durations_by_step_and_verdict(client):
    version = VersionFactory.create()
    now = timezone.now()
    run = ValidationRun.objects.create(
        version=version, validator_release="test", state=ValidationRun.State.FAILED
    )
    ValidationRun.objects.filter(pk=run.pk).update(
        started_at=now - timedelta(seconds=42), finished_at=now
    )
    ValidationStep.objects.create(
        run=run, name="package", position=0, status="passed", duration_ms=1500
    )
    ValidationStep.objects.create(
        run=run, name="content", position=1, status="failed", duration_ms=2500
    )
    found = scrape(client)
    assert (
        found["remixbank_validation_steps_recent"][(("status", "failed"), ("step", "content"))] == 1
    )
    assert found["remixbank_validation_step_seconds_recent_sum"][
        (("status", "passed"), ("step", "package"))
    ] == pytest.approx(1.5)
    assert found["remixbank_validation_run_seconds_recent_max"][
        (("state", "failed"),)
    ] == pytest.approx(42, abs=1)


def test_metrics_are_refused_to_other_addresses_and_through_a_proxy(client, settings):
    settings.METRICS_ALLOWED_IPS = ["10.0.0.0/8"]
    refused = client.get("/metrics")
    assert refused.status_code == 403
    assert "METRICS_ALLOWED_IPS" in refused.json()["detail"]
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    proxied = client.get("/metrics", REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert proxied.status_code == 403

    settings.METRICS_TOKEN = "scrape-secret"
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert scrape(client, Authorization="Bearer scrape-secret")["remixbank_broker_up"][()] == 1
