"""In CI a skipped test is a failure, unless ALLOWED_SKIPS names it with the reason it may skip.

A skip means "not run", never "passed": a missing browser, sandbox or service would otherwise
turn part of the suite off while CI stays green. CI is on when the CI environment variable is
set to anything but "", "0", "false" or "no" (.ci/run exports CI=true). xfail is not a skip:
those tests run.
"""

import os
from collections.abc import Generator

import pytest

# Test node id -> why skipping it in CI is acceptable. Keep it empty unless a test truly
# depends on something CI cannot provide; each entry needs its reason.
ALLOWED_SKIPS: dict[str, str] = {}

HOW_TO_FIX = (
    "a skipped test fails when CI is set: install or start what it needs (.ci/run does), "
    "or add its node id with a reason to ALLOWED_SKIPS in tests/skip_gate.py"
)


def ci_enforced() -> bool:
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def skip_reason(longrepr: object) -> str:
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


class SkipGate:
    """The hooks, registered only when CI is set."""

    def __init__(self) -> None:
        self.skipped_modules: list[str] = []

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        if report.skipped and not hasattr(report, "wasxfail") and item.nodeid not in ALLOWED_SKIPS:
            report.outcome = "failed"
            report.longrepr = f"Skipped in CI: {skip_reason(report.longrepr)}\n({HOW_TO_FIX})"
        return report

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        """A module skipped as a whole (importorskip, allow_module_level) has no test report."""
        if report.skipped and report.nodeid not in ALLOWED_SKIPS:
            self.skipped_modules.append(f"{report.nodeid}: {skip_reason(report.longrepr)}")

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        ran_clean = (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED)
        if self.skipped_modules and session.exitstatus in ran_clean:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if self.skipped_modules:
            terminalreporter.section("modules skipped in CI (failures)", red=True)
            for line in self.skipped_modules:
                terminalreporter.line(line)
            terminalreporter.line(HOW_TO_FIX)


def pytest_configure(config: pytest.Config) -> None:
    if ci_enforced():
        config.pluginmanager.register(SkipGate(), "skip-gate")
