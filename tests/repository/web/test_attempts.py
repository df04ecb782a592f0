""" "Program it" pages: the contract and starter, Run, the result at the learner's line, tables."""

import csv
import io

import pytest
from django.urls import reverse

from repository.actions.attempts import execute_attempt, submit_attempt
from repository.management.commands.load_demo import SCENARIO_DIR
from repository.models import Attempt, Membership
from tests.conftest import member
from tests.factories import published_scenario

CODE = (SCENARIO_DIR / "difference_controller.py").read_text()
STARTER = (SCENARIO_DIR / "student_controller.py").read_text()


@pytest.fixture
def scenario(tmp_path, northfield, staff):
    return published_scenario(tmp_path, northfield, staff)


def args(version):
    return [version.resource.institution.slug, version.resource.slug, version.number]


def test_the_page_shows_the_contract_the_starter_and_the_learners_variant(
    client, scenario, student
):
    client.force_login(student)
    page = client.get(reverse("program_it", args=args(scenario))).content.decode()
    assert "degrees per second" in page and "in suns" in page
    assert "GAIN = 2.0" in page  # the starter controller, from the version's own files
    assert "Your variant" in page and "hill.slope_deg" in page
    assert 'name="code"' in page  # a plain form: it works without any script
    version_page = client.get(scenario.get_absolute_url()).content.decode()
    assert reverse("program_it", args=args(scenario)) in version_page


def test_run_shows_the_result_against_the_baseline_and_the_plots(client, scenario, student):
    client.force_login(student)
    response = client.post(reverse("program_it", args=args(scenario)), {"code": CODE})
    attempt = Attempt.objects.get()
    assert response["Location"] == attempt.get_absolute_url()
    waiting = client.get(attempt.get_absolute_url()).content.decode()
    assert "Waiting for a worker" in waiting and 'http-equiv="refresh"' in waiting
    execute_attempt(attempt.pk)
    page = client.get(attempt.get_absolute_url()).content.decode()
    assert "Score: <strong>" in page and "excellent" in page
    assert "built-in sensor controller" in page and "fixed panel" in page
    attempt.refresh_from_db()
    plot = next(f for f in attempt.files if f["name"] == "angles.png")
    url = reverse(
        "attempt_file", args=[*args(scenario), attempt.public_id, plot["sha256"], "angles.png"]
    )
    assert url in page
    assert b"".join(client.get(url).streaming_content).startswith(b"\x89PNG")


def test_an_error_is_shown_at_the_learners_line(client, scenario, student):
    client.force_login(student)
    code = "def control(sensors, state):\n    west, east = sensors\n    return west - east +\n"
    client.post(reverse("program_it", args=args(scenario)), {"code": code})
    attempt = execute_attempt(Attempt.objects.get().pk)
    assert attempt is not None
    page = client.get(attempt.get_absolute_url()).content.decode()
    assert "Your code stopped at line 3" in page
    assert 'class="error-line" id="error-line"' in page
    assert "SyntaxError" in page
    # Going back to it puts that code in the editor again.
    again = client.get(reverse("program_it", args=args(scenario)) + f"?from={attempt.public_id}")
    assert "return west - east +" in again.content.decode()


def test_a_one_megabyte_paste_is_refused_without_echoing_it(client, scenario, student):
    client.force_login(student)
    response = client.post(reverse("program_it", args=args(scenario)), {"code": "y" * (1 << 20)})
    assert response.status_code == 413
    assert "the most accepted is 64 KB" in response.content.decode()
    assert len(response.content) < 100_000
    assert not Attempt.objects.exists()


def test_others_cannot_open_a_learners_attempt(client, scenario, student, southbank):
    attempt = submit_attempt(scenario, code=CODE, by=student)
    stranger = member(southbank, "eve@southbank.ac.uk", "Eve", Membership.Role.STUDENT)
    client.force_login(stranger)
    assert client.get(attempt.get_absolute_url()).status_code == 404


def test_the_teacher_sees_the_table_and_exports_it(client, scenario, student, staff):
    execute_attempt(submit_attempt(scenario, code=CODE, by=student).pk)
    broken = "def control(sensors, state):\n    return 1 / 0\n"
    execute_attempt(submit_attempt(scenario, code=broken, by=student).pk)
    client.force_login(student)
    assert client.get(reverse("attempts_table", args=args(scenario))).status_code == 404
    client.force_login(staff)
    page = client.get(reverse("attempts_table", args=args(scenario))).content.decode()
    assert "Charlie" in page and "line 2" in page and "ZeroDivisionError" in page
    export = client.get(reverse("attempts_table", args=args(scenario)) + "?format=csv")
    rows = list(csv.DictReader(io.StringIO(export.content.decode())))
    assert len(rows) == 1
    assert rows[0]["attempts"] == "2" and float(rows[0]["best_score"]) > 0.9
    assert rows[0]["last_error_line"] == "2"
