"""On a real RabbitMQ, the untrusted workers' user (deploy/rabbitmq-untrusted-user.sh) posts
results through remixbank.results and can reach no trusted queue."""

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator

import pytest
from amqp.exceptions import AccessRefused
from kombu import Connection, Exchange, Queue
from kombu.exceptions import OperationalError

from tests.deploy.test_engines import require_service
from tests.worker import ROOT

# The names deploy/untrusted.py uses, written out: importing it here would make its Celery app
# the test process's current app, and later tests' messages would follow its routes.
RESULTS = Queue("results", Exchange("remixbank.results", type="direct"), routing_key="results")


def connect(url: str) -> Connection:
    # Publisher confirms: publish waits for the broker's answer, so a refusal raises at once.
    return Connection(url, transport_options={"confirm_publish": True})


def rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=60)


@pytest.fixture
def vhost() -> Iterator[tuple[str, str, str]]:
    """A vhost of its own with the trusted user (guest) and an untrusted user made by the script."""
    require_service(5672, "RabbitMQ")
    if shutil.which("rabbitmqctl") is None:
        pytest.skip("rabbitmqctl is not installed")
    name, user, password = (
        f"rb-test-{uuid.uuid4().hex[:8]}",
        f"untrusted-{uuid.uuid4().hex[:6]}",
        uuid.uuid4().hex,
    )
    subprocess.run(
        ["bash", str(ROOT / "deploy" / "rabbitmq-untrusted-user.sh"), name, user, password],
        check=True,
        capture_output=True,
        timeout=120,
    )
    rabbitmqctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
    try:
        yield name, user, password
    finally:
        rabbitmqctl("delete_vhost", name)
        rabbitmqctl("delete_user", user)


def test_untrusted_user_posts_results_but_cannot_reach_the_trusted_queue(vhost):
    name, user, password = vhost
    checks = Queue("checks", Exchange("checks", type="direct"), routing_key="checks")
    with Connection(f"amqp://guest:guest@127.0.0.1:5672/{name}") as trusted:
        for queue in (checks, RESULTS):
            queue(trusted.default_channel).declare()

    url = f"amqp://{user}:{password}@127.0.0.1:5672/{name}"
    # The untrusted app's own send, in a process of its own with only the broker's address.
    subprocess.run(
        [
            sys.executable,
            "-c",
            "from deploy.untrusted import send; "
            "send('repository.tasks.record_content_result', ('nonce', {'status': 'passed'}))",
        ],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], "CELERY_BROKER_URL": url},
        check=True,
        capture_output=True,
        timeout=60,
    )
    forged = [
        # The default exchange reaches every queue by name: the user may not write to it.
        lambda untrusted: untrusted.Producer().publish({}, exchange="", routing_key="checks"),
        lambda untrusted: untrusted.Producer().publish({}, exchange="checks", routing_key="checks"),
        # Nor may it take trusted work.
        lambda untrusted: checks(untrusted.default_channel).declare(),
    ]
    for attempt in forged:
        with connect(url) as untrusted, pytest.raises((AccessRefused, OperationalError)):
            attempt(untrusted)

    with Connection(f"amqp://guest:guest@127.0.0.1:5672/{name}") as trusted:
        channel = trusted.default_channel
        assert channel.queue_declare("results", passive=True).message_count == 1
        assert channel.queue_declare("checks", passive=True).message_count == 0


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_two_sandbox_hosts_holding_only_the_untrusted_user_serve_learners_attempts(
    vhost, tmp_path, northfield, staff, blob_folder
):
    """deploy/attempts-workers.md: N attempts hosts, each with the broker address and nothing else."""
    from repository.actions.attempts import submit_attempt
    from repository.management.commands.load_demo import SCENARIO_DIR
    from repository.models import Attempt, Membership
    from tests.conftest import member
    from tests.factories import published_scenario
    from tests.worker import trusted_worker, untrusted_worker, wait_for, worker_database_url

    name, user, password = vhost
    trusted_url = f"amqp://guest:guest@127.0.0.1:5672/{name}"
    untrusted_url = f"amqp://{user}:{password}@127.0.0.1:5672/{name}"
    scenario = published_scenario(tmp_path, northfield, staff)
    code = (SCENARIO_DIR / "difference_controller.py").read_text()
    logs = blob_folder.parent
    with (
        trusted_worker(blob_dir=blob_folder, broker=trusted_url),
        untrusted_worker(log_dir=logs, queues="attempts", broker=untrusted_url, name="host-a"),
        untrusted_worker(log_dir=logs, queues="attempts", broker=untrusted_url, name="host-b"),
    ):
        for n in range(4):
            learner = member(northfield, f"l{n}@northfield.ac.uk", f"L{n}", Membership.Role.STUDENT)
            submit_attempt(scenario, code=code, by=learner)
        # The site's outbox sends this after each submission; here the site process is another
        # broker's, so the dispatch is asked for on this vhost as the site would.
        subprocess.run(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "deploy",
                "call",
                "repository.tasks.dispatch_attempts",
                "--queue",
                "checks",
            ],
            cwd=ROOT,
            env={
                **os.environ,
                "CELERY_BROKER_URL": trusted_url,
                "DATABASE_URL": worker_database_url(),
            },
            check=True,
            capture_output=True,
            timeout=120,
        )

        def all_finished() -> bool:
            return not Attempt.objects.filter(state__in=Attempt.OPEN_STATES).exists()

        assert wait_for(all_finished, timeout=400), list(
            Attempt.objects.values_list("state", flat=True)
        )
    assert set(Attempt.objects.values_list("state", flat=True)) == {"passed"}
    for host in ("host-a", "host-b"):
        log = (logs / f"untrusted-{host}.log").read_text(errors="replace")
        assert "repository.validation.untrusted.run_order" in log and "succeeded" in log, host


def test_a_task_routed_onto_results_through_an_untrusted_exchange_is_refused(vhost):
    """The untrusted user may bind `results` to exchanges it may write to (its queues' names,
    `*.celery.pidbox`) with any routing key: what arrives that way is refused like a message
    sent to `results` by name, while the trusted side's own tasks still run."""
    import repository.tasks  # noqa: F401  (registers them on an app finalized before)
    from deploy.celery import RESULT_TASKS, app, came_through_results

    name, user, password = vhost
    trusted_url = f"amqp://guest:guest@127.0.0.1:5672/{name}"
    with Connection(trusted_url) as trusted:
        RESULTS(trusted.default_channel).declare()
        Queue("checks", Exchange("checks", type="direct"), routing_key="checks")(
            trusted.default_channel
        ).declare()
        # The trusted side's own send, as the outbox and beat make it.
        with app.connection_for_write(trusted_url) as conn:
            app.send_task("repository.tasks.revalidate_published", connection=conn)

    with connect(f"amqp://{user}:{password}@127.0.0.1:5672/{name}") as untrusted:
        channel = untrusted.default_channel
        for exchange in ("attempts", "relay.celery.pidbox"):
            Exchange(exchange, type="direct")(channel).declare()
            channel.queue_bind("results", exchange=exchange, routing_key="checks")
            untrusted.Producer().publish(
                {"forged": exchange},
                exchange=exchange,
                routing_key="checks",
                headers={"task": "repository.tasks.revalidate_published", "id": exchange},
            )

    with Connection(trusted_url) as trusted:
        channel = trusted.default_channel
        own = channel.basic_get("checks", no_ack=True)
        forged = [channel.basic_get("results", no_ack=True) for _ in range(2)]
    assert own is not None and not came_through_results(own.delivery_info)
    assert all(m is not None for m in forged), "the broker refused the binding this test needs"
    assert {m.delivery_info["exchange"] for m in forged} == {"attempts", "relay.celery.pidbox"}
    for message in forged:
        assert message.delivery_info["routing_key"] == "checks"
        assert came_through_results(message.delivery_info), message.delivery_info
    assert "repository.tasks.revalidate_published" not in RESULT_TASKS
    # The task itself, with the forged delivery: dropped before it touches the database
    # (this test has no database access, so running it would fail here).
    task = app.tasks["repository.tasks.revalidate_published"]
    task.push_request(delivery_info=forged[0].delivery_info)
    try:
        assert task() is None
    finally:
        task.pop_request()


@pytest.mark.worker
def test_an_untrusted_worker_takes_no_remote_control(vhost, tmp_path):
    """Every untrusted worker holds the same broker user, which may bind another worker's
    pidbox queue to an exchange of its own and send it shutdown: so the workers keep none."""
    from tests.worker import untrusted_worker, wait_for

    name, user, password = vhost
    trusted_url = f"amqp://guest:guest@127.0.0.1:5672/{name}"
    untrusted_url = f"amqp://{user}:{password}@127.0.0.1:5672/{name}"
    with Connection(trusted_url) as trusted:
        Queue("attempts")(trusted.default_channel).declare()

        def consuming() -> bool:
            return trusted.channel().queue_declare("attempts", passive=True).consumer_count >= 1

        with untrusted_worker(
            log_dir=tmp_path, queues="attempts", broker=untrusted_url, name="host-a"
        ):
            assert wait_for(consuming, timeout=120), "the untrusted worker never consumed"
            listed = subprocess.run(
                ["rabbitmqctl", "-q", "list_queues", "-p", name, "name"],
                check=True,
                capture_output=True,
                text=True,
                timeout=60,
            ).stdout.split()
    assert "attempts" in listed
    assert not [q for q in listed if q.endswith(".celery.pidbox")], listed
