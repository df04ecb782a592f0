"""Worker start-up: try the sandbox and browser escapes; stop consuming their queues if any works."""

import logging
from collections.abc import Callable

from django.conf import settings

log = logging.getLogger(__name__)


def sandbox_escapes() -> list[str]:
    from sims.sandbox import self_test

    # The project's settings are the host file untrusted code must never read.
    return self_test(host_file=settings.BASE_DIR / "deploy" / "settings.py")


def browser_escapes() -> list[str]:
    from repository.validation.browser import self_test

    return self_test()


PROBES: dict[str, Callable[[], list[str]]] = {
    "sandbox": sandbox_escapes,
    "browser": browser_escapes,
}


def queues_to_refuse(consumed: set[str]) -> dict[str, list[str]]:
    """For each consumed queue that runs deposited code, the escapes that succeeded (if any)."""
    refused = {}
    for queue, probe in PROBES.items():
        if queue not in consumed:
            continue
        try:
            escapes = probe()
        except Exception as exc:
            escapes = [f"the self-test itself failed: {exc!r}"]
        if escapes:
            refused[queue] = escapes
            log.error(
                "Refusing %s work on this worker: the sandbox let these through: %s",
                queue,
                "; ".join(escapes),
            )
        else:
            log.info("%s sandbox self-test passed; taking %s work", queue, queue)
    return refused
