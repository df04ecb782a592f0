"""LTI launch speed on one web worker (gunicorn, one sync worker) beside the plain version page.

A launch is what Remixbank answers: the login initiation (redirect to the platform with state
and nonce) plus the id_token post (state, single-use nonce, registration, signature against
the platform's JWKS, deployment, message) and the page. The platform's own work (signing, in
the test LMS of tests/lti/platform.py, in this process) is not counted. The JWKS is warm
(fetched by the first launch, kept for an hour). Scratch SQLite database and blob folder.

    .venv/bin/python -m tests.bench lti        (BENCH_LTI_LAUNCHES, default 200)
"""

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests

from tests.bench.django_env import setup_django

ROOT = Path(__file__).resolve().parents[2]
LAUNCHES = int(os.environ.get("BENCH_LTI_LAUNCHES", "200"))


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_up(url: str) -> None:
    for _ in range(100):
        try:
            requests.get(url, timeout=30)
            return
        except requests.ConnectionError:  # not listening yet
            time.sleep(0.1)
    raise SystemExit(f"gunicorn did not answer at {url}")


def one_launch(session: requests.Session, lms: Any, name: str) -> float:
    """Seconds Remixbank spent on one launch (its two requests), the platform's part excluded."""
    to_tool = session.get(lms.start_url(name), allow_redirects=False, timeout=10)
    started = time.perf_counter()
    to_platform = session.get(to_tool.headers["Location"], allow_redirects=False, timeout=10)
    login_s = time.perf_counter() - started
    session.get(to_platform.headers["Location"], timeout=10)  # the platform signs
    form = lms.last_form
    started = time.perf_counter()
    page = session.post(
        form["launch_url"], data={"id_token": form["id_token"], "state": form["state"]}, timeout=10
    )
    launch_s = time.perf_counter() - started
    assert page.status_code == 200 and 'id="tool"' in page.text, page.text[:500]
    return login_s + launch_s


def main() -> None:
    # Both processes read our LTI key's encryption from SECRET_KEY: the same one, for this run.
    os.environ.setdefault("SECRET_KEY", "bench-lti-" + os.urandom(16).hex())
    data = setup_django()
    port = free_port()
    site = f"http://127.0.0.1:{port}"
    from django.contrib.auth import get_user_model

    from repository.actions.lti import register_platform
    from repository.models import Institution, Membership
    from tests.factories import stored_version, tool_files
    from tests.lti.platform import Harness, Placement

    institution = Institution.objects.create(slug="bench", name="Bench College")
    admin = get_user_model().objects.create(username="admin@bench.ac.uk")
    Membership.objects.create(user=admin, institution=institution, role=Membership.Role.ADMIN)
    version = stored_version(tool_files(), resource__institution=institution)
    env = {
        **os.environ,
        "REMIXBANK_DATA_DIR": str(data),
        "SITE_URL": site,
        "CONTENT_ORIGIN": f"http://localhost:{free_port()}",  # not fetched here
        "LTI_PRIVATE_ADDRESSES": "true",  # the bench's platform is on loopback
        "DEBUG": "false",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "1", "-b", f"127.0.0.1:{port}",
         "--log-level", "warning", "deploy.wsgi"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        with Harness(tool=site) as lms:
            fields = lms.registration_fields()
            register_platform(
                institution=institution,
                by=admin,
                name="Bench VLE",
                issuer=fields["issuer"],
                client_id=fields["client_id"],
                deployment_ids=["deployment-1"],
                auth_login_url=fields["auth_login_url"],
                auth_token_url=fields["auth_token_url"],
                jwks_url=fields["jwks_url"],
            )
            lms.place(
                Placement(
                    name="bench",
                    url=f"{site}/lti/versions/{version.pk}/",
                    custom={"remixbank_version": str(version.pk)},
                )
            )
            plain_url = f"{site}{version.get_absolute_url()}"
            wait_up(plain_url)
            session = requests.Session()
            for _ in range(5):  # warm: imports, the JWKS fetch, our key's decryption
                one_launch(requests.Session(), lms, "bench")
                session.get(plain_url, timeout=10)
            plain, launches = [], []
            for _ in range(LAUNCHES):
                started = time.perf_counter()
                assert session.get(plain_url, timeout=10).status_code == 200
                plain.append(time.perf_counter() - started)
                # A browser of its own each time (each login leaves a state cookie behind).
                launches.append(one_launch(requests.Session(), lms, "bench"))
    finally:
        server.terminate()
        server.wait(timeout=20)
    p50_plain, p50_launch = statistics.median(plain), statistics.median(launches)
    print(
        f"{'one gunicorn sync worker, ' + str(LAUNCHES) + ' each':<44} {'per s':>8} {'p50 ms':>8} {'p95 ms':>8}"
    )
    for name, times in (
        ("plain version page", plain),
        ("LTI launch (login + id_token + page)", launches),
    ):
        p95 = statistics.quantiles(times, n=20)[18]
        print(
            f"{name:<44} {1 / statistics.mean(times):>8.1f} {1000 * statistics.median(times):>8.1f} {1000 * p95:>8.1f}"
        )
    print(f"launch / plain page time (p50): {p50_launch / p50_plain:.2f}x")
    print(
        f"added latency of a launch (p50): {1000 * (p50_launch - p50_plain):.1f} ms (goal < 50 ms)"
    )
