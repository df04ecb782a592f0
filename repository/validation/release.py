"""Release naming: which release of our checks (plus browser or engines) judged a run."""

import subprocess

from django.conf import settings

# Bumped whenever a check changes, so every version can be re-validated by the new release.
CHECKS_RELEASE = "checks-4"


def validator_release(kind: str) -> str:
    """Our checks' release plus the browser's or the engines', recorded on every run.

    Read where the run is first claimed; a machine without Chromium (a checks-only worker)
    names it "chromium-unknown", and the browser worker corrects it when the run step runs.
    """
    if not settings.VALIDATION_RUN_CONTENT:
        return CHECKS_RELEASE
    if kind == "tool":
        from repository.validation.browser import BrowserUnavailable, browser_release

        try:
            return f"{CHECKS_RELEASE}+{browser_release()}"
        except (BrowserUnavailable, OSError, subprocess.SubprocessError):
            return f"{CHECKS_RELEASE}+chromium-unknown"
    from sims.engines import ENGINE_RELEASE

    return f"{CHECKS_RELEASE}+sims-{ENGINE_RELEASE}"
