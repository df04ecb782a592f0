"""The load test's visitors for locust: a realistic mix of browsing, search, pages, downloads, deposits and attempts.

Run by tests/bench/bench_load.py, which prepares the site and writes the addresses used here
to the JSON file named by LOAD_TARGETS. Weights follow a page-view-heavy public repository:
anonymous readers make most requests, staff deposit now and then, students run attempts.
"""

import io
import json
import os
import random
import re
import uuid
import zipfile
from pathlib import Path
from typing import Any

from locust import HttpUser, between, task

TARGETS = json.loads(Path(os.environ["LOAD_TARGETS"]).read_text(encoding="utf-8"))
PASSWORD = "remixbank-demo"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
WORDS = ["solar", "tracker", "fraction", "wave", "orbit", "cell", "market", "circuit"]
# The worked example's controller: a learner's attempt that runs to the end and is scored.
CONTROLLER = (
    Path(__file__).resolve().parents[2] / "sims" / "examples" / "difference_controller.py"
).read_text(encoding="utf-8")


def csrf_token(html: str) -> str:
    found = CSRF.search(html)
    return found.group(1) if found else ""


def package_zip(tag: str) -> bytes:
    """A small tool package with a file of its own, so no two deposits are the same."""
    manifest = {
        "kind": "tool",
        "title": f"Fraction wall — charge test {tag}",
        "license": "CC-BY-4.0",
        "authors": [{"name": "Bob Marsh", "url": "https://northfield.ac.uk/~bob"}],
        "entry_point": "index.html",
        "language": "en",
        "subjects": ["mathematics"],
        "level": "secondary",
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("remixbank.json", json.dumps(manifest, ensure_ascii=False))
        archive.writestr(
            "index.html",
            '<!doctype html><html lang="en"><meta charset="utf-8"><title>Fraction wall</title>'
            f'<h1>Fraction wall</h1><p id="tag">{tag}</p><script src="app.js"></script></html>',
        )
        archive.writestr("app.js", "document.getElementById('tag').textContent += ' ✓';\n")
    return buffer.getvalue()


class Reader(HttpUser):
    """An anonymous visitor: home, search with facets, resource and version pages, downloads."""

    weight = 16
    wait_time = between(0.2, 1.0)

    @task(4)
    def browse(self) -> None:
        self.client.get(f"/?page={random.randint(1, 20)}", name="browse (home, page N)")

    @task(4)
    def search(self) -> None:
        words = " ".join(random.sample(WORDS, random.choice([1, 2])))
        self.client.get("/", params={"q": words}, name="search ?q=")

    @task(1)
    def search_faceted(self) -> None:
        self.client.get("/?q=solar&kind=scenario&level=secondary", name="search with facets")

    @task(6)
    def resource_page(self) -> None:
        self.client.get(random.choice(TARGETS["resources"]), name="resource page")

    @task(2)
    def version_page(self) -> None:
        self.client.get(random.choice(TARGETS["versions"]), name="version page")

    @task(1)
    def download(self) -> None:
        with self.client.get(
            random.choice(TARGETS["downloads"]), name="download zip", stream=True
        ) as response:
            for _ in response.iter_content(65536):
                pass

    @task(2)
    def trivial(self) -> None:
        self.client.get("/healthz", name="trivial view (/healthz)")


class Depositor(HttpUser):
    """A staff member depositing a new tool from the web form."""

    weight = 1
    wait_time = between(2.0, 5.0)

    def on_start(self) -> None:
        sign_in(self, TARGETS["staff"])

    @task
    def deposit(self) -> None:
        form = self.client.get("/deposit/", name="deposit form")
        tag = uuid.uuid4().hex[:12]
        with self.client.post(
            "/deposit/",
            data={
                "csrfmiddlewaretoken": csrf_token(form.text),
                "institution": TARGETS["institution_id"],
                "publish_on_pass": "on",
            },
            files={"package": (f"fraction-wall-{tag}.zip", package_zip(tag), "application/zip")},
            headers={"X-Request-ID": f"load-deposit-{tag}"},
            name="deposit (POST)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            redirected_to_version(response)


class Learner(HttpUser):
    """A student running their controller on the scenario's programming page."""

    weight = 3
    wait_time = between(1.0, 3.0)

    def on_start(self) -> None:
        sign_in(self, TARGETS["student"])

    @task(1)
    def attempt(self) -> None:
        page = self.client.get(TARGETS["program"], name="program page")
        with self.client.post(
            TARGETS["program"],
            data={"csrfmiddlewaretoken": csrf_token(page.text), "code": CONTROLLER},
            name="attempt (POST)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            redirected_to_version(response)


def redirected_to_version(response: Any) -> None:
    """A form that was accepted redirects to what it made; one shown again was refused."""
    if response.status_code != 302:
        response.failure(f"not accepted: {response.status_code} {response.text[:300]}")


def sign_in(user: HttpUser, email: str) -> None:
    page = user.client.get("/accounts/login/", name="sign-in form")
    user.client.post(
        "/accounts/login/",
        data={
            "csrfmiddlewaretoken": csrf_token(page.text),
            "username": email,
            "password": PASSWORD,
        },
        name="sign in (POST)",
        allow_redirects=False,
    )
