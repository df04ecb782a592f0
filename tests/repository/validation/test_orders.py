"""Work orders: a large tree travels as a fetch address signed for one open order, and only it."""

import urllib.error
import urllib.request

import pytest

from repository.actions import validation
from repository.actions.deposits import deposit_package
from repository.management.commands.load_demo import SCENARIO_DIR, scenario_manifest, zip_folder
from repository.models import ValidationRun
from repository.validation import orders
from repository.validation.steps import steps_for
from repository.validation.untrusted import run_order

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def open_order(tmp_path, settings, northfield, staff, live_server):
    """A scenario whose run step waits for an order too large to travel inline."""
    settings.VALIDATION_RUN_CONTENT = True
    settings.VALIDATION_ORDER_INLINE_BYTES = 0
    settings.VALIDATION_ORDER_FETCH_URL = live_server.url
    package = zip_folder(SCENARIO_DIR, tmp_path / "scenario.zip", scenario_manifest())
    version = deposit_package(package=package, institution=northfield, by=staff)
    validation.validate_version(version.pk, queues={"checks"})  # order out, nothing consumes it
    run = ValidationRun.objects.get(version=version)
    return run, next(s for s in steps_for(version) if s.runs_content)


def test_an_untrusted_run_fetches_the_files_of_a_large_order_and_runs_them(open_order):
    run, step = open_order
    order = validation.make_order(run, step, 3)
    assert "zip" not in order["files"]
    assert order["files"]["url"].startswith(orders.settings.VALIDATION_ORDER_FETCH_URL)
    result = run_order(order)
    assert result["status"] in {"passed", "failed"}, result["messages"]
    assert any(f["name"].endswith(".png") for f in result["files"])


def test_a_fetch_address_stops_working_once_its_order_is_superseded_or_altered(open_order):
    run, step = open_order
    first = validation.make_order(run, step, 3)["files"]["url"]
    with urllib.request.urlopen(first) as answer:  # noqa: S310 -- the test's own live server
        assert answer.headers["Content-Type"] == "application/zip"
    validation.make_order(run, step, 3)  # a new order for the run: the old one is void
    altered = first.replace("/files.zip", "x/files.zip")
    for url, reason in ((first, b"no longer open"), (altered, b"not valid or has expired")):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(url)  # noqa: S310
        assert refused.value.code == 403
        assert reason in refused.value.read()
        refused.value.close()


def test_an_order_whose_fetch_address_expired_is_reported_unavailable_not_failed(
    open_order, settings
):
    run, step = open_order
    order = validation.make_order(run, step, 3)
    settings.VALIDATION_ORDER_FETCH_MAX_AGE_SECONDS = -1  # the address outlived its hour
    result = run_order(order)
    assert "status" not in result
    assert "403" in result["unavailable"]
