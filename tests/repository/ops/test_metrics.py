"""/metrics read by Prometheus' own parser: families present, counters that move, access kept."""

import shutil
import subprocess
import uuid
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from kombu import Connection, Exchange, Queue
from prometheus_client.parser import text_string_to_metric_families

from repository.models import Attempt, ValidationRun, ValidationStep, Version
from tests.deploy.test_engines import require_service
from tests.factories import UserFactory, VersionFactory
from tests.repository.ops.test_health import broker_at
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


def test_a_made_up_method_adds_no_series_of_its_own(client):
    """Any token is a method to HTTP: each new one must not add a series kept for good."""
    for n in range(3):
        assert client.generic(f"BREW{n}", "/no-such-page/").status_code == 404
    counted = scrape(client)["remixbank_http_requests_total"]
    methods = {dict(labels)["method"] for labels in counted}
    assert not {m for m in methods if m.startswith("BREW")}, methods
    assert counted[(("method", "other"), ("status", "404"), ("view", "<unmatched>"))] >= 3


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


def test_metrics_are_refused_on_the_content_domain_even_from_loopback(client, settings):
    """A version's origin is public: a proxy in front of the content domain that adds no
    X-Forwarded-For makes every visitor look like loopback, an allowed address."""
    from repository.validation import origins

    VersionFactory()
    version = Version.objects.latest("pk")
    content_host = urlsplit(origins.origin_of(version)).netloc
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200
    for host in (content_host, settings.CONTENT_HOST):
        refused = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_HOST=host)
        assert refused.status_code == 403, host
    settings.METRICS_TOKEN = "scrape-secret"
    token = {"Authorization": "Bearer scrape-secret"}
    assert client.get("/metrics", HTTP_HOST=content_host, headers=token).status_code == 200


@pytest.fixture
def rabbitmq_vhost() -> Iterator[str]:
    """A RabbitMQ vhost of the test's own, so no other suite's queues are counted or touched."""
    require_service(5672, "RabbitMQ")
    if shutil.which("rabbitmqctl") is None:
        pytest.skip("rabbitmqctl is not installed")
    name = f"rb-metrics-{uuid.uuid4().hex[:8]}"

    def ctl(*args: str) -> None:
        subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=60)

    ctl("add_vhost", name)
    ctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
    try:
        yield f"amqp://guest:guest@127.0.0.1:5672/{name}"
    finally:
        ctl("delete_vhost", name)


def test_queue_depth_on_rabbitmq_counts_declared_queues_and_creates_none(client, rabbitmq_vhost):
    checks = Queue("checks", Exchange("checks", type="direct"), routing_key="checks")
    with Connection(rabbitmq_vhost) as conn:
        producer = conn.Producer()
        for n in range(3):
            producer.publish(
                {"n": n}, exchange=checks.exchange, routing_key="checks", declare=[checks]
            )
    with broker_at(rabbitmq_vhost):
        found = scrape(client)
    assert found["remixbank_broker_up"][()] == 1
    assert found["remixbank_queue_messages"][(("queue", "checks"),)] == 3
    assert found["remixbank_queue_messages"][(("queue", "browser"),)] == 0
    with Connection(rabbitmq_vhost) as conn, pytest.raises(conn.channel_errors):
        conn.default_channel.queue_declare(queue="browser", passive=True)  # still not declared


def test_a_broker_that_is_down_is_reported_not_a_failed_scrape(client):
    from tests.services import free_port

    with broker_at(f"redis://127.0.0.1:{free_port()}/9"):
        found = scrape(client)
    assert found["remixbank_broker_up"][()] == 0
    assert "remixbank_queue_messages" not in found


def test_sandbox_kills_are_counted_by_what_ran_and_which_limit(client):
    version = VersionFactory.create()
    now = timezone.now()
    run = ValidationRun.objects.create(
        version=version, validator_release="test", state=ValidationRun.State.FAILED
    )
    ValidationRun.objects.filter(pk=run.pk).update(finished_at=now)
    ValidationStep.objects.create(
        run=run,
        name="run",
        position=3,
        status="failed",
        duration_ms=120_000,
        artefacts={"killed": "timeout", "timings": {}},
    )
    ValidationStep.objects.create(
        run=run, name="package", position=0, status="passed", artefacts={"metrics": {}}
    )
    learner = UserFactory.create()
    for killed_by in ("memory", "memory", "cpu", ""):
        Attempt.objects.create(
            learner=learner,
            version=version,
            student_id="s-1",
            code="def control(sensors, state):\n    while True: pass\n",
            state=Attempt.State.ERROR,
            time_limit_s=10,
            started_at=now - timedelta(seconds=11),
            finished_at=now,
            killed_by=killed_by,
        )
    kills = scrape(client)["remixbank_sandbox_kills_recent"]
    assert kills == {
        (("limit", "timeout"), ("run", "validation")): 1,
        (("limit", "memory"), ("run", "attempt")): 2,
        (("limit", "cpu"), ("run", "attempt")): 1,
    }


def test_revalidation_backlog_counts_versions_without_a_run_of_the_current_release(client):
    from repository.actions.validation import validator_release

    waiting = VersionFactory.create(state=Version.State.NOT_RUN)
    settled = VersionFactory.create(state=Version.State.PUBLISHED)
    current = VersionFactory.create(state=Version.State.PUBLISHED)
    ValidationRun.objects.create(
        version=current, validator_release=validator_release("tool"), state="passed"
    )
    ValidationRun.objects.create(version=settled, validator_release="older", state="passed")
    assert waiting.resource.kind == settled.resource.kind == "tool"
    backlog = scrape(client)["remixbank_revalidation_backlog"]
    assert backlog[(("kind", "tool"), ("state", "waiting"))] == 1
    assert backlog[(("kind", "tool"), ("state", "settled"))] == 1
    assert backlog[(("kind", "scenario"), ("state", "waiting"))] == 0


def test_a_kill_label_the_worker_made_up_is_not_kept_nor_scraped(client):
    from repository.actions.validation import outcome_of

    version = VersionFactory.create()
    run = ValidationRun.objects.create(
        version=version, validator_release="test", state=ValidationRun.State.FAILED
    )
    # The untrusted worker ran the deposit's code: what it reports is the deposit's word.
    for made_up in ("timeout-ünïque-1", "timeout-ünïque-2", ["memory"]):
        outcome = outcome_of(run, {"status": "failed", "artefacts": {"killed": made_up}})
        assert "killed" not in outcome.artefacts
    kept = outcome_of(run, {"status": "failed", "artefacts": {"killed": "memory"}})
    assert kept.artefacts["killed"] == "memory"
