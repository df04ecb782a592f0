"""The suite's own gates: skipped tests fail in CI, and the tests use a broker of their own."""

import os
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis

from deploy.celery import app as celery_app
from tests.conftest import redis_db

ROOT = Path(__file__).resolve().parent.parent

INNER_TESTS = """
import pytest

def test_skipped():
    pytest.skip("no widget here")

@pytest.mark.xfail(reason="known bug", strict=True)
def test_known_bug():
    assert False

def test_passes():
    pass
"""


@pytest.fixture
def inner(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch):
    """Run a small suite in a fresh pytest process with the skip gate loaded."""
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")  # only the gate, not Django's plugin

    def run(*, ci: str, allowed: dict[str, str] | None = None, tests: str = INNER_TESTS):
        monkeypatch.setenv("CI", ci)
        pytester.makeconftest(
            f"import tests.skip_gate\n\ntests.skip_gate.ALLOWED_SKIPS.update({allowed or {}!r})\n"
        )
        pytester.makepyfile(test_inner=tests)
        return pytester.runpytest_subprocess(
            "-p", "tests.skip_gate", "-p", "no:cacheprovider", "-W", "error"
        )

    return run


def test_a_skipped_test_fails_when_ci_is_set(inner):
    result = inner(ci="true")
    result.assert_outcomes(passed=1, failed=1, xfailed=1)
    result.stdout.fnmatch_lines(["*Skipped in CI: no widget here*", "*ALLOWED_SKIPS*"])
    assert result.ret == pytest.ExitCode.TESTS_FAILED


def test_an_allow_listed_skip_stays_a_skip_in_ci(inner):
    result = inner(ci="true", allowed={"test_inner.py::test_skipped": "needs a widget"})
    result.assert_outcomes(passed=1, skipped=1, xfailed=1)
    assert result.ret == pytest.ExitCode.OK


@pytest.mark.parametrize("ci", ["", "false", "0"])
def test_a_skip_is_only_a_skip_outside_ci(inner, ci):
    result = inner(ci=ci)
    result.assert_outcomes(passed=1, skipped=1, xfailed=1)
    assert result.ret == pytest.ExitCode.OK


def test_a_module_skipped_at_import_fails_the_session_in_ci(inner):
    tests = (
        "import pytest\n\npytest.importorskip('no_such_module_here')\n\ndef test_x():\n    pass\n"
    )
    result = inner(ci="true", tests=tests)
    result.stdout.fnmatch_lines(["*modules skipped in CI*", "test_inner.py: *no_such_module_here*"])
    assert result.ret == pytest.ExitCode.TESTS_FAILED


def test_messages_sent_by_tests_reach_the_session_broker_not_the_developers(settings):
    """The broker the tests publish to is their own: a temporary folder, or a Redis db not 0."""
    url = settings.CELERY_BROKER_URL
    queue = "tests-broker-probe"
    if url.startswith("filesystem://"):
        folder = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"])
        developers = settings.DATA_DIR / "broker"
        assert folder.is_relative_to(tempfile.gettempdir())
        assert not folder.is_relative_to(developers)
        assert os.environ["CELERY_BROKER_FOLDER"] == str(folder.parent)
    else:
        assert urlsplit(url).scheme in {"redis", "rediss"}
        assert redis_db(url) != 0
        developers_db = redis.Redis.from_url(urlsplit(url)._replace(path="/0").geturl())

    celery_app.send_task("tests.probe", args=[42], queue=queue)

    with celery_app.connection_for_read() as connection:
        probe = connection.SimpleQueue(queue)
        message = probe.get(timeout=10)
        message.ack()
        probe.close()
    assert message.headers["task"] == "tests.probe"
    if url.startswith("filesystem://"):
        assert not [path for path in developers.rglob("*") if queue in path.name]
    else:
        assert not developers_db.keys(f"*{queue}*")
