"""Per-student variants of a published scenario, run in the sims sandbox on request."""

import re
import threading
import uuid
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from repository.actions.deposits import deposit_package
from repository.actions.variants import execute_variant_run, request_variant_run
from repository.errors import DomainError, RateLimited
from repository.management.commands.load_demo import SCENARIO_DIR, scenario_manifest, zip_folder
from repository.models import Membership, StudentKey, VariantRun
from tests.conftest import member
from tests.factories import UserFactory, validated


@pytest.fixture
def scenario(tmp_path, northfield, staff):
    package = zip_folder(SCENARIO_DIR, tmp_path / "scenario.zip", scenario_manifest())
    version = deposit_package(package=package, institution=northfield, by=staff)
    validated(version.pk)
    version.refresh_from_db()
    return version


def test_a_student_runs_their_variant_and_sees_its_checks_and_plots(
    client, scenario, student, django_capture_on_commit_callbacks
):
    from repository.actions.variants import version_scenario
    from sims.variants import variant

    client.force_login(student)
    args = ["northfield", scenario.resource.slug, scenario.number]
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(reverse("version_variant_runs", args=args), {"student": "s1234"})
    run = VariantRun.objects.get()
    assert response["Location"] == reverse("version_variant_run", args=[*args, run.public_id])
    assert len(queued) == 1
    assert run.parameters == variant(version_scenario(scenario), "s1234")
    finished = execute_variant_run(run.pk)  # what the sandbox worker does
    assert finished is not None
    run = finished
    assert run.state in {VariantRun.State.PASSED, VariantRun.State.FAILED}, run.messages
    assert any("energy" in m for m in run.messages)
    page = client.get(run.get_absolute_url()).content.decode()
    plot = next(f for f in run.files if f["name"].endswith(".png"))
    url = reverse(
        "version_variant_run_file", args=[*args, run.public_id, plot["sha256"], plot["name"]]
    )
    assert url in page
    assert b"".join(client.get(url).streaming_content).startswith(b"\x89PNG")


def test_the_same_variant_is_run_once(scenario, student, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as queued:
        first = request_variant_run(scenario, student_id="s1", by=student)
    execute_variant_run(first.pk)
    with django_capture_on_commit_callbacks() as again:
        second = request_variant_run(scenario, student_id="s1", by=student)
    assert second.pk == first.pk
    assert (len(queued), len(again)) == (1, 0)


def test_a_variant_needs_a_student_id_and_a_scenario_with_variants(
    scenario, student, package, northfield, staff
):
    with pytest.raises(DomainError, match="student id"):
        request_variant_run(scenario, student_id="  ", by=student)
    tool = deposit_package(package=package, institution=northfield, by=staff)
    validated(tool.pk)
    tool.refresh_from_db()
    with pytest.raises(DomainError, match="declares no variants"):
        request_variant_run(tool, student_id="s1", by=student)
    assert not VariantRun.objects.exists()


def run_urls(run: VariantRun) -> list[str]:
    """The run's page and every file it recorded."""
    args = [run.version.resource.institution.slug, run.version.resource.slug, run.version.number]
    files = [
        reverse("version_variant_run_file", args=[*args, run.public_id, f["sha256"], f["name"]])
        for f in run.files
    ]
    return [run.get_absolute_url(), *files]


@pytest.fixture
def charlies_run(scenario, student):
    """Charlie's finished run, with its plots and metrics."""
    requested = request_variant_run(scenario, student_id="charlie@northfield.ac.uk", by=student)
    run = execute_variant_run(requested.pk)
    assert run is not None
    assert run.files, run.messages
    return run


def test_a_run_is_hidden_from_anonymous_visitors_and_other_people(
    client, charlies_run, outsider, northfield
):
    someone = member(northfield, "erin@northfield.ac.uk", "Erin", Membership.Role.STUDENT)
    urls = run_urls(charlies_run)
    assert any(u.endswith(".png") for u in urls) and any(u.endswith(".json") for u in urls)
    for visitor in [None, outsider, someone]:
        client.logout()
        if visitor is not None:
            client.force_login(visitor)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 404, (visitor, url)
            assert b"charlie@northfield.ac.uk" not in response.content
        # The version page lists the runs its visitor may see, and no others.
        version_page = client.get(charlies_run.version.get_absolute_url()).content.decode()
        assert "charlie@northfield.ac.uk" not in version_page
        assert str(charlies_run.public_id) not in version_page
    client.force_login(charlies_run.requested_by)
    assert (
        charlies_run.get_absolute_url()
        in client.get(charlies_run.version.get_absolute_url()).content.decode()
    )


def test_a_run_is_shown_to_its_learner_and_their_staff_and_never_kept_by_shared_caches(
    client, charlies_run, student, staff, admin
):
    for viewer in [student, staff, admin]:
        client.force_login(viewer)
        for url in run_urls(charlies_run):
            response = client.get(url)
            assert response.status_code == 200, (viewer, url)
            assert "private" in response["Cache-Control"], url
            assert "public" not in response["Cache-Control"], url


def test_the_scenarios_staff_also_see_a_run_by_another_institutions_learner(
    client, scenario, staff, outsider, student, southbank
):
    frank = member(southbank, "frank@southbank.ac.uk", "Frank", Membership.Role.STUDENT)
    run = request_variant_run(scenario, student_id="frank@southbank.ac.uk", by=frank)
    seen = {}
    for name, viewer in [
        ("frank", frank),
        ("northfield staff", staff),
        ("southbank staff", outsider),
        ("northfield student", student),
        ("anonymous", None),
    ]:
        client.logout()
        if viewer is not None:
            client.force_login(viewer)
        seen[name] = client.get(run.get_absolute_url()).status_code
    assert seen == {
        "frank": 200,
        "northfield staff": 200,
        "southbank staff": 200,
        "northfield student": 404,
        "anonymous": 404,
    }


def test_run_urls_name_runs_by_a_random_id_never_the_sequential_one(charlies_run, scenario, staff):
    other = request_variant_run(scenario, student_id="s2", by=staff)
    for run in [charlies_run, other]:
        for url in run_urls(run):
            segment = url.split("/variants/", 1)[1].split("/")[0]
            assert segment == str(run.public_id)
            assert uuid.UUID(segment).version == 4
            assert f"/{run.pk}/" not in url
    assert charlies_run.public_id != other.public_id


def test_two_learners_asking_for_the_same_id_get_runs_of_their_own(
    scenario, student, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        mine = request_variant_run(scenario, student_id="s1", by=student)
        theirs = request_variant_run(scenario, student_id="s1", by=staff)
    assert mine.pk != theirs.pk
    assert mine.parameters == theirs.parameters
    assert len(queued) == 2


def test_the_variant_form_offers_an_opaque_id_of_ones_own_never_the_email(
    client, scenario, student
):
    client.force_login(student)
    page = client.get(scenario.get_absolute_url()).content.decode()
    field = re.search(r'<input id="student" name="student" value="([^"]*)"', page)
    assert field is not None
    offered = field.group(1)
    assert offered == StudentKey.objects.get(user=student).value
    assert "@" not in offered and "charlie" not in offered.lower()
    again = client.get(scenario.get_absolute_url()).content.decode()
    assert f'value="{offered}"' in again
    client.logout()
    anonymous = client.get(scenario.get_absolute_url()).content.decode()
    assert '<input id="student" name="student" value=""' in anonymous


def test_learners_are_offered_different_ids(client, scenario, student, staff):
    from repository.actions.variants import student_key

    assert student_key(student) != student_key(staff)
    assert student_key(student) == student_key(student)


def test_existing_runs_get_random_public_ids_and_their_queue_time(scenario, student, staff):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("repository.migrations.0008_variant_run_public_ids")
    runs = [
        request_variant_run(scenario, student_id=f"s{i}", by=who)
        for i, who in enumerate([student, staff])
    ]
    before = {r.pk: r.public_id for r in runs}
    migration.fill_public_ids(apps, None)
    after = {r.pk: (r.public_id, r.queued_at, r.created_at) for r in VariantRun.objects.all()}
    assert len({public_id for public_id, _, _ in after.values()}) == 2
    assert all(after[pk][0] != before[pk] for pk in before)
    assert all(queued_at == created_at for _, queued_at, created_at in after.values())


def ask(client, version, student_id: str):
    """Post the variant form; the run's page address, or the messages of a refusal."""
    args = [version.resource.institution.slug, version.resource.slug, version.number]
    response = client.post(reverse("version_variant_runs", args=args), {"student": student_id})
    assert response.status_code == 302
    return response["Location"], [m.message for m in get_messages(response.wsgi_request)]


def test_fifty_requests_in_a_row_queue_the_per_minute_allowance_and_refuse_the_rest(
    client, scenario, student, settings, django_capture_on_commit_callbacks
):
    settings.VARIANT_RUNS_WAITING_PER_USER = 100  # the per-minute limit is the one tried here
    client.force_login(student)
    with django_capture_on_commit_callbacks() as queued:
        answers = [ask(client, scenario, f"s{i}") for i in range(50)]
    accepted = [location for location, _ in answers[:10]]
    assert all("/variants/" in url for url in accepted) and answers[9][1] == []
    for location, said in answers[10:]:
        assert location == scenario.get_absolute_url()
        # Messages pile up in the session until a page shows them; the last is this answer's.
        found = re.fullmatch(
            r"You have asked for 10 variant runs in the last minute, the most allowed per "
            r"person; try again in (\d+) seconds?\.",
            said[-1],
        )
        assert found and 1 <= int(found.group(1)) <= 60, said
    assert len(queued) == 10
    assert VariantRun.objects.count() == 10
    assert set(VariantRun.objects.values_list("student_id", flat=True)) == {
        f"s{i}" for i in range(10)
    }


def test_a_refusal_is_shown_on_the_version_page(client, scenario, student, settings):
    settings.VARIANT_RUNS_PER_MINUTE_USER = 1
    client.force_login(student)
    ask(client, scenario, "s1")
    args = [scenario.resource.institution.slug, scenario.resource.slug, scenario.number]
    page = client.post(reverse("version_variant_runs", args=args), {"student": "s2"}, follow=True)
    assert page.redirect_chain[-1][0] == scenario.get_absolute_url()
    assert "the most allowed per person; try again in" in page.content.decode()


def test_the_allowance_comes_back_when_the_minute_has_passed(scenario, student, settings):
    settings.VARIANT_RUNS_PER_MINUTE_USER = 2
    for i in range(2):
        request_variant_run(scenario, student_id=f"s{i}", by=student)
        VariantRun.objects.update(state=VariantRun.State.PASSED)
    with pytest.raises(RateLimited) as refused:
        request_variant_run(scenario, student_id="s2", by=student)
    assert 1 <= refused.value.retry_after <= 60
    VariantRun.objects.update(queued_at=timezone.now() - timedelta(seconds=61))
    assert request_variant_run(scenario, student_id="s2", by=student).state == "queued"


def test_a_learner_may_have_only_so_many_runs_waiting(
    scenario, student, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        runs = [request_variant_run(scenario, student_id=f"s{i}", by=student) for i in range(5)]
        with pytest.raises(RateLimited, match="You have 5 variant runs waiting or running"):
            request_variant_run(scenario, student_id="s5", by=student)
    assert len(queued) == 5
    VariantRun.objects.filter(pk=runs[0].pk).update(state=VariantRun.State.FAILED)
    assert request_variant_run(scenario, student_id="s5", by=student).student_id == "s5"


def test_an_institutions_members_share_an_allowance_other_institutions_keep_theirs(
    scenario, student, staff, southbank, northfield, settings
):
    settings.VARIANT_RUNS_PER_MINUTE_INSTITUTION = 3
    request_variant_run(scenario, student_id="s1", by=student)
    request_variant_run(scenario, student_id="s2", by=student)
    request_variant_run(scenario, student_id="s3", by=staff)
    erin = member(northfield, "erin@northfield.ac.uk", "Erin", Membership.Role.STUDENT)
    with pytest.raises(RateLimited, match="Members of Northfield University have asked for 3"):
        request_variant_run(scenario, student_id="s4", by=erin)
    frank = member(southbank, "frank@southbank.ac.uk", "Frank", Membership.Role.STUDENT)
    assert request_variant_run(scenario, student_id="s4", by=frank).state == "queued"
    assert not VariantRun.objects.filter(requested_by=erin).exists()


def test_people_with_no_institution_share_one_allowance(scenario, settings):
    settings.VARIANT_RUNS_PER_MINUTE_INSTITUTION = 2
    loners = [
        UserFactory.create(email=f"l{i}@example.com", username=f"l{i}@example.com")
        for i in range(3)
    ]
    request_variant_run(scenario, student_id="s1", by=loners[0])
    request_variant_run(scenario, student_id="s2", by=loners[1])
    with pytest.raises(RateLimited, match="People with no institution have asked for 2"):
        request_variant_run(scenario, student_id="s3", by=loners[2])


def test_an_earlier_run_is_shown_again_over_the_limit_without_queueing(
    scenario, student, settings, django_capture_on_commit_callbacks
):
    settings.VARIANT_RUNS_PER_MINUTE_USER = 1
    first = request_variant_run(scenario, student_id="s1", by=student)
    with django_capture_on_commit_callbacks() as queued:
        again = request_variant_run(scenario, student_id="s1", by=student)
        VariantRun.objects.update(state=VariantRun.State.ERROR)
        with pytest.raises(RateLimited):
            request_variant_run(scenario, student_id="s1", by=student)
    assert again.pk == first.pk
    assert queued == []
    assert VariantRun.objects.get().state == VariantRun.State.ERROR


@pytest.mark.django_db(transaction=True)
def test_simultaneous_requests_on_separate_connections_never_exceed_the_allowance(
    scenario, student, settings
):
    """As from several web processes at once: each thread has a database connection of its own."""
    settings.VARIANT_RUNS_PER_MINUTE_USER = 3
    settings.VARIANT_RUNS_WAITING_PER_USER = 100
    start = threading.Barrier(8)
    outcomes: list[str] = []

    def ask_at_once(i: int) -> None:
        start.wait()
        try:
            request_variant_run(scenario, student_id=f"s{i}", by=student)
            outcomes.append("queued")
        except RateLimited:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=ask_at_once, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["queued"] * 3 + ["refused"] * 5
    assert VariantRun.objects.count() == 3


def test_a_malformed_variant_result_ends_the_run_in_one_error_message(scenario, student):
    from repository.actions.variants import record_variant_result, variant_order

    run = request_variant_run(scenario, student_id="s77", by=student)
    done = record_variant_result(variant_order(run)["nonce"], {"status": "passed", "ms": "x"})
    assert done is not None and done.state == VariantRun.State.ERROR
    assert len(done.messages) == 1
    assert done.messages[0].startswith("The validator's worker sent a malformed result")


def test_only_the_latest_order_of_a_variant_run_may_record_its_result_and_only_once(
    scenario, student
):
    from repository.actions.variants import record_variant_result, variant_order

    run = request_variant_run(scenario, student_id="s78", by=student)
    older = variant_order(run)["nonce"]
    latest = variant_order(run)["nonce"]
    result = {"status": "passed", "messages": ["ok"]}
    assert record_variant_result(older, result) is None  # signed, but superseded
    done = record_variant_result(latest, result)
    assert done is not None and done.state == VariantRun.State.PASSED
    assert record_variant_result(latest, {"status": "failed", "messages": ["replayed"]}) is None
    assert VariantRun.objects.get(pk=run.pk).messages == ["ok"]


def test_the_reaper_ends_variant_runs_left_open_past_their_deadline(scenario, student, settings):
    from repository import tasks
    from repository.actions.variants import record_variant_result, variant_order

    run = request_variant_run(scenario, student_id="s79", by=student)
    nonce = variant_order(run)["nonce"]
    assert tasks.reap_stuck_validations() == 0  # within its deadline
    settings.VARIANT_RUN_DEADLINE_SECONDS = -1
    assert tasks.reap_stuck_validations() == 1
    reaped = VariantRun.objects.get(pk=run.pk)
    assert reaped.state == VariantRun.State.ERROR
    assert "could not be finished" in reaped.messages[0]
    assert record_variant_result(nonce, {"status": "passed", "messages": ["late"]}) is None
